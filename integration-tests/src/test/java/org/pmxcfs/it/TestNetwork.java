package org.pmxcfs.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network that exists only for one test: node k lives in its own network namespace with one
 * interface per link L, {@code ethL} at {@code 10.<213+L>.<subnet>.k/24}, plugged into link L's
 * bridge {@code brL}, which lives in a namespace of its own. Nothing here is reachable from, or routed to, the host's namespaces.
 * Faults are real: a port of the bridge taken down (a silent cut: no socket closed, packets
 * vanish) or a queueing discipline that drops what a node sends.
 *
 * <p>Daemons join a node's namespace with {@code nsenter --net} only, so their FUSE mounts stay
 * in the test's mount namespace. {@link #close()} deletes every namespace it created.
 */
final class TestNetwork implements AutoCloseable {

    private final String tag;
    private final int subnet;
    private final int size;
    private final int links;
    private final List<String> created = new ArrayList<>();

    TestNetwork(int size) {
        this(size, 1);
    }

    /** {@code size} nodes, each on {@code links} links (corosync's ring0..ringN-1). */
    TestNetwork(int size, int links) {
        this.size = size;
        this.links = links;
        this.tag = "pmx" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
        this.subnet = 1 + ThreadLocalRandom.current().nextInt(250);
        try {
            String br = bridgeNs();
            ip("netns", "add", br);
            created.add(br);
            for (int l = 0; l < links; l++) {
                ip("-n", br, "link", "add", "br" + l, "type", "bridge");
                ip("-n", br, "link", "set", "br" + l, "up");
            }
            for (int k = 1; k <= size; k++) {
                String ns = ns(k);
                ip("netns", "add", ns);
                created.add(ns);
                ip("-n", ns, "link", "set", "lo", "up");
                for (int l = 0; l < links; l++) {
                    String dev = "eth" + l;
                    ip("-n", ns, "link", "add", dev, "type", "veth", "peer", "name", port(k, l), "netns", br);
                    ip("-n", ns, "addr", "add", address(k, l) + "/24", "dev", dev);
                    ip("-n", ns, "link", "set", dev, "up");
                    ip("-n", br, "link", "set", port(k, l), "master", "br" + l);
                    ip("-n", br, "link", "set", port(k, l), "up");
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    String address(int k) {
        return address(k, 0);
    }

    /** Node k's address on link {@code link}. */
    String address(int k, int link) {
        return "10." + (213 + link) + "." + subnet + "." + k;
    }

    int links() {
        return links;
    }

    /** The prefix that runs a command in node k's network namespace (and nowhere else). */
    List<String> enter(int k) {
        return List.of("nsenter", "--net=/run/netns/" + ns(k), "--");
    }

    /** Node k's bridge ports go down: from now on node k neither sends nor receives, silently. */
    void cut(int k) {
        for (int l = 0; l < links; l++) {
            cut(k, l);
        }
    }

    /** Node k loses link {@code link} only. */
    void cut(int k, int link) {
        ip("-n", bridgeNs(), "link", "set", port(k, link), "down");
    }

    /** Node k's bridge ports come back up, and what drops its packets is removed. */
    void heal(int k) {
        for (int l = 0; l < links; l++) {
            ip("-n", bridgeNs(), "link", "set", port(k, l), "up");
        }
        run(false, "tc", "-n", ns(k), "qdisc", "del", "dev", "eth0", "root");
        run(false, withNs(k, "nft", "delete", "table", "inet", "pmxloss"));
    }

    /**
     * The nodes of {@code a} and those of {@code b} stop hearing each other on every link, while
     * both keep reaching everyone else: each side's neighbour entry for the other side's addresses
     * points at a MAC address nobody has, so those packets vanish silently (sends succeed, as
     * with a cut cable; this kernel has no qdisc that filters by destination).
     */
    void split(java.util.Collection<Integer> a, java.util.Collection<Integer> b) {
        for (int x : a) {
            for (int y : b) {
                for (int l = 0; l < links; l++) {
                    ip("-n", ns(x), "neigh", "replace", address(y, l), "lladdr", "02:00:00:00:00:01", "dev", "eth" + l,
                            "nud", "permanent");
                    ip("-n", ns(y), "neigh", "replace", address(x, l), "lladdr", "02:00:00:00:00:01", "dev", "eth" + l,
                            "nud", "permanent");
                }
            }
        }
    }

    /** Undoes {@link #split}: the neighbour entries are learnt again. */
    void unsplit(java.util.Collection<Integer> a, java.util.Collection<Integer> b) {
        for (int x : a) {
            for (int y : b) {
                for (int l = 0; l < links; l++) {
                    run(false, "ip", "-n", ns(x), "neigh", "del", address(y, l), "dev", "eth" + l);
                    run(false, "ip", "-n", ns(y), "neigh", "del", address(x, l), "dev", "eth" + l);
                }
            }
        }
    }

    /**
     * Everything node k sends is dropped; it still receives. A token bucket whose bucket is
     * smaller than any packet drops every packet (netem is not in every kernel; tbf is).
     */
    void dropOutgoing(int k) {
        run(true, "tc", "-n", ns(k), "qdisc", "add", "dev", "eth0", "root", "tbf", "rate", "8kbit", "burst", "16",
                "limit", "16");
    }

    /**
     * Node k drops {@code percent} % of the datagrams it sends, at random (nftables' numgen in its
     * namespace: netem is not in every kernel, nf_tables is). {@link #heal} removes it.
     */
    void loseOutgoing(int k, int percent) {
        run(true, withNs(k, "nft", "add table inet pmxloss; add chain inet pmxloss out { type filter hook output"
                + " priority 0; }; add rule inet pmxloss out meta l4proto udp numgen random mod 100 < " + percent
                + " drop"));
    }

    @Override
    public void close() {
        for (int i = created.size() - 1; i >= 0; i--) {
            run(false, "ip", "netns", "del", created.get(i));
        }
        created.clear();
    }

    private String ns(int k) {
        return tag + "-n" + k;
    }

    private String bridgeNs() {
        return tag + "-br";
    }

    private String port(int k, int link) {
        return tag + "v" + k + "l" + link;
    }

    /** {@code cmd} run in node k's namespace. */
    private String[] withNs(int k, String... cmd) {
        List<String> all = new ArrayList<>(enter(k));
        all.addAll(List.of(cmd));
        return all.toArray(new String[0]);
    }

    private static void ip(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        run(true, cmd);
    }

    private static void run(boolean check, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + ": timed out");
            }
            if (check && p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
