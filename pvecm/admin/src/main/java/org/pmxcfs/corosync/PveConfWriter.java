package org.pmxcfs.corosync;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a tree the way pvecm does ({@code PVE::Corosync::write_conf}): comments and blank lines
 * dropped, keys sorted alphabetically at every level (sections and keys mixed), 2-space indents,
 * a blank line after each top-level section, {@code nodelist.node} blocks sorted by node name
 * (falling back to {@code ring0_addr}) and {@code totem.interface} blocks by {@code linknumber}
 * (falling back to {@code ringnumber}).
 *
 * <p>As in Perl, a key given twice keeps its last value and two nodes with the same name (or two
 * interfaces with the same number) collapse into the last one. Where pvecm's parser would refuse
 * the input (a repeated section other than {@code node}/{@code interface}), this writer keeps the
 * repeats as consecutive blocks in file order instead.
 */
public final class PveConfWriter {

    private PveConfWriter() {
    }

    /** The pvecm layout of {@code tree} ({@code "\n"} line ends). */
    public static String write(ConfTree tree) {
        StringBuilder out = new StringBuilder();
        dump(tree.root(), "", "", out);
        return out.toString();
    }

    private static void dump(ConfItem.Section section, String path, String prefix, StringBuilder out) {
        // The Perl config is a hash per section: scalars, sub-hashes and (for repeated sections)
        // arrays of hashes, dumped in "sort keys" order.
        Map<String, Object> byKey = new TreeMap<>();
        Map<String, List<ConfItem.Section>> sections = new LinkedHashMap<>();
        for (ConfItem item : section.items()) {
            if (item instanceof ConfItem.Entry e) {
                byKey.put(e.key(), e.value());
            } else if (item instanceof ConfItem.Section s) {
                sections.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(s);
            }
        }
        for (Map.Entry<String, List<ConfItem.Section>> e : sections.entrySet()) {
            String name = e.getKey();
            String childPath = path.isEmpty() ? name : path + "." + name;
            List<ConfItem.Section> blocks = e.getValue();
            if (childPath.equals("nodelist.node")) {
                byKey.put(name, keyedAndSorted(blocks, "name", "ring0_addr"));
            } else if (childPath.equals("totem.interface")) {
                byKey.put(name, keyedAndSorted(blocks, "linknumber", "ringnumber"));
            } else if (blocks.size() > 1 || name.equals("node") || name.equals("interface")) {
                byKey.put(name, blocks);
            } else {
                byKey.put(name, blocks.get(0));
            }
        }

        for (Map.Entry<String, Object> e : byKey.entrySet()) {
            String key = e.getKey();
            String childPath = path.isEmpty() ? key : path + "." + key;
            Object v = e.getValue();
            if (v instanceof String value) {
                out.append(prefix).append(key).append(": ").append(value).append('\n');
            } else if (v instanceof ConfItem.Section child) {
                block(key, child, childPath, prefix, out);
                if (prefix.isEmpty()) {
                    out.append('\n');
                }
            } else {
                @SuppressWarnings("unchecked")
                List<ConfItem.Section> blocks = (List<ConfItem.Section>) v;
                for (ConfItem.Section child : blocks) {
                    block(key, child, childPath, prefix, out);
                }
            }
        }
    }

    private static void block(String name, ConfItem.Section s, String path, String prefix, StringBuilder out) {
        out.append(prefix).append(name).append(" {\n");
        dump(s, path, prefix + "  ", out);
        out.append(prefix).append("}\n");
    }

    /** Perl turns these arrays into hashes keyed by a member value and back, sorted by that key. */
    private static List<ConfItem.Section> keyedAndSorted(List<ConfItem.Section> blocks, String key, String fallback) {
        Map<String, ConfItem.Section> keyed = new TreeMap<>();
        for (ConfItem.Section s : blocks) {
            String k = lastValue(s, key);
            if (k == null) {
                k = lastValue(s, fallback);
            }
            keyed.put(k == null ? "" : k, s);
        }
        return new ArrayList<>(keyed.values());
    }

    /** A repeated key's last value wins, as in a Perl hash. */
    private static String lastValue(ConfItem.Section s, String key) {
        String value = null;
        for (ConfItem.Entry e : s.entries()) {
            if (e.key().equals(key)) {
                value = e.value();
            }
        }
        return value;
    }
}
