package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.ObjIntConsumer;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.Test;

/**
 * A node vanishes without a word (its network port goes down, or everything it sends is lost;
 * no socket is closed) while every node writes all the time, as a cluster in production does.
 * The majority must keep writing, the lost node must go read-only, and after the heal it must
 * come back writable with nothing acknowledged lost and identical trees. The nodes live in
 * network namespaces of their own ({@link TestNetwork}); the faults are real.
 *
 * <p>The targets (issue 16; the original pmxcfs + corosync needed 8.1 s for the first two):
 * the majority never goes more than 2 s without completing a write, the cut node is read-only
 * within 3 s, and writable within 3 s after the heal, the majority stalling less than 1 s then.
 * The assertions leave room for a loaded CI machine (before the datagram transport the
 * majority wrote nothing for as long as the cut lasted); the figures are printed
 * ({@code [cluster-timing]}) and docs/BENCHMARKS.md has them.
 */
class ClusterSilentCutTest extends ClusterTestBase {

    private static final int EACCES = Errno.EACCES.intValue();
    private static final long CUT_MS = 10_000;
    private static final long AFTER_HEAL_MS = 6_000;

    @Override
    int classIndex() {
        return 9;
    }

    @Test
    void aMemberCutOffSilentlyLeavesTheMajorityWriting() throws Exception {
        scenario("link down of node3 (a member)", 3, TestNetwork::cut);
    }

    @Test
    void theSequencerCutOffSilentlyLeavesTheMajorityWriting() throws Exception {
        // node1 formed the group and is its coordinator, i.e. the sequencer of the total order
        scenario("link down of node1 (the sequencer)", 1, TestNetwork::cut);
    }

    @Test
    void aNodeWhoseSendsAreLostGoesReadOnlyAndTheMajorityKeepsWriting() throws Exception {
        scenario("everything node3 sends is lost", 3, TestNetwork::dropOutgoing);
    }

    /**
     * Two links (corosync's ring0 and ring1): losing link 0 of one node is no membership change,
     * every node keeps writing after at most a short stall while traffic moves to link 1, and the
     * log says which link of which host went down and came back; a flapping link 0 loses
     * nothing; losing both links is a partition.
     */
    @Test
    void losingOneOfTwoLinksChangesNothingLosingBothIsAPartition() throws Exception {
        TestNetwork net = network(3, 2);
        Cluster c = cluster(3, net).startAll();
        List<SlotWriter> writers = SlotWriter.startAll(c);
        try {
            Cluster.await("link pings on both links", 10_000,
                    () -> c.node(1).output().contains("link: host: 2 link: 1 is up"));
            Daemon.sleep(1_000);
            List<Long> viewsBefore = c.nodes.stream().map(Cluster.Node::membershipChanges).toList();
            long cutAt = System.nanoTime();
            c.cut(2, 0);
            Daemon.sleep(3_000);
            String links = c.node(1).pvecm("links");
            System.out.print("[cluster-timing] pvecm links on node1 with link 0 of node2 cut:\n" + links);
            assertTrue(links.contains("nodeid: 2 reachable\n   LINK: 0 udp (" + net.address(1, 0) + "->"
                    + net.address(2, 0) + ") enabled disconnected\n   LINK: 1 udp (" + net.address(1, 1) + "->"
                    + net.address(2, 1) + ") enabled connected\n"), links);
            assertTrue(links.contains("nodeid: 3 reachable\n   LINK: 0 udp (" + net.address(1, 0) + "->"
                    + net.address(3, 0) + ") enabled connected\n"), links);
            Daemon.sleep(3_000);
            long healAt = System.nanoTime();
            net.heal(2);
            Cluster.await("link 0 of node2 up again on node1", 10_000,
                    () -> c.node(1).output().lastIndexOf("link: host: 2 link: 0 is up")
                            > c.node(1).output().lastIndexOf("link: host: 2 link: 0 is down"));
            long worst = writers.stream().mapToLong(w -> w.longestGapMs(cutAt, healAt)).max().orElseThrow();
            timing("one link of two cut on node2: longest time a node completed no write", worst);
            assertTrue(c.node(1).output().contains("link: host: 2 link: 0 is down"), "node1 logs the lost link");
            assertEquals(viewsBefore, c.nodes.stream().map(Cluster.Node::membershipChanges).toList(),
                    "no membership change while one link was left");
            assertTrue(worst < 2_000, "a node went " + worst + " ms without a write while one link was left");
            for (SlotWriter w : writers) {
                assertEquals(List.of(), w.failuresBetween(cutAt, healAt), "failed writes while one link was left");
            }

            // a flapping link: down and up every 0.6-1 s, five times
            long flapAt = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                c.cut(2, 0);
                Daemon.sleep(600 + 100 * i);
                net.heal(2);
                Daemon.sleep(600 + 100 * i);
            }
            long flapEnd = System.nanoTime();
            long flapWorst = writers.stream().mapToLong(w -> w.longestGapMs(flapAt, flapEnd)).max().orElseThrow();
            timing("link 0 of node2 flapping 5 times: longest time a node completed no write", flapWorst);
            // usually no membership change either, but not always (seen once in CI: a view change
            // and a merge); what must hold is that writes go on and nothing acknowledged is lost
            System.out.println("[cluster-timing] membership changes while link 0 flapped: "
                    + c.nodes.stream().map(Cluster.Node::membershipChanges).toList() + " lines, before " + viewsBefore);
            assertTrue(flapWorst < 5_000, "a node went " + flapWorst + " ms without a write while link 0 flapped");

            // flapping faster than three pings in a row (pings every heartbeat/2, 130 ms here; the
            // link is up for 100 ms plus the time the ip command takes):
            // link 0 never counts as up again, so no traffic moves onto it and nothing stalls
            Cluster.await("link 0 of node2 up again on node1", 10_000,
                    () -> c.node(1).output().lastIndexOf("link: host: 2 link: 0 is up")
                            > c.node(1).output().lastIndexOf("link: host: 2 link: 0 is down"));
            c.cut(2, 0);
            Cluster.await("link 0 of node2 down on node1", 10_000,
                    () -> c.node(1).output().lastIndexOf("link: host: 2 link: 0 is down")
                            > c.node(1).output().lastIndexOf("link: host: 2 link: 0 is up"));
            int upsBefore = count(c.node(1).output(), "link: host: 2 link: 0 is up");
            long fastAt = System.nanoTime();
            for (int i = 0; i < 6; i++) {
                net.heal(2);
                Daemon.sleep(100);
                c.cut(2, 0);
                Daemon.sleep(400);
            }
            long fastEnd = System.nanoTime();
            long fastWorst = writers.stream().mapToLong(w -> w.longestGapMs(fastAt, fastEnd)).max().orElseThrow();
            timing("link 0 of node2 up for 100 ms at a time: longest time a node completed no write", fastWorst);
            assertEquals(upsBefore, count(c.node(1).output(), "link: host: 2 link: 0 is up"),
                    "a link up for less than three pings in a row never counts as up");
            net.heal(2);

            c.cut(2);
            long ro = Cluster.await("node2 read-only with both links cut", 10_000, () -> c.node(2).quorateValue() == 0);
            timing("both links of node2 cut: node2 read-only after", ro);
            net.heal(2);
            c.awaitQuorate(c.nodes, 20_000);
            writers.forEach(SlotWriter::finish);
            c.awaitIdenticalTrees(c.nodes, 20_000);
            for (SlotWriter w : writers) {
                w.assertNothingAcknowledgedLost(c.node(1));
            }
        } finally {
            writers.forEach(SlotWriter::finish);
        }
    }


    private void scenario(String what, int victim, ObjIntConsumer<TestNetwork> cut) throws Exception {
        TestNetwork net = network(3);
        Cluster c = cluster(3, net).startAll();
        List<SlotWriter> writers = SlotWriter.startAll(c);
        try {
            Daemon.sleep(2_000);
            long cutAt = System.nanoTime();
            cut.accept(net, victim);
            Daemon.sleep(CUT_MS);
            long healAt = System.nanoTime();
            net.heal(victim);
            Daemon.sleep(AFTER_HEAL_MS);
            long end = System.nanoTime();
            writers.forEach(SlotWriter::finish);

            SlotWriter lost = writers.get(victim - 1);
            List<SlotWriter> majority = writers.stream().filter(w -> w != lost).toList();
            long worstGap = majority.stream().mapToLong(w -> w.longestGapMs(cutAt, healAt)).max().orElseThrow();
            long readOnly = lost.firstResultAfterMs(cutAt, EACCES);
            long writable = lost.firstResultAfterMs(healAt, 0);
            long healGap = majority.stream().mapToLong(w -> w.longestGapMs(healAt, end)).max().orElseThrow();
            timing(what + ": longest time the majority completed no write during the cut", worstGap);
            timing(what + ": cut node read-only (EACCES) after", readOnly);
            timing(what + ": cut node writable after the heal", writable);
            timing(what + ": longest majority stall after the heal", healGap);

            assertTrue(worstGap < 3_000, "the majority went " + worstGap + " ms without a write (target < 2 s)");
            assertTrue(readOnly >= 0 && readOnly < 5_000, "the cut node refused writes after " + readOnly
                    + " ms (target < 3 s; -1: never)");
            assertTrue(writable >= 0 && writable < 6_000, "the cut node accepted writes " + writable
                    + " ms after the heal (target < 3 s; -1: never)");
            assertTrue(healGap < 3_000, "the majority stalled " + healGap + " ms after the heal (target < 1 s)");

            SlotWriter.assertConverged(c, writers);
        } finally {
            writers.forEach(SlotWriter::finish);
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
