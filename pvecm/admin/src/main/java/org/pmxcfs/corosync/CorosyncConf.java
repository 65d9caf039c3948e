package org.pmxcfs.corosync;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A validated corosync.conf: the ordered {@link ConfTree} (for writing it back unchanged) plus a
 * typed view of what pmxcfs and pvecm use. Immutable; edits return a new value.
 *
 * <p>Beyond corosync's syntax this refuses (each with the line): a missing {@code totem} or
 * {@code nodelist} section, a repeated {@code totem}/{@code nodelist}/{@code quorum}/
 * {@code logging}/{@code quorum.device} section, a key given twice in one section, a missing or
 * empty {@code cluster_name}, a {@code config_version} that is not a number, a node without
 * {@code nodeid} or {@code ring0_addr}, node id 0, two nodes with the same id or name, link numbers
 * outside 0..7, and non-numeric values of numeric keys.
 *
 * <p>Edits keep every untouched line as it was (comments included), which is where this differs
 * from pvecm: pvecm re-serialises the whole file ({@link #pveText()} gives that layout). For a file
 * pvecm wrote, an edit here and pvecm's produce the same bytes.
 */
public final class CorosyncConf {

    private final ConfTree tree;
    private final Totem totem;
    private final List<NodeEntry> nodes;
    private final QuorumSection quorum;
    private final Optional<LoggingSection> logging;

    private CorosyncConf(ConfTree tree, CorosyncConfReader.Parts parts) {
        this.tree = tree;
        this.totem = parts.totem();
        this.nodes = List.copyOf(parts.nodes());
        this.quorum = parts.quorum();
        this.logging = parts.logging();
    }

    /** Parses and validates corosync.conf text. */
    public static CorosyncConf parse(String text) throws CorosyncConfException {
        return of(ConfTree.parse(text));
    }

    /** Parses and validates corosync.conf bytes (UTF-8). */
    public static CorosyncConf parse(byte[] bytes) throws CorosyncConfException {
        return of(ConfTree.parse(bytes));
    }

    /** Validates a tree. */
    public static CorosyncConf of(ConfTree tree) throws CorosyncConfException {
        return new CorosyncConf(tree, CorosyncConfReader.read(tree));
    }

    public ConfTree tree() {
        return tree;
    }

    public Totem totem() {
        return totem;
    }

    /** The nodes in file order. */
    public List<NodeEntry> nodes() {
        return nodes;
    }

    public QuorumSection quorum() {
        return quorum;
    }

    public Optional<LoggingSection> logging() {
        return logging;
    }

    /** {@code totem.cluster_name}. */
    public String clusterName() {
        return totem.clusterName();
    }

    /** {@code totem.config_version}, if set. */
    public OptionalLong configVersion() {
        return totem.configVersion();
    }

    /** The file text; identical to the parsed text for an unedited value. */
    public String text() {
        return tree.text();
    }

    /** {@link #text()} as UTF-8 bytes. */
    public byte[] bytes() {
        return tree.bytes();
    }

    /** The text in pvecm's layout ({@link PveConfWriter}): sorted, comments dropped. */
    public String pveText() {
        return PveConfWriter.write(tree);
    }

    /** The node with this name. */
    public Optional<NodeEntry> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    /**
     * The node {@code pvecm delnode} means by its argument: the node with that name, else the one
     * with that {@code ring0_addr}, else the one with that {@code ring1_addr} (reference 4.5).
     */
    public Optional<NodeEntry> findNode(String nameOrAddress) {
        return node(nameOrAddress)
                .or(() -> nodes.stream().filter(n -> nameOrAddress.equals(n.ring0Addr())).findFirst())
                .or(() -> nodes.stream().filter(n -> n.ringAddr(1).filter(nameOrAddress::equals).isPresent())
                        .findFirst());
    }

    /** The smallest positive node id no node uses (pvecm addnode; gaps are reused). */
    public long nextFreeNodeId() {
        long id = 1;
        while (true) {
            final long candidate = id;
            if (nodes.stream().noneMatch(n -> n.nodeid() == candidate)) {
                return id;
            }
            id++;
        }
    }

    /**
     * Adds a node block to {@code nodelist}, before the first node whose name sorts after it (so a
     * pvecm-written file stays sorted) and indented like its siblings. Keys are written in pvecm's
     * order: {@code name}, {@code nodeid}, {@code quorum_votes}, {@code ringN_addr}.
     * {@code quorum_votes} is always written, also when it is 0 (pvecm leaves the key out for 0
     * votes, which makes corosync count the default 1 vote). Does not change
     * {@code config_version}; see {@link #withConfigVersionBumped()}.
     *
     * @throws CorosyncConfException if a node with this name or id exists (naming its line) or a
     *                               value cannot be written
     */
    public CorosyncConf withNodeAdded(NodeEntry node) throws CorosyncConfException {
        Objects.requireNonNull(node, "node");
        Optional<NodeEntry> sameName = node(node.name());
        if (sameName.isPresent()) {
            throw new CorosyncConfException(sameName.get().line(), "node '" + node.name() + "' already exists");
        }
        for (NodeEntry n : nodes) {
            if (n.nodeid() == node.nodeid()) {
                throw new CorosyncConfException(n.line(),
                        "nodeid " + node.nodeid() + " is already used by node '" + n.name() + "'");
            }
        }
        ConfSyntax.checkValue("name", node.name());
        for (Map.Entry<Integer, String> ring : node.ringAddrs().entrySet()) {
            ConfSyntax.checkValue("ring" + ring.getKey() + "_addr", ring.getValue());
        }

        int listIndex = topSectionIndex("nodelist");
        ConfItem.Section nodelist = (ConfItem.Section) tree.root().items().get(listIndex);
        List<ConfItem> items = new ArrayList<>(nodelist.items());
        int insertAt = -1;
        int lastNode = -1;
        ConfItem.Section sibling = null;
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) instanceof ConfItem.Section s && s.name().equals("node")) {
                sibling = sibling == null ? s : sibling;
                lastNode = i;
                String key = s.value("name").or(() -> s.value("ring0_addr")).orElse("");
                if (insertAt < 0 && key.compareTo(node.name()) > 0) {
                    insertAt = i;
                }
            }
        }
        if (insertAt < 0) {
            insertAt = lastNode + 1;
        }
        items.add(insertAt, nodeBlock(node, sibling));
        return edited(replaceTop(listIndex, nodelist.withItems(items)));
    }

    /**
     * Removes the node {@link #findNode} finds. Leaves {@code config_version} alone.
     *
     * @throws CorosyncConfException {@code Node/IP: <x> is not a known host of the cluster.} (pvecm's
     *                               wording), or if it is the last node
     */
    public CorosyncConf withNodeRemoved(String nameOrAddress) throws CorosyncConfException {
        NodeEntry node = findNode(nameOrAddress).orElseThrow(() ->
                new CorosyncConfException("Node/IP: " + nameOrAddress + " is not a known host of the cluster."));
        if (nodes.size() == 1) {
            throw new CorosyncConfException(node.line(), "cannot remove the last node '" + node.name() + "'");
        }
        int listIndex = topSectionIndex("nodelist");
        ConfItem.Section nodelist = (ConfItem.Section) tree.root().items().get(listIndex);
        List<ConfItem> items = new ArrayList<>(nodelist.items());
        items.removeIf(item -> item instanceof ConfItem.Section s && s.name().equals("node")
                && s.line() == node.line());
        return edited(replaceTop(listIndex, nodelist.withItems(items)));
    }

    /**
     * Puts a {@code quorum.device} block for a corosync-qnetd server in the {@code quorum}
     * section (replacing one that exists; a file without the section gets one), in pvecm's
     * layout: {@code model: net}, {@code net { algorithm, host, tls: on }}, then {@code votes}
     * when given (pvecm writes 1 for ffsplit and leaves it out for lms). A port other than
     * qnetd's default goes in as {@code net.port} (not a pvecm option). Leaves
     * {@code config_version} alone.
     */
    public CorosyncConf withQuorumDevice(String host, OptionalInt port, String algorithm, OptionalInt votes)
            throws CorosyncConfException {
        ConfSyntax.checkValue("host", host);
        List<ConfItem> net = new ArrayList<>(List.of(ConfItem.Entry.of("algorithm", algorithm),
                ConfItem.Entry.of("host", host)));
        port.ifPresent(p -> net.add(ConfItem.Entry.of("port", Integer.toString(p))));
        net.add(ConfItem.Entry.of("tls", "on"));
        List<ConfItem> device = new ArrayList<>(List.of(ConfItem.Entry.of("model", "net"), ConfItem.Section.of("net", net)));
        votes.ifPresent(v -> device.add(ConfItem.Entry.of("votes", Integer.toString(v))));
        List<ConfItem> quorumItems = new ArrayList<>(withoutDevice(quorumSection().items()));
        quorumItems.add(0, ConfItem.Section.of("device", device));
        return withQuorumItems(quorumItems);
    }

    /** Removes the {@code quorum.device} block (pvecm qdevice remove). Leaves {@code config_version} alone. */
    public CorosyncConf withoutQuorumDevice() throws CorosyncConfException {
        return withQuorumItems(withoutDevice(quorumSection().items()));
    }

    private static List<ConfItem> withoutDevice(List<ConfItem> items) {
        List<ConfItem> out = new ArrayList<>(items);
        out.removeIf(item -> item instanceof ConfItem.Section s && s.name().equals("device"));
        return out;
    }

    private ConfItem.Section quorumSection() {
        return tree.root().section("quorum").orElse(ConfItem.Section.of("quorum",
                List.of(ConfItem.Entry.of("provider", "corosync_votequorum"))));
    }

    private CorosyncConf withQuorumItems(List<ConfItem> items) throws CorosyncConfException {
        List<ConfItem> top = new ArrayList<>(tree.root().items());
        for (int i = 0; i < top.size(); i++) {
            if (top.get(i) instanceof ConfItem.Section s && s.name().equals("quorum")) {
                top.set(i, s.withItems(items));
                return edited(tree.withRoot(tree.root().withItems(top)));
            }
        }
        top.add(ConfItem.Section.of("quorum", items));
        return edited(tree.withRoot(tree.root().withItems(top)));
    }

    /**
     * Sets {@code totem.config_version}, changing only the number's bytes.
     *
     * @throws CorosyncConfException if the file has no config_version
     */
    public CorosyncConf withConfigVersion(long version) throws CorosyncConfException {
        if (version < 0) {
            throw new IllegalArgumentException("config_version must not be negative");
        }
        int totemIndex = topSectionIndex("totem");
        ConfItem.Section totemSection = (ConfItem.Section) tree.root().items().get(totemIndex);
        List<ConfItem> items = new ArrayList<>(totemSection.items());
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) instanceof ConfItem.Entry e && e.key().equals("config_version")) {
                items.set(i, e.withValue(Long.toString(version)));
                return edited(replaceTop(totemIndex, totemSection.withItems(items)));
            }
        }
        throw new CorosyncConfException("invalid corosync config: unable to read config version");
    }

    /**
     * {@code config_version + 1}, as pvecm's {@code atomic_write_conf} does before every write
     * (create, addnode, delnode, qdevice).
     *
     * @throws CorosyncConfException {@code invalid corosync config: unable to read config version}
     *                               (pvecm's wording) if the file has none
     */
    public CorosyncConf withConfigVersionBumped() throws CorosyncConfException {
        OptionalLong current = totem.configVersion();
        if (current.isEmpty()) {
            throw new CorosyncConfException("invalid corosync config: unable to read config version");
        }
        if (current.getAsLong() == Long.MAX_VALUE) {
            throw new CorosyncConfException(totem.line(), "totem.config_version cannot be increased any further");
        }
        return withConfigVersion(current.getAsLong() + 1);
    }

    /** Re-parses the edited text, so line numbers in later errors match what gets written. */
    private CorosyncConf edited(ConfTree editedTree) throws CorosyncConfException {
        return parse(editedTree.text());
    }

    private int topSectionIndex(String name) {
        List<ConfItem> items = tree.root().items();
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) instanceof ConfItem.Section s && s.name().equals(name)) {
                return i;
            }
        }
        // The reader guarantees totem and nodelist exist.
        throw new IllegalStateException("no section " + name);
    }

    private ConfTree replaceTop(int index, ConfItem.Section section) {
        List<ConfItem> items = new ArrayList<>(tree.root().items());
        items.set(index, section);
        return tree.withRoot(tree.root().withItems(items));
    }

    /** A node block laid out like an existing one (its indents), else with pvecm's 2-space indents. */
    private ConfItem.Section nodeBlock(NodeEntry node, ConfItem.Section sibling) {
        String nl = tree.newline();
        String blockIndent = ConfTreeWriter.indent(1);
        String keyIndent = ConfTreeWriter.indent(2);
        if (sibling != null && sibling.openRaw() != null) {
            blockIndent = Lines.leadingBlanks(sibling.openRaw());
            keyIndent = sibling.entries().stream().filter(e -> e.raw() != null).findFirst()
                    .map(e -> Lines.leadingBlanks(e.raw())).orElse(blockIndent + "  ");
        }
        List<ConfItem> entries = new ArrayList<>();
        entries.add(line(keyIndent, "name", node.name(), nl));
        entries.add(line(keyIndent, "nodeid", Long.toString(node.nodeid()), nl));
        entries.add(line(keyIndent, "quorum_votes", Integer.toString(node.quorumVotes()), nl));
        for (Map.Entry<Integer, String> ring : node.ringAddrs().entrySet()) {
            entries.add(line(keyIndent, "ring" + ring.getKey() + "_addr", ring.getValue(), nl));
        }
        return new ConfItem.Section("node", entries, 0, blockIndent + "node {" + nl, blockIndent + "}" + nl);
    }

    private static ConfItem.Entry line(String indent, String key, String value, String nl) {
        return new ConfItem.Entry(key, value, 0, indent + key + ": " + value + nl);
    }

    /** Equal when the texts are equal (the typed view follows from the text). */
    @Override
    public boolean equals(Object o) {
        return o instanceof CorosyncConf other && text().equals(other.text());
    }

    @Override
    public int hashCode() {
        return text().hashCode();
    }

    @Override
    public String toString() {
        return text();
    }
}
