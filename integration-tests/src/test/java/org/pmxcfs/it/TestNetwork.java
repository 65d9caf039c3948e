package org.pmxcfs.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network that exists only for one test: node k lives in its own network namespace with one
 * interface per link L, {@code ethL} at {@code 10.<213+L>.<subnet>.k/24}, plugged into link L's
 * bridge {@code brL}, which lives in a namespace of its own. Nothing here is reachable from, or routed to, the host's namespaces.
 * Faults are real: a port of the bridge taken down (a silent cut: no socket closed, packets
 * vanish), a queueing discipline that drops what a node sends, or a delay line
 * ({@code scripts/delayline}) that delays and loses the frames of one link of a node.
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
    /** The running delay lines by "k-link". */
    private final Map<String, Process> delayLines = new HashMap<>();

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

    /** Node k's bridge ports come back up, and what drops or delays its packets is removed. */
    void heal(int k) {
        for (int l = 0; l < links; l++) {
            stopDelay(k, l);
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

    /**
     * Node k's link {@code link} delays every frame by {@code delayMs} and loses {@code lossPercent} %
     * of them, both ways, as {@code netem delay D loss P} on both ends would (this kernel has no
     * netem): the node's bridge port leaves the bridge and {@code scripts/delayline} forwards
     * between it and a veth pair whose other end joins the bridge. {@link #heal} removes it.
     */
    void delay(int k, int link, int delayMs, int lossPercent) {
        stopDelay(k, link);
        String br = bridgeNs();
        ip("-n", br, "link", "set", port(k, link), "nomaster");
        ip("-n", br, "link", "add", delayPort(k, link, 'x'), "type", "veth", "peer", "name", delayPort(k, link, 'y'));
        ip("-n", br, "link", "set", delayPort(k, link, 'y'), "master", "br" + link);
        for (String dev : List.of(port(k, link), delayPort(k, link, 'x'), delayPort(k, link, 'y'))) {
            ip("-n", br, "link", "set", dev, "promisc", "on", "up");
        }
        String script = Path.of(System.getProperty("repo.root"), "scripts", "delayline").toAbsolutePath().normalize()
                .toString();
        try {
            Process p = new ProcessBuilder("nsenter", "--net=/run/netns/" + br, "--", script, port(k, link),
                    delayPort(k, link, 'x'), "--delay", Integer.toString(delayMs), "--loss",
                    Integer.toString(lossPercent)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            delayLines.put(k + "-" + link, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The round-trip time from node {@code from} to node {@code to} on {@code link}, in ms: the
     * shortest of five TCP connection attempts to a closed port (SYN out, RST back; a lost one
     * costs its attempt, not the figure), or -1 if none was answered within 1 s.
     */
    long rttMs(int from, int to, int link) {
        String probe = """
                import socket, sys, time
                best = -1
                for _ in range(5):
                    s = socket.socket()
                    s.settimeout(1)
                    t = time.monotonic()
                    try:
                        s.connect((sys.argv[1], 9))
                    except ConnectionRefusedError:
                        ms = (time.monotonic() - t) * 1000
                        best = ms if best < 0 else min(best, ms)
                    except OSError:
                        pass
                    s.close()
                print(int(best))
                """;
        return Long.parseLong(run(true, withNs(from, "python3", "-c", probe, address(to, link))).trim());
    }

    @Override
    public void close() {
        for (int k = 1; k <= size; k++) {
            for (int l = 0; l < links; l++) {
                stopDelay(k, l);
            }
        }
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

    /** The ends of the veth pair of a delay line: 'x' the delay line's, 'y' the bridge's. */
    private String delayPort(int k, int link, char end) {
        return tag + end + k + "l" + link;
    }

    /** Ends the delay line of node k's link, if any, and puts the node's port back in the bridge. */
    private void stopDelay(int k, int link) {
        Process p = delayLines.remove(k + "-" + link);
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        run(false, "ip", "-n", bridgeNs(), "link", "del", delayPort(k, link, 'x'));
        run(false, "ip", "-n", bridgeNs(), "link", "set", port(k, link), "promisc", "off", "master", "br" + link);
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

    /** Runs {@code cmd} (10 s at most); its output. */
    private static String run(boolean check, String... cmd) {
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
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
