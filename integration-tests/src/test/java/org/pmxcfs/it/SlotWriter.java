package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes slot files {@code w<k>/<seq % 50>.cfg} on one node every 10 ms and records every attempt,
 * for the tests that break the network under a cluster that keeps writing.
 */
final class SlotWriter extends Thread {

    /** One attempt: open(O_TRUNC) + write 64 B + close of a slot, its times and result. */
    record Attempt(int slot, String content, long start, long end, int rc) {}

    private static final int SLOTS = 50;
    private final Cluster.Node node;
    private final List<Attempt> attempts = new ArrayList<>();
    private volatile boolean running = true;

    SlotWriter(Cluster.Node node) {
        super("writer-" + node.id);
        this.node = node;
        setDaemon(true);
    }

    @Override
    public void run() {
        // bounded: stops when told, or after two minutes at the latest
        long deadline = System.nanoTime() + 120_000_000_000L;
        for (int seq = 0; running && System.nanoTime() < deadline; seq++) {
            int slot = seq % SLOTS;
            String content = String.format("node%d seq %08d %s%n", node.id, seq, "x".repeat(36));
            long t0 = System.nanoTime();
            int rc = ClusterFs.tryPut(node.path("w" + node.id + "/" + slot + ".cfg"), content);
            long t1 = System.nanoTime();
            synchronized (attempts) {
                attempts.add(new Attempt(slot, content, t0, t1, rc));
            }
            Daemon.sleep(10);
        }
    }

    void finish() {
        running = false;
        try {
            join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<Attempt> attempts() {
        synchronized (attempts) {
            return List.copyOf(attempts);
        }
    }

    /** The longest time within [from, to] in which no write of this node completed successfully. */
    long longestGapMs(long from, long to) {
        long last = from;
        long worst = 0;
        for (Attempt a : attempts()) {
            if (a.rc == 0 && a.end > from && a.end <= to) {
                worst = Math.max(worst, a.end - last);
                last = a.end;
            }
        }
        worst = Math.max(worst, to - last);
        return worst / 1_000_000;
    }

    /** How many attempts started in [from, to] succeeded. */
    long succeededBetween(long from, long to) {
        return attempts().stream().filter(a -> a.start >= from && a.start <= to && a.rc == 0).count();
    }

    int nodeId() {
        return node.id;
    }

    /** The attempts started in [from, to] that failed. */
    List<Attempt> failuresBetween(long from, long to) {
        return attempts().stream().filter(a -> a.start >= from && a.start <= to && a.rc != 0).toList();
    }

    /** ms from {@code t} until the first attempt started after {@code t} ended with {@code rc}; -1 if none. */
    long firstResultAfterMs(long t, int rc) {
        for (Attempt a : attempts()) {
            if (a.start >= t && a.rc == rc) {
                return (a.end - t) / 1_000_000;
            }
        }
        return -1;
    }

    /**
     * Every slot holds its last acknowledged write, or what a later attempt that failed may
     * have left (a failed write may or may not have been applied, and its truncate may have).
     */
    void assertNothingAcknowledgedLost(Cluster.Node on) throws Exception {
        Map<Integer, Set<String>> allowed = new HashMap<>();
        for (Attempt a : attempts()) {
            if (a.rc == 0) {
                allowed.put(a.slot, new HashSet<>(Set.of(a.content)));
            } else {
                Set<String> s = allowed.computeIfAbsent(a.slot, k -> new HashSet<>(Set.of("")));
                s.add(a.content);
                s.add("");
            }
        }
        long acked = attempts().stream().filter(a -> a.rc == 0).count();
        assertTrue(acked > 100, node + " had only " + acked + " acknowledged writes");
        for (Map.Entry<Integer, Set<String>> e : allowed.entrySet()) {
            Path p = on.path("w" + node.id + "/" + e.getKey() + ".cfg");
            String have = Files.exists(p) ? Files.readString(p) : "";
            assertTrue(e.getValue().contains(have), p + " holds '" + have.trim() + "', expected one of "
                    + e.getValue().stream().map(String::trim).toList());
        }
        assertEquals(SLOTS, Math.min(SLOTS, allowed.size()));
    }

    /** A writer on every node of {@code c}, started. */
    static List<SlotWriter> startAll(Cluster c) throws Exception {
        List<SlotWriter> writers = new ArrayList<>();
        for (Cluster.Node n : c.nodes) {
            Files.createDirectories(n.path("w" + n.id));
            writers.add(new SlotWriter(n));
        }
        writers.forEach(Thread::start);
        return writers;
    }

    /** The trees end identical and every slot of every writer holds its last acknowledged write. */
    static void assertConverged(Cluster c, List<SlotWriter> writers) throws Exception {
        Map<String, String> tree = c.awaitIdenticalTrees(c.nodes, 20_000);
        for (SlotWriter w : writers) {
            w.assertNothingAcknowledgedLost(c.node(1));
        }
        assertTrue(tree.size() > 3, "the tree holds the writers' files");
    }
}
