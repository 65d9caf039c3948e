package org.pmxcfs.corosync;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One element of a parsed corosync.conf, in file order: a {@code key: value} line, a section
 * (<code>name {</code> ... <code>}</code>) or a line corosync ignores (blank or {@code #} comment).
 *
 * <p>Every item parsed from a file keeps its original text ({@code raw}, including the line
 * terminator) so that writing an unchanged tree reproduces the file byte for byte. Items created
 * by an edit have no raw text ({@code null}) and line 0; the writer lays them out itself.
 */
public sealed interface ConfItem permits ConfItem.Entry, ConfItem.Section, ConfItem.Trivia {

    /** 1-based line the item starts on, or 0 for an item created by an edit. */
    int line();

    /**
     * A {@code key: value} line. The value is everything after the first colon, with the blanks
     * around it removed (corosync's rule): it may contain spaces, colons and quotes, which are
     * taken literally.
     *
     * @param key   the key (never empty)
     * @param value the value (may be empty)
     * @param line  1-based line, 0 if created by an edit
     * @param raw   the original line including its terminator, or null if created by an edit
     */
    record Entry(String key, String value, int line, String raw) implements ConfItem {

        public Entry {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        /** A new entry, to be laid out by the writer. */
        public static Entry of(String key, String value) {
            return new Entry(key, value, 0, null);
        }

        /**
         * The same entry with another value. A parsed line keeps its indentation, separator and
         * trailing blanks, so only the value's bytes change in the written file.
         */
        public Entry withValue(String newValue) {
            if (raw == null) {
                return new Entry(key, newValue, line, null);
            }
            // The parser took the value as the last non-blank text of the line, so it ends
            // exactly where the trailing blanks and the terminator begin.
            int end = Lines.contentEnd(raw);
            int start = end - value.length();
            return new Entry(key, newValue, line, raw.substring(0, start) + newValue + raw.substring(end));
        }
    }

    /**
     * A section and its items in file order. The root of a file is a section with the empty name
     * and no raw lines.
     *
     * @param name     section name ({@code totem}, {@code node}, ...)
     * @param items    the items between the braces, in order
     * @param line     1-based line of the opening brace, 0 if created by an edit (or the root)
     * @param openRaw  the original <code>name {</code> line, or null
     * @param closeRaw the original <code>}</code> line, or null
     */
    record Section(String name, List<ConfItem> items, int line, String openRaw, String closeRaw)
            implements ConfItem {

        public Section {
            Objects.requireNonNull(name, "name");
            items = List.copyOf(items);
        }

        /** A new section, to be laid out by the writer. */
        public static Section of(String name, List<ConfItem> items) {
            return new Section(name, items, 0, null, null);
        }

        /** The sections directly inside this one with the given name, in file order. */
        public List<Section> sections(String sectionName) {
            List<Section> result = new ArrayList<>();
            for (ConfItem item : items) {
                if (item instanceof Section s && s.name.equals(sectionName)) {
                    result.add(s);
                }
            }
            return result;
        }

        /** The first section directly inside this one with the given name. */
        public Optional<Section> section(String sectionName) {
            return sections(sectionName).stream().findFirst();
        }

        /** The entries directly inside this section, in file order. */
        public List<Entry> entries() {
            List<Entry> result = new ArrayList<>();
            for (ConfItem item : items) {
                if (item instanceof Entry e) {
                    result.add(e);
                }
            }
            return result;
        }

        /** The first entry with the given key directly inside this section. */
        public Optional<Entry> entry(String key) {
            return entries().stream().filter(e -> e.key().equals(key)).findFirst();
        }

        /** The value of the first entry with the given key. */
        public Optional<String> value(String key) {
            return entry(key).map(Entry::value);
        }

        /** The same section (same raw lines) with other items. */
        public Section withItems(List<ConfItem> newItems) {
            return new Section(name, newItems, line, openRaw, closeRaw);
        }
    }

    /**
     * A line corosync skips: empty, blanks only, or a comment whose first non-blank character is
     * {@code #}. (A {@code #} later in a line is not a comment in corosync; it is part of the value.)
     *
     * @param raw  the original line including its terminator
     * @param line 1-based line
     */
    record Trivia(String raw, int line) implements ConfItem {

        public Trivia {
            Objects.requireNonNull(raw, "raw");
        }
    }
}
