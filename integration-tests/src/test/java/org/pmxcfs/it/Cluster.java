package org.pmxcfs.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A cluster of pmxcfs daemons on this machine, each a separate foreground JVM (so a test can
 * kill -9 and restart any one of them), laid out as {@code scripts/cluster} does: node k is
 * {@code node<k>} on 127.0.0.k, with {@code DIR/node<k>/{data,mnt,run,pid,log,corosync.conf}},
 * one {@code DIR/authkey} of 256 random bytes, all nodes on one {@code --cluster-port} (the
 * daemon's dcdb group uses it, its status group the next one).
 *
 * <p>Every wait is bounded. {@link #close()} SIGTERMs every daemon this fixture started, kills
 * the ones still alive after 10 s, and lazily unmounts every node's mount point; it never
 * touches a process it did not start.
 */
final class Cluster implements AutoCloseable {

    static final String MAIN = Daemon.MAIN;
    /** Status files at the root of the mount; they are per node, not replicated data. */
    static final Set<String> STATUS_FILES = Set.of(".version", ".members", ".vmlist", ".rrd", ".clusterlog", ".debug");

    final Path dir;
    final int port;
    final Path authKey;
    final List<Node> nodes = new ArrayList<>();
    private final String clusterName;
    /** Where the nodes live: their own namespaces of a {@link TestNetwork}, or null for 127.0.0.k. */
    private final TestNetwork net;

    /**
     * @param dir   the cluster's directory (created)
     * @param size  number of nodes in the nodelist
     * @param port  the group port on every node's address
     * @param totem extra lines for the totem section (e.g. "token: 10000"), may be empty
     */
    Cluster(Path dir, int size, int port, String... totem) {
        this(dir, size, port, null, totem);
    }

    /** As {@link #Cluster(Path, int, int, String...)}, node k in namespace k of {@code net} when not null. */
    Cluster(Path dir, int size, int port, TestNetwork net, String... totem) {
        this.net = net;
        this.dir = dir;
        this.port = port;
        this.clusterName = "it" + port;
        try {
            Files.createDirectories(dir);
            authKey = dir.resolve("authkey");
            writeKey(authKey);
            Files.writeString(dir.resolve("corosync.conf"), corosyncConf(size, 1, totem));
            for (int k = 1; k <= size; k++) {
                Node n = new Node(k);
                Files.createDirectories(n.base);
                Files.copy(dir.resolve("corosync.conf"), n.corosyncConf, StandardCopyOption.REPLACE_EXISTING);
                nodes.add(n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 256 random bytes, mode 0400, as {@code corosync-keygen} makes. */
    static void writeKey(Path file) throws IOException {
        byte[] key = new byte[256];
        new SecureRandom().nextBytes(key);
        Files.write(file, key);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
    }

    /** The corosync.conf {@code scripts/cluster} writes, with the given config_version and totem extras. */
    String corosyncConf(int size, int configVersion, String... totem) {
        StringBuilder sb = new StringBuilder();
        sb.append("logging {\n  debug: off\n  to_syslog: yes\n}\n\nnodelist {\n");
        for (int k = 1; k <= size; k++) {
            sb.append("  node {\n    name: node").append(k).append("\n    nodeid: ").append(k)
                    .append("\n    quorum_votes: 1\n");
            for (int l = 0; l < links(); l++) {
                sb.append("    ring").append(l).append("_addr: ").append(net != null ? net.address(k, l) : address(k))
                        .append('\n');
            }
            sb.append("  }\n");
        }
        sb.append("}\n\nquorum {\n  provider: corosync_votequorum\n}\n\ntotem {\n  cluster_name: ").append(clusterName)
                .append("\n  config_version: ").append(configVersion)
                .append('\n');
        for (int l = 0; l < links(); l++) {
            sb.append("  interface {\n    linknumber: ").append(l).append("\n  }\n");
        }
        sb.append("  ip_version: ipv4-6\n  link_mode: passive\n"
                        + "  secauth: on\n  token_coefficient: 125\n");
        for (String t : totem) {
            sb.append("  ").append(t).append('\n');
        }
        sb.append("  version: 2\n}\n");
        return sb.toString();
    }

    Node node(int k) {
        return nodes.get(k - 1);
    }

    /** Links per node: those of the network, 1 on loopback. */
    int links() {
        return net != null ? net.links() : 1;
    }

    /** Node k's ring0 address. */
    String address(int k) {
        return net != null ? net.address(k) : "127.0.0." + k;
    }

    /**
     * Starts node1, then (once it is mounted, i.e. has formed its groups) every other node in
     * parallel; waits until all are mounted and quorate. Starting all at once is slower: JGroups
     * members that find no coordinator retry their join and form singletons that merge later
     * (about 14 s to quorate instead of about 8 s here).
     */
    Cluster startAll() {
        long t0 = System.nanoTime();
        nodes.get(0).start();
        nodes.stream().skip(1).forEach(Node::launch);
        nodes.stream().skip(1).forEach(Node::awaitMounted);
        long mounted = (System.nanoTime() - t0) / 1_000_000;
        awaitQuorate(nodes, 60_000);
        System.out.printf("[cluster-timing] %d nodes started: mounted after %d ms, quorate after %d ms%n", nodes.size(),
                mounted, (System.nanoTime() - t0) / 1_000_000);
        return this;
    }

    /** Waits until every given node reports "quorate": 1 with all of {@code nodes} online; returns ms waited. */
    long awaitQuorate(Collection<Node> which, long timeoutMs) {
        Set<Integer> ids = which.stream().map(n -> n.id).collect(Collectors.toCollection(TreeSet::new));
        return await("nodes " + ids + " quorate and seeing each other online", timeoutMs,
                () -> which.stream().allMatch(n -> n.quorate() && n.onlineIds().containsAll(ids)));
    }

    /** Node k loses its network silently (its bridge port goes down), as with a pulled cable. */
    void cut(int k) {
        network().cut(k);
    }

    /** Node k loses one of its links, silently. */
    void cut(int k, int link) {
        network().cut(k, link);
    }

    /** Every node's network is back. */
    void heal() {
        for (Node n : nodes) {
            network().heal(n.id);
        }
    }

    private TestNetwork network() {
        if (net == null) {
            throw new IllegalStateException("network faults need a cluster in a TestNetwork");
        }
        return net;
    }

    /** The replicated tree as seen through each given running node's mount; see {@link #treeDigest}. */
    Map<Integer, Map<String, String>> trees(Collection<Node> which) {
        Map<Integer, Map<String, String>> out = new TreeMap<>();
        for (Node n : which) {
            out.put(n.id, treeDigest(n.mnt));
        }
        return out;
    }

    /** Waits until every given node shows the same tree; returns it. */
    Map<String, String> awaitIdenticalTrees(Collection<Node> which, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Map<Integer, Map<String, String>> last;
        while (true) {
            try {
                last = trees(which);
                if (last.values().stream().distinct().count() == 1) {
                    return last.values().iterator().next();
                }
            } catch (UncheckedIOException e) {
                last = Map.of(-1, Map.of("error", e.toString()));
            }
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("trees differ after " + timeoutMs + " ms:\n" + describeDifference(last));
            }
            Daemon.sleep(100);
        }
    }

    static String describeDifference(Map<Integer, Map<String, String>> trees) {
        StringBuilder sb = new StringBuilder();
        Set<String> paths = new TreeSet<>();
        trees.values().forEach(t -> paths.addAll(t.keySet()));
        int shown = 0;
        for (String p : paths) {
            Set<String> vals = new TreeSet<>();
            trees.values().forEach(t -> vals.add(String.valueOf(t.get(p))));
            if (vals.size() > 1 && shown++ < 30) {
                sb.append("  ").append(p).append(':');
                trees.forEach((id, t) -> sb.append(" node").append(id).append('=').append(t.get(p)));
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Every directory and file below {@code mnt} (status files and the per-node symlinks left
     * out) → "d mtime" or "f mtime size sha256". Throws if the mount is not readable.
     */
    static Map<String, String> treeDigest(Path mnt) {
        Map<String, String> out = new TreeMap<>();
        walk(mnt, mnt, out);
        return out;
    }

    private static void walk(Path root, Path dir, Map<String, String> out) {
        List<Path> children;
        try (Stream<Path> s = Files.list(dir)) {
            children = s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path c : children) {
            String rel = root.relativize(c).toString();
            if (dir.equals(root) && STATUS_FILES.contains(rel)) {
                continue;
            }
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(c, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (a.isSymbolicLink()) {
                continue;
            }
            long mtime = a.lastModifiedTime().to(TimeUnit.SECONDS);
            if (a.isDirectory()) {
                out.put(rel + "/", "d " + mtime);
                walk(root, c, out);
            } else {
                byte[] data;
                try {
                    data = Files.readAllBytes(c);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                out.put(rel, "f " + mtime + " " + data.length + " " + sha256(data));
            }
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits (polling every 50 ms) until {@code cond} holds; returns the ms waited, or fails naming {@code what}. */
    static long await(String what, long timeoutMs, BooleanSupplier cond) {
        long t0 = System.nanoTime();
        if (!Daemon.poll(timeoutMs, 50, cond)) {
            throw new AssertionError("timed out after " + timeoutMs + " ms waiting for: " + what);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }


    /** A file's content, "" if missing. */
    static String read(Path p) {
        return Daemon.read(p);
    }

    /** Every node's captured output, for failure reports. */
    String allOutput() {
        StringBuilder sb = new StringBuilder();
        for (Node n : nodes) {
            sb.append("==== node").append(n.id).append(" (").append(n.log).append(")\n").append(Daemon.read(n.log));
        }
        return sb.toString();
    }

    /** SIGTERM to all at once, then up to 10 s each, kill -9 for the rest, umount -l of every mount. */
    @Override
    public void close() {
        long t0 = System.nanoTime();
        for (Node n : nodes) {
            n.signalTerm();
        }
        for (Node n : nodes) {
            n.reap();
        }
        for (Node n : nodes) {
            n.unmountLazy();
        }
        System.out.printf("[cluster-timing] cluster stopped in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    /** One daemon: node k of the cluster. */
    final class Node extends DaemonNode<Node> {
        final int id;
        final Path data;
        final Path run;
        final Path corosyncConf;
        Path key;

        Node(int id) {
            super("node" + id, dir.resolve("node" + id));
            this.id = id;
            this.data = base.resolve("data");
            this.run = base.resolve("run");
            this.corosyncConf = base.resolve("corosync.conf");
            this.key = authKey;
        }

        Path db() {
            return data.resolve("config.db");
        }

        @Override
        List<String> command(String... extra) {
            List<String> cmd = new ArrayList<>(net != null ? net.enter(id) : List.of());
            cmd.addAll(java(MAIN));
            cmd.add("-f");
            cmd.addAll(List.of("--nodename", name, "--mountpoint", mnt.toString(), "--data-dir", data.toString(),
                    "--run-dir", run.toString(), "--pid-file", pidFile.toString(), "--corosync-conf",
                    corosyncConf.toString(), "--authkey", key.toString(), "--cluster-port", Integer.toString(port)));
            cmd.addAll(List.of(extra));
            return cmd;
        }

        @Override
        Path workDir() {
            return dir;
        }

        /** Runs {@code pvecm --run-dir <this node's run dir> args...}; its standard output. */
        String pvecm(String... args) {
            PvecmNodes.Result r = PvecmNodes.runPvecm(run, dir, null, p -> { }, args);
            if (r.exit() != 0) {
                throw new AssertionError("pvecm " + List.of(args) + " on " + name + ": " + r);
            }
            return r.out();
        }

        /** The parsed .members, or null if it cannot be read (dead mount, not running). */
        Map<?, ?> members() {
            try {
                return (Map<?, ?>) Json.parse(Files.readString(mnt.resolve(".members"), StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        /** "quorate": 1 in .members. */
        boolean quorate() {
            return quorateValue() == 1;
        }

        /** The "quorate" value of .members, or -1 if unreadable. */
        int quorateValue() {
            Map<?, ?> m = members();
            if (m == null || !(m.get("cluster") instanceof Map<?, ?> c) || !(c.get("quorate") instanceof Number q)) {
                return -1;
            }
            return q.intValue();
        }

        /** Node ids listed "online": 1 in .members (empty if unreadable). */
        Set<Integer> onlineIds() {
            Set<Integer> out = new TreeSet<>();
            Map<?, ?> m = members();
            if (m == null || !(m.get("nodelist") instanceof Map<?, ?> list)) {
                return out;
            }
            for (Object v : list.values()) {
                Map<?, ?> e = (Map<?, ?>) v;
                if (((Number) e.get("online")).intValue() == 1) {
                    out.add(((Number) e.get("id")).intValue());
                }
            }
            return out;
        }
    }
}
