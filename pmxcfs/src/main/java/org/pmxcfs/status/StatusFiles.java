package org.pmxcfs.status;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.pmxcfs.dbstore.VmList;

/**
 * Renders the virtual status files of the mount root ({@code .version}, {@code .members},
 * {@code .vmlist}, {@code .clusterlog}, {@code .rrd}, {@code .debug}) byte for byte as the
 * original prints them (reference §2.2), except that {@code .clusterlog} is always valid JSON.
 *
 * <p>Each call renders a fresh snapshot from the suppliers; the caller (the FUSE plug) keeps the
 * bytes of one getattr for the following reads. The original's JSON is hand-printed with odd
 * whitespace; Perl clients parse it as JSON, but the layout is kept for byte-exact compatibility.
 */
public final class StatusFiles {

    /**
     * The status file names, as they appear in the mount root, in the original's plug order
     * (a fixed iteration order, unlike {@code Set.of}, so listings are reproducible).
     */
    public static final Set<String> NAMES = Collections.unmodifiableSet(new LinkedHashSet<>(
            List.of(".version", ".members", ".vmlist", ".rrd", ".clusterlog", ".debug")));

    private final String nodename;
    private final long starttime;
    private final Supplier<VmList> vmList;
    private final VersionCounters counters;
    private final ClusterLog clusterLog;
    private final BooleanSupplier debugEnabled;
    private final Supplier<ClusterMembers> members;
    private final Supplier<Map<String, Map<String, Long>>> kvVersions;
    private final Supplier<String> rrd;

    /** Local mode: no cluster members, no kv data, empty {@code .rrd}. */
    public StatusFiles(String nodename, long starttime, Supplier<VmList> vmList, VersionCounters counters,
            ClusterLog clusterLog, BooleanSupplier debugEnabled) {
        this(nodename, starttime, vmList, counters, clusterLog, debugEnabled, () -> null, Map::of, () -> "");
    }

    /**
     * With the cluster-mode sources.
     *
     * @param members    the corosync view, or a supplier returning null while there is none (then
     *                   {@code .members} has the local form)
     * @param kvVersions node name → (kv key → version) for {@code .version}; map iteration order
     *                   is taken as insertion order. The local node's block is always printed
     *                   first, empty if absent.
     * @param rrd        the {@code .rrd} text (lines {@code key:data\n})
     */
    public StatusFiles(String nodename, long starttime, Supplier<VmList> vmList, VersionCounters counters,
            ClusterLog clusterLog, BooleanSupplier debugEnabled, Supplier<ClusterMembers> members,
            Supplier<Map<String, Map<String, Long>>> kvVersions, Supplier<String> rrd) {
        this.nodename = Objects.requireNonNull(nodename, "nodename");
        this.starttime = starttime;
        this.vmList = Objects.requireNonNull(vmList, "vmList");
        this.counters = Objects.requireNonNull(counters, "counters");
        this.clusterLog = Objects.requireNonNull(clusterLog, "clusterLog");
        this.debugEnabled = Objects.requireNonNull(debugEnabled, "debugEnabled");
        this.members = Objects.requireNonNull(members, "members");
        this.kvVersions = Objects.requireNonNull(kvVersions, "kvVersions");
        this.rrd = Objects.requireNonNull(rrd, "rrd");
    }

    /** Whether {@code name} (optionally with leading {@code /}) is one of the status files. */
    public static boolean isStatusFile(String name) {
        return name != null && NAMES.contains(stripSlashes(name));
    }

    /**
     * The current content of a status file.
     *
     * @throws IllegalArgumentException if {@code name} is not a status file
     */
    public byte[] render(String name) {
        String n = name == null ? "" : stripSlashes(name);
        return switch (n) {
            case ".version" -> bytes(version());
            case ".members" -> bytes(members());
            case ".vmlist" -> bytes(vmlist());
            case ".clusterlog" -> renderClusterLog(ClusterLog.DEFAULT_MAX_ENTRIES, null);
            case ".rrd" -> bytes(Objects.requireNonNullElse(rrd.get(), ""));
            case ".debug" -> bytes(debugEnabled.getAsBoolean() ? "1\n" : "0\n");
            default -> throw new IllegalArgumentException("not a status file: " + name);
        };
    }

    /**
     * The cluster log as JSON: up to {@code max} entries, newest first, optionally only those of
     * ident {@code user} (IPC GET_CLUSTER_LOG; {@code .clusterlog} is 50 entries, no filter).
     */
    public byte[] renderClusterLog(int max, String user) {
        List<ClusterLogEntry> entries = clusterLog.newest(max, user);
        StringBuilder sb = new StringBuilder(64 + entries.size() * 200);
        sb.append("{\n\"data\": [\n");
        for (int i = 0; i < entries.size(); i++) {
            ClusterLogEntry e = entries.get(i);
            if (i > 0) {
                sb.append(",\n");
            }
            sb.append("{\"uid\": ").append(e.uid())
                    .append(", \"time\": ").append(e.time())
                    .append(", \"pri\": ").append(e.pri())
                    .append(", \"tag\": ");
            JsonText.appendQuoted(sb, e.tag());
            sb.append(", \"pid\": ").append(e.pid()).append(", \"node\": ");
            JsonText.appendQuoted(sb, e.node());
            sb.append(", \"user\": ");
            JsonText.appendQuoted(sb, e.user());
            sb.append(", \"msg\": \"");
            JsonText.appendWireMessage(sb, e.msg());
            sb.append("\"}");
        }
        if (!entries.isEmpty()) {
            sb.append('\n');
        }
        sb.append("]\n}\n");
        return bytes(sb.toString());
    }

    private String version() {
        StringBuilder sb = new StringBuilder(1200);
        sb.append("{\n");
        sb.append("\"starttime\": ").append(starttime).append(",\n");
        sb.append("\"clinfo\": ").append(counters.clinfo()).append(",\n");
        sb.append("\"vmlist\": ").append(vmList.get().version()).append(",\n");
        long[] values = counters.snapshot();
        for (int i = 0; i < values.length; i++) {
            JsonText.appendQuoted(sb, VersionCounters.TRACKED_PATHS.get(i));
            sb.append(": ").append(values[i]).append(",\n");
        }
        sb.append("\"kvstore\": {\n");
        Map<String, Map<String, Long>> kv = Objects.requireNonNullElse(kvVersions.get(), Map.of());
        appendKvBlock(sb, nodename, kv.getOrDefault(nodename, Map.of()));
        for (String node : remoteKvNodes(kv)) {
            sb.append(",\n");
            appendKvBlock(sb, node, kv.get(node));
        }
        sb.append("}\n");
        sb.append("}\n");
        return sb.toString();
    }

    /**
     * The other nodes whose kv block follows the local one. The original walks its node table
     * (node id hash order) and skips nodes without kv data; without a node table, map order.
     */
    private List<String> remoteKvNodes(Map<String, Map<String, Long>> kv) {
        ClusterMembers cm = members.get();
        List<String> out = new ArrayList<>();
        if (cm != null && !cm.nodes().isEmpty()) {
            for (ClusterMembers.Node n : GHashOrder.order(cm.nodes(), n -> GHashOrder.intHash(n.id()))) {
                if (!n.name().equals(nodename) && kv.containsKey(n.name())) {
                    out.add(n.name());
                }
            }
        } else {
            for (String node : kv.keySet()) {
                if (!node.equals(nodename)) {
                    out.add(node);
                }
            }
        }
        return out;
    }

    /** {@code "node": {⏎} entries joined by {@code ,⏎}, then {@code }⏎}. */
    private static void appendKvBlock(StringBuilder sb, String node, Map<String, Long> versions) {
        JsonText.appendQuoted(sb, node);
        sb.append(": {\n");
        List<String> keys = GHashOrder.order(new ArrayList<>(versions.keySet()), GHashOrder::strHash);
        for (int i = 0; i < keys.size(); i++) {
            if (i > 0) {
                sb.append(",\n");
            }
            JsonText.appendQuoted(sb, keys.get(i));
            sb.append(": ").append(versions.get(keys.get(i)));
        }
        sb.append("}\n");
    }

    private String members() {
        ClusterMembers cm = members.get();
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\n\"nodename\": ");
        JsonText.appendQuoted(sb, nodename);
        sb.append(",\n");
        // The original prints the clustered form only while its node table is non-empty.
        if (cm == null || cm.nodes().isEmpty()) {
            sb.append("\"version\": ").append(counters.clinfo()).append('\n');
        } else {
            sb.append("\"version\": ").append(counters.clinfo()).append(",\n");
            sb.append("\"cluster\": { \"name\": ");
            JsonText.appendQuoted(sb, cm.clusterName());
            sb.append(", \"version\": ").append(cm.configVersion())
                    .append(", \"nodes\": ").append(cm.nodes().size())
                    .append(", \"quorate\": ").append(cm.quorate() ? 1 : 0)
                    .append(" },\n");
            sb.append("\"nodelist\": {\n");
            List<ClusterMembers.Node> nodes = GHashOrder.order(cm.nodes(), n -> GHashOrder.intHash(n.id()));
            for (int i = 0; i < nodes.size(); i++) {
                ClusterMembers.Node n = nodes.get(i);
                if (i > 0) {
                    sb.append(",\n");
                }
                sb.append("  ");
                JsonText.appendQuoted(sb, n.name());
                sb.append(": { \"id\": ").append(n.id()).append(", \"online\": ").append(n.online() ? 1 : 0);
                if (n.ip() != null) {
                    sb.append(", \"ip\": ");
                    JsonText.appendQuoted(sb, n.ip());
                }
                sb.append('}');
            }
            sb.append("\n  }\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    private String vmlist() {
        VmList vl = vmList.get();
        StringBuilder sb = new StringBuilder(64 + vl.vms().size() * 64);
        sb.append("{\n");
        if (vl.vms().isEmpty()) {
            sb.append("\"version\": ").append(vl.version()).append('\n');
        } else {
            sb.append("\"version\": ").append(vl.version()).append(",\n");
            sb.append("\"ids\": {\n");
            // The per-VM version grows with every (re)registration, so it approximates the order
            // the original inserted the VMIDs into its hash table.
            List<VmList.VmInfo> byInsertion = new ArrayList<>(vl.vms().values());
            byInsertion.sort(Comparator.comparingLong(VmList.VmInfo::version).thenComparingLong(VmList.VmInfo::vmid));
            List<VmList.VmInfo> ordered = GHashOrder.order(byInsertion, vm -> GHashOrder.intHash(vm.vmid()));
            for (int i = 0; i < ordered.size(); i++) {
                VmList.VmInfo vm = ordered.get(i);
                if (i > 0) {
                    sb.append(",\n");
                }
                sb.append('"').append(vm.vmid()).append("\": { \"node\": ");
                JsonText.appendQuoted(sb, vm.node());
                sb.append(", \"type\": ");
                JsonText.appendQuoted(sb, vm.type());
                sb.append(", \"version\": ").append(vm.version()).append(" }");
            }
            sb.append("}\n");
        }
        sb.append("\n}\n");
        return sb.toString();
    }

    private static String stripSlashes(String name) {
        int i = 0;
        while (i < name.length() && name.charAt(i) == '/') {
            i++;
        }
        return name.substring(i);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
