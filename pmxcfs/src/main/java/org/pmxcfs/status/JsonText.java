package org.pmxcfs.status;

/**
 * String escaping for the hand-printed status files.
 *
 * <p>Two flavours exist because the cluster log message keeps the original's own ASCII conversion
 * (reference §3.9: {@code "} → {@code \"}, control chars → {@code #NNN}, other BMP chars →
 * {@code \\uXXXX}, astral chars dropped), while every other string gets plain JSON escaping. Unlike
 * the original, both always yield valid JSON string content ([ref-bug] in §2.2).
 */
final class JsonText {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {}

    /** Appends {@code s} as a quoted JSON string; non-ASCII text is kept as is (UTF-8 output). */
    static void appendQuoted(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        appendUnicodeEscape(sb, c);
                    } else {
                        // Unpaired surrogates become '?' when encoded to UTF-8: still valid.
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /**
     * Converts a raw log message into the wire form stored in a {@link ClusterLogEntry}, like the
     * original's {@code utf8_to_ascii(..., quotequote=TRUE)}, and additionally escapes backslashes
     * so the result is always valid JSON string content.
     *
     * <p>A backslash that starts {@code \\uXXXX} is kept: the Perl side pre-encodes non-ASCII text
     * that way and the original passes it through, so it must still display as the character.
     *
     * @param bufSize the original's output buffer size; like the original, no new character is
     *                started once {@code bufSize - 7} characters have been written
     * @param maxLen  hard limit on the result length; a sequence that would cross it is dropped
     *                whole (the original would cut its tail bytes and the terminating NUL)
     */
    static String toWireMessage(String raw, int bufSize, int maxLen) {
        StringBuilder out = new StringBuilder(Math.min(raw.length() + 16, Math.max(maxLen, 0)));
        int startLimit = bufSize - 7;
        int i = 0;
        while (i < raw.length() && out.length() < startLimit) {
            int mark = out.length();
            int consumed = convertOne(raw, i, out, false);
            if (out.length() > maxLen) {
                out.setLength(mark);
                break;
            }
            i += consumed;
        }
        return out.toString();
    }

    /**
     * Appends a stored wire-form message as JSON string content (without quotes), repairing what
     * the original's conversion leaves invalid: unescaped backslashes and quotes, raw control and
     * non-ASCII characters (possible in entries from other nodes or other implementations).
     * Already valid escapes ({@code \"}, {@code \\}, {@code \\uXXXX}) pass through, so our own
     * entries render unchanged.
     */
    static void appendWireMessage(StringBuilder sb, String msg) {
        int i = 0;
        while (i < msg.length()) {
            i += convertOne(msg, i, sb, true);
        }
    }

    /**
     * Converts the character(s) at {@code i}, returning how many chars of {@code s} were consumed.
     *
     * @param keepEscapes whether {@code \"} and {@code \\} are already escapes (stored text) or a
     *                    literal backslash followed by something (raw text)
     */
    private static int convertOne(String s, int i, StringBuilder out, boolean keepEscapes) {
        char c = s.charAt(i);
        if (c == '\\') {
            if (isUnicodeEscape(s, i)) {
                out.append(s, i, i + 6);
                return 6;
            }
            if (keepEscapes && i + 1 < s.length() && (s.charAt(i + 1) == '"' || s.charAt(i + 1) == '\\')) {
                out.append(c).append(s.charAt(i + 1));
                return 2;
            }
            out.append("\\\\");
            return 1;
        }
        if (c == '"') {
            out.append("\\\"");
            return 1;
        }
        if (c < 32 || c == 127) {
            // The original's "#NNN" form: three decimal digits.
            out.append('#').append((char) ('0' + c / 100)).append((char) ('0' + c / 10 % 10))
                    .append((char) ('0' + c % 10));
            return 1;
        }
        if (c < 127) {
            out.append(c);
            return 1;
        }
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            return 2; // beyond the BMP: the original drops these
        }
        if (Character.isSurrogate(c)) {
            out.append('?'); // unpaired surrogate = invalid UTF-8 for the original, which writes '?'
            return 1;
        }
        appendUnicodeEscape(out, c);
        return 1;
    }

    private static boolean isUnicodeEscape(String s, int i) {
        if (i + 6 > s.length() || s.charAt(i + 1) != 'u') {
            return false;
        }
        for (int k = i + 2; k < i + 6; k++) {
            char h = s.charAt(k);
            boolean hex = (h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F');
            if (!hex) {
                return false;
            }
        }
        return true;
    }

    private static void appendUnicodeEscape(StringBuilder sb, char c) {
        sb.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
    }
}
