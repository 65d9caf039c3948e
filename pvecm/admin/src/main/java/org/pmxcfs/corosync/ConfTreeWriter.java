package org.pmxcfs.corosync;

/**
 * Writes a {@link ConfTree} back: every item that came from the parser is written as its original
 * line; items added by an edit get a 2-space indent per level, {@code key: value},
 * <code>name {</code> and <code>}</code> (the layout pvecm writes) and the tree's line terminator.
 */
final class ConfTreeWriter {

    private ConfTreeWriter() {
    }

    static String write(ConfTree tree) {
        StringBuilder out = new StringBuilder();
        writeItems(tree.root(), 0, tree.newline(), out);
        return out.toString();
    }

    private static void writeItems(ConfItem.Section section, int depth, String nl, StringBuilder out) {
        for (ConfItem item : section.items()) {
            if (item instanceof ConfItem.Trivia t) {
                append(out, t.raw(), nl);
            } else if (item instanceof ConfItem.Entry e) {
                append(out, e.raw() != null ? e.raw() : indent(depth) + e.key() + ": " + e.value() + nl, nl);
            } else if (item instanceof ConfItem.Section s) {
                append(out, s.openRaw() != null ? s.openRaw() : indent(depth) + s.name() + " {" + nl, nl);
                writeItems(s, depth + 1, nl, out);
                append(out, s.closeRaw() != null ? s.closeRaw() : indent(depth) + "}" + nl, nl);
            }
        }
    }

    /**
     * Appends a line. Only the file's last line can lack a terminator; if an edit put something
     * after it, it needs one now or the two lines would merge.
     */
    private static void append(StringBuilder out, String line, String nl) {
        if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
            out.append(nl);
        }
        out.append(line);
    }

    static String indent(int depth) {
        return "  ".repeat(depth);
    }
}
