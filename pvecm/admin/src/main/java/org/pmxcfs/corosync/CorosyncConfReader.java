package org.pmxcfs.corosync;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the typed view of a {@link ConfTree} and refuses what pvecm, pmxcfs or corosync cannot
 * work with. Every error names the line of the offending key or block.
 */
final class CorosyncConfReader {

    private static final Pattern RING_ADDR = Pattern.compile("ring(\\d+)_addr");
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final long UINT32_MAX = 0xFFFF_FFFFL;
    private static final long UINT8_MAX = 0xFF;

    /** The typed parts of a configuration. */
    record Parts(Totem totem, List<NodeEntry> nodes, QuorumSection quorum, Optional<LoggingSection> logging) {
    }

    private CorosyncConfReader() {
    }

    static Parts read(ConfTree tree) throws CorosyncConfException {
        ConfItem.Section root = tree.root();
        checkDuplicateKeys(root, "");

        ConfItem.Section totemSection = unique(root, "totem", "")
                .orElseThrow(() -> new CorosyncConfException("missing section 'totem'"));
        ConfItem.Section nodelist = unique(root, "nodelist", "")
                .orElseThrow(() -> new CorosyncConfException("missing section 'nodelist'"));
        Optional<ConfItem.Section> quorum = unique(root, "quorum", "");
        Optional<ConfItem.Section> logging = unique(root, "logging", "");

        return new Parts(totem(totemSection), nodes(nodelist),
                quorum.isPresent() ? quorum(quorum.get()) : QuorumSection.absent(),
                logging.map(CorosyncConfReader::logging));
    }

    private static Totem totem(ConfItem.Section s) throws CorosyncConfException {
        ConfItem.Entry name = s.entry("cluster_name")
                .orElseThrow(() -> new CorosyncConfException(s.line(), "section 'totem' has no cluster_name"));
        if (name.value().isEmpty()) {
            throw new CorosyncConfException(name.line(), "totem.cluster_name is empty");
        }
        OptionalLong configVersion = OptionalLong.empty();
        Optional<ConfItem.Entry> cv = s.entry("config_version");
        if (cv.isPresent()) {
            configVersion = OptionalLong.of(number(cv.get(), "totem", Long.MAX_VALUE));
        }
        List<TotemInterface> interfaces = new ArrayList<>();
        Map<Integer, Integer> linkLines = new HashMap<>();
        for (ConfItem.Section i : s.sections("interface")) {
            TotemInterface ti = totemInterface(i);
            Integer first = linkLines.putIfAbsent(ti.linknumber(), i.line());
            if (first != null) {
                throw new CorosyncConfException(i.line(),
                        "duplicate interface for link " + ti.linknumber() + " (first at line " + first + ")");
            }
            interfaces.add(ti);
        }
        return new Totem(name.value(), configVersion, s.value("secauth"), optionalNumber(s, "token", "totem"),
                optionalNumber(s, "token_coefficient", "totem"), optionalNumber(s, "consensus", "totem"), interfaces,
                s.value("link_mode"), s.value("ip_version"), optionalNumber(s, "version", "totem"), s.value("transport"), s.line());
    }

    private static TotemInterface totemInterface(ConfItem.Section i) throws CorosyncConfException {
        // corosync 3 still accepts the old name ringnumber; pvecm falls back to it as well.
        Optional<ConfItem.Entry> number = i.entry("linknumber").or(() -> i.entry("ringnumber"));
        int link = 0;
        if (number.isPresent()) {
            long n = number(number.get(), "totem.interface", UINT32_MAX);
            if (n > NodeEntry.MAX_LINK) {
                throw new CorosyncConfException(number.get().line(),
                        "totem.interface." + number.get().key() + ": link numbers go from 0 to " + NodeEntry.MAX_LINK);
            }
            link = (int) n;
        }
        OptionalInt priority = OptionalInt.empty();
        Optional<ConfItem.Entry> p = i.entry("knet_link_priority");
        if (p.isPresent()) {
            priority = OptionalInt.of((int) number(p.get(), "totem.interface", UINT8_MAX));
        }
        return new TotemInterface(link, priority, i.line());
    }

    private static List<NodeEntry> nodes(ConfItem.Section nodelist) throws CorosyncConfException {
        List<ConfItem.Section> blocks = nodelist.sections("node");
        if (blocks.isEmpty()) {
            throw new CorosyncConfException(nodelist.line(), "section 'nodelist' has no node");
        }
        List<NodeEntry> nodes = new ArrayList<>();
        Map<Long, NodeEntry> byId = new HashMap<>();
        Map<String, NodeEntry> byName = new HashMap<>();
        for (ConfItem.Section block : blocks) {
            NodeEntry node = node(block);
            NodeEntry sameId = byId.putIfAbsent(node.nodeid(), node);
            if (sameId != null) {
                throw new CorosyncConfException(block.line(), "duplicate nodeid " + node.nodeid()
                        + " (also used by node '" + sameId.name() + "' at line " + sameId.line() + ")");
            }
            NodeEntry sameName = byName.putIfAbsent(node.name(), node);
            if (sameName != null) {
                throw new CorosyncConfException(block.line(), "duplicate node name '" + node.name()
                        + "' (first at line " + sameName.line() + ")");
            }
            nodes.add(node);
        }
        return nodes;
    }

    private static NodeEntry node(ConfItem.Section block) throws CorosyncConfException {
        ConfItem.Entry id = block.entry("nodeid")
                .orElseThrow(() -> new CorosyncConfException(block.line(), "node has no nodeid"));
        long nodeid = number(id, "nodelist.node", UINT32_MAX);
        if (nodeid == 0) {
            throw new CorosyncConfException(id.line(), "nodelist.node.nodeid: 0 is not a valid node id (they start at 1)");
        }
        Map<Integer, String> rings = new TreeMap<>();
        for (ConfItem.Entry e : block.entries()) {
            Matcher m = RING_ADDR.matcher(e.key());
            if (m.matches()) {
                int link = m.group(1).length() > 2 ? Integer.MAX_VALUE : Integer.parseInt(m.group(1));
                if (link > NodeEntry.MAX_LINK) {
                    throw new CorosyncConfException(e.line(),
                            "nodelist.node." + e.key() + ": link numbers go from 0 to " + NodeEntry.MAX_LINK);
                }
                if (e.value().isEmpty()) {
                    throw new CorosyncConfException(e.line(), "nodelist.node." + e.key() + " is empty");
                }
                rings.put(link, e.value());
            }
        }
        if (!rings.containsKey(0)) {
            throw new CorosyncConfException(block.line(), "node has no ring0_addr");
        }
        int votes = 1;
        Optional<ConfItem.Entry> v = block.entry("quorum_votes");
        if (v.isPresent()) {
            votes = (int) number(v.get(), "nodelist.node", Integer.MAX_VALUE);
        }
        Optional<ConfItem.Entry> name = block.entry("name");
        if (name.isPresent() && name.get().value().isEmpty()) {
            throw new CorosyncConfException(name.get().line(), "nodelist.node.name is empty");
        }
        String nodeName = name.map(ConfItem.Entry::value).orElse(rings.get(0));
        return new NodeEntry(nodeName, nodeid, votes, new TreeMap<>(rings), block.line());
    }

    private static QuorumSection quorum(ConfItem.Section s) throws CorosyncConfException {
        OptionalInt expected = OptionalInt.empty();
        Optional<ConfItem.Entry> ev = s.entry("expected_votes");
        if (ev.isPresent()) {
            expected = OptionalInt.of((int) number(ev.get(), "quorum", Integer.MAX_VALUE));
        }
        Optional<Boolean> waitForAll = Optional.empty();
        Optional<ConfItem.Entry> wfa = s.entry("wait_for_all");
        if (wfa.isPresent()) {
            waitForAll = Optional.of(number(wfa.get(), "quorum", UINT8_MAX) != 0);
        }
        Optional<QuorumDevice> device = Optional.empty();
        Optional<ConfItem.Section> d = unique(s, "device", "quorum.");
        if (d.isPresent()) {
            OptionalInt votes = OptionalInt.empty();
            Optional<ConfItem.Entry> dv = d.get().entry("votes");
            if (dv.isPresent()) {
                votes = OptionalInt.of((int) number(dv.get(), "quorum.device", Integer.MAX_VALUE));
            }
            Map<String, String> net = d.get().section("net").map(CorosyncConfReader::keys).orElse(Map.of());
            device = Optional.of(new QuorumDevice(d.get().value("model"), votes, keys(d.get()), net, d.get().line()));
        }
        return new QuorumSection(s.value("provider"), expected, flag(s, "two_node"), waitForAll,
                flag(s, "last_man_standing"), device, s.line());
    }

    /** A section's own keys and values, the last one winning as in corosync. */
    private static Map<String, String> keys(ConfItem.Section s) {
        Map<String, String> out = new LinkedHashMap<>();
        s.entries().forEach(e -> out.put(e.key(), e.value()));
        return out;
    }

    private static LoggingSection logging(ConfItem.Section s) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (ConfItem.Entry e : s.entries()) {
            settings.put(e.key(), e.value());
        }
        return new LoggingSection(settings, s.line());
    }

    /**
     * corosync keeps the last of two equal keys; pmxcfs's version regex takes the first. Rather
     * than guess which one the admin meant, refuse.
     */
    private static void checkDuplicateKeys(ConfItem.Section s, String path) throws CorosyncConfException {
        Map<String, Integer> seen = new HashMap<>();
        for (ConfItem item : s.items()) {
            if (item instanceof ConfItem.Entry e) {
                Integer first = seen.putIfAbsent(e.key(), e.line());
                if (first != null) {
                    throw new CorosyncConfException(e.line(),
                            "duplicate key '" + path + e.key() + "' (first at line " + first + ")");
                }
            } else if (item instanceof ConfItem.Section child) {
                checkDuplicateKeys(child, path + child.name() + ".");
            }
        }
    }

    /** A section that may appear at most once (pvecm's parser dies on a second one as well). */
    private static Optional<ConfItem.Section> unique(ConfItem.Section parent, String name, String path)
            throws CorosyncConfException {
        List<ConfItem.Section> found = parent.sections(name);
        if (found.size() > 1) {
            throw new CorosyncConfException(found.get(1).line(),
                    "duplicate section '" + path + name + "' (first at line " + found.get(0).line() + ")");
        }
        return found.stream().findFirst();
    }

    private static OptionalLong optionalNumber(ConfItem.Section s, String key, String path)
            throws CorosyncConfException {
        Optional<ConfItem.Entry> e = s.entry(key);
        return e.isPresent() ? OptionalLong.of(number(e.get(), path, UINT32_MAX)) : OptionalLong.empty();
    }

    private static boolean flag(ConfItem.Section s, String key) throws CorosyncConfException {
        Optional<ConfItem.Entry> e = s.entry(key);
        return e.isPresent() && number(e.get(), "quorum", UINT8_MAX) != 0;
    }

    /** A non-negative decimal number up to {@code max}. */
    static long number(ConfItem.Entry e, String path, long max) throws CorosyncConfException {
        String what = path + "." + e.key();
        if (!DIGITS.matcher(e.value()).matches()) {
            throw new CorosyncConfException(e.line(), what + ": '" + e.value() + "' is not a number");
        }
        long n;
        try {
            n = Long.parseLong(e.value());
        } catch (NumberFormatException tooBig) {
            n = -1;
        }
        if (n < 0 || n > max) {
            throw new CorosyncConfException(e.line(), what + ": " + e.value() + " is out of range (0.." + max + ")");
        }
        return n;
    }
}
