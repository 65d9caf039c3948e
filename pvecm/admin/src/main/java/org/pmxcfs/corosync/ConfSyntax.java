package org.pmxcfs.corosync;

/**
 * What an edit may write so that the file still parses to the same tree: a value must survive
 * corosync's line rules (no line breaks, no <code>{</code> which would turn the line into a section,
 * no surrounding blanks which the parser would drop).
 */
final class ConfSyntax {

    private ConfSyntax() {
    }

    static void checkValue(String key, String value) throws CorosyncConfException {
        if (value.isEmpty()) {
            throw new CorosyncConfException(key + ": value must not be empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\n' || c == '\r' || c == '{') {
                throw new CorosyncConfException(key + ": value must not contain line breaks or '{': '" + value + "'");
            }
        }
        if (Lines.isBlank(value.charAt(0)) || Lines.isBlank(value.charAt(value.length() - 1))) {
            throw new CorosyncConfException(key + ": value must not start or end with blanks: '" + value + "'");
        }
    }
}
