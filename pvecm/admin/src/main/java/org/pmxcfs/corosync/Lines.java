package org.pmxcfs.corosync;

/** Line helpers shared by the parser and the entry editor, so both trim exactly alike. */
final class Lines {

    private Lines() {
    }

    /**
     * Where the meaningful text of a raw line ends. Mirrors corosync's {@code parse_section}: drop
     * one {@code \n}, then one {@code \r}, then trailing spaces and tabs.
     */
    static int contentEnd(String raw) {
        int end = raw.length();
        if (end > 0 && raw.charAt(end - 1) == '\n') {
            end--;
        }
        if (end > 0 && raw.charAt(end - 1) == '\r') {
            end--;
        }
        while (end > 0 && isBlank(raw.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    /** Corosync's notion of a blank: space or tab (nothing else, not even a form feed). */
    static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    static String stripBlanks(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isBlank(s.charAt(start))) {
            start++;
        }
        while (end > start && isBlank(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    static String leadingBlanks(String raw) {
        int i = 0;
        while (i < raw.length() && isBlank(raw.charAt(i))) {
            i++;
        }
        return raw.substring(0, i);
    }
}
