package org.pmxcfs.corosync;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Line-by-line parser with corosync's rules ({@code parse_section} in {@code exec/coroparse.c},
 * corosync 3.1.7, checked against {@code corosync -t}):
 * <ul>
 *   <li>trailing blanks and one CR are ignored; a line that is blank or whose first non-blank
 *       character is {@code #} is skipped (a later {@code #} is ordinary text);</li>
 *   <li>a line containing <code>{</code> opens a section named by the text before it; nothing may
 *       follow the brace;</li>
 *   <li>otherwise a line containing {@code :} is {@code key: value}, split at the first colon
 *       (so {@code ring0_addr: fe80::1} works and quotes are literal);</li>
 *   <li>otherwise the line must be exactly <code>}</code> and closes the innermost section;</li>
 *   <li>anything else is an error, as is a line longer than corosync's 512-byte buffer.</li>
 * </ul>
 * Stricter than corosync in one place: an empty key ({@code ": 5"}) is an error here (corosync
 * 3.1.7 accepts it, newer releases reject it).
 */
final class ConfTreeParser {

    /**
     * corosync reads lines with {@code fgets(line, 512, ...)}: 511 bytes including the newline,
     * so at most 510 bytes of text (a CR counts as text).
     */
    static final int MAX_LINE_BYTES = 510;

    private ConfTreeParser() {
    }

    /** A section being filled. */
    private static final class Open {
        final String name;
        final int line;
        final String openRaw;
        final List<ConfItem> items = new ArrayList<>();

        Open(String name, int line, String openRaw) {
            this.name = name;
            this.line = line;
            this.openRaw = openRaw;
        }
    }

    static ConfTree parse(String text) throws CorosyncConfException {
        List<String> lines = split(text);
        Deque<Open> stack = new ArrayDeque<>();
        Open root = new Open("", 0, null);
        stack.push(root);

        for (int i = 0; i < lines.size(); i++) {
            String raw = lines.get(i);
            int lineNo = i + 1;
            String content = raw.substring(0, Lines.contentEnd(raw));
            checkLength(raw, lineNo);

            String trimmed = Lines.stripBlanks(content);
            if (trimmed.isEmpty() || trimmed.charAt(0) == '#') {
                stack.peek().items.add(new ConfItem.Trivia(raw, lineNo));
                continue;
            }

            int brace = content.indexOf('{');
            if (brace >= 0) {
                String name = stripTrailingColonsAndBraces(Lines.stripBlanks(content.substring(0, brace)));
                if (name.isEmpty()) {
                    throw new CorosyncConfException(lineNo, "missing section name before '{'");
                }
                if (!Lines.stripBlanks(content.substring(brace + 1)).isEmpty()) {
                    throw new CorosyncConfException(lineNo,
                            "unexpected text after '{' (a section opens with 'name {' on a line of its own)");
                }
                stack.push(new Open(name, lineNo, raw));
                continue;
            }

            int colon = content.indexOf(':');
            if (colon >= 0) {
                String key = stripTrailingColonsAndBraces(Lines.stripBlanks(content.substring(0, colon)));
                if (key.isEmpty()) {
                    throw new CorosyncConfException(lineNo, "empty key before ':'");
                }
                String value = Lines.stripBlanks(content.substring(colon + 1));
                stack.peek().items.add(new ConfItem.Entry(key, value, lineNo, raw));
                continue;
            }

            if (content.indexOf('}') >= 0) {
                if (!trimmed.equals("}")) {
                    throw new CorosyncConfException(lineNo, "unexpected text before or after '}'");
                }
                if (stack.size() == 1) {
                    throw new CorosyncConfException(lineNo, "unexpected '}' (no section is open)");
                }
                Open done = stack.pop();
                stack.peek().items.add(new ConfItem.Section(done.name, done.items, done.line, done.openRaw, raw));
                continue;
            }

            throw new CorosyncConfException(lineNo, "expected 'key: value', 'name {' or '}', found '" + trimmed + "'");
        }

        if (stack.size() > 1) {
            Open unclosed = stack.peek();
            throw new CorosyncConfException(unclosed.line, "missing closing brace for section '" + unclosed.name
                    + "' (end of file reached at line " + lines.size() + ")");
        }
        return new ConfTree(new ConfItem.Section("", root.items, 0, null, null), detectNewline(lines));
    }

    /** Splits after each {@code \n}, keeping the terminators; a last line without one is kept too. */
    static List<String> split(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl + 1;
            lines.add(text.substring(start, end));
            start = end;
        }
        return lines;
    }

    private static void checkLength(String raw, int lineNo) throws CorosyncConfException {
        String withoutNewline = raw.endsWith("\n") ? raw.substring(0, raw.length() - 1) : raw;
        int bytes = withoutNewline.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_LINE_BYTES) {
            throw new CorosyncConfException(lineNo,
                    "line too long (" + bytes + " bytes, corosync reads at most " + MAX_LINE_BYTES + ")");
        }
    }

    /**
     * corosync's {@code remove_whitespace(s, 1)} also drops trailing colons and braces from section
     * names and keys ({@code "totem: {"} is section {@code totem}), keeping at least one character.
     */
    private static String stripTrailingColonsAndBraces(String s) {
        int end = s.length();
        while (end > 1 && (s.charAt(end - 1) == ':' || s.charAt(end - 1) == '{' || Lines.isBlank(s.charAt(end - 1)))) {
            end--;
        }
        return s.substring(0, end);
    }

    private static String detectNewline(List<String> lines) {
        return !lines.isEmpty() && lines.get(0).endsWith("\r\n") ? "\r\n" : "\n";
    }
}
