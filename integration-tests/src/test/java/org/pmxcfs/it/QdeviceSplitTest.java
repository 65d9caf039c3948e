package org.pmxcfs.it;

import static jnr.constants.platform.Errno.EACCES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.it.Sys.assertErrno;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #9: a 2|2 split of a four-node cluster with a QDevice (ffsplit) on a real
 * corosync-qnetd. The nodes live in network namespaces 1-4 of a test network, qnetd in
 * namespace 5 (port 17550) which both halves keep reaching; the split silences the halves to
 * each other only. qnetd gives its vote to exactly one half, the one with the tie-breaker's node
 * (reference 4.8: lowest node id by default; or a configured node id), and the other half goes
 * read-only.
 */
class QdeviceSplitTest extends ClusterTestBase {

    private final List<Qnetd> servers = new ArrayList<>();

    @Override
    int classIndex() {
        return 11;
    }

    @AfterEach
    void stopQnetd() {
        servers.forEach(Qnetd::close);
        servers.clear();
    }

    /** Four daemons in namespaces take 30-40 s to start on a loaded machine: more than the default 120 s in all. */
    private static final long SLOW_START_SECONDS = 240;

    private static final List<Integer> LOW = List.of(1, 2);
    private static final List<Integer> HIGH = List.of(3, 4);

    /** Default tie-breaker (lowest node id): the half with node 1 keeps quorum. */
    @Test
    @Timeout(SLOW_START_SECONDS)
    void evenSplitGoesToTheHalfWithTheLowestNodeId() {
        TestNetwork net = network(5);
        Cluster c = withDevice(net);
        long decided = splitAndAwait(net, c, LOW, HIGH);
        timing("2|2 split decided (tie-breaker lowest: nodes 1+2 keep quorum)", decided);
        net.unsplit(LOW, HIGH);
        long healed = c.awaitQuorate(c.nodes, 60_000);
        awaitTotalVotes(c, 5);
        timing("split healed, all four quorate again", healed);
    }

    /** {@code tie_breaker: 4} (a node id) in the device's net block: the other half wins. */
    @Test
    @Timeout(SLOW_START_SECONDS)
    void evenSplitGoesToTheConfiguredTieBreakersHalf() throws Exception {
        TestNetwork net = network(5);
        Cluster c = withDevice(net);
        String conf = Files.readString(c.node(1).path("corosync.conf"), StandardCharsets.UTF_8);
        long version = Long.parseLong(conf.replaceAll("(?s).*config_version: (\\d+).*", "$1"));
        String next = conf.replace("      tls: on\n", "      tie_breaker: 4\n      tls: on\n")
                .replace("config_version: " + version, "config_version: " + (version + 1));
        Files.writeString(c.node(1).path("corosync.conf.new"), next);
        Files.move(c.node(1).path("corosync.conf.new"), c.node(1).path("corosync.conf"), StandardCopyOption.ATOMIC_MOVE);
        Cluster.await("every node's device on the new tie-breaker", 30_000,
                () -> c.nodes.stream().allMatch(n -> n.output().contains("tie-breaker 4")));
        awaitTotalVotes(c, 5);
        long decided = splitAndAwait(net, c, HIGH, LOW);
        timing("2|2 split decided (tie_breaker: 4: nodes 3+4 keep quorum)", decided);
    }

    /** Four nodes in namespaces 1-4, qnetd in namespace 5, the device set up by pvecm on node1. */
    private Cluster withDevice(TestNetwork net) {
        Cluster c = cluster(4, net).startAll();
        Qnetd q = new Qnetd(tmp.resolve("qnetd"), net.address(5), 17550, net.enter(5));
        servers.add(q);
        q.start();
        // setup runs where the qnetd address is local (namespace 5), so the CA steps need no SSH
        PvecmNodes.Result r = PvecmNodes.runPvecm(q.withItsCertutil(List.of()), c.node(1).run, c.dir, null, p -> { },
                "qdevice", "setup", q.address, "--port", Integer.toString(q.port));
        assertEquals(0, r.exit(), "pvecm qdevice setup: " + r + "\nqnetd log:\n" + q.log());
        awaitTotalVotes(c, 5);
        return c;
    }

    private static void awaitTotalVotes(Cluster c, int total) {
        for (Cluster.Node n : c.nodes) {
            Cluster.await("total votes " + total + " on " + n, 30_000,
                    () -> n.pvecm("status").contains("\nTotal votes:      " + total + "\n"));
        }
    }

    /**
     * Splits the halves; the winners must be quorate and writable (3 of 5 votes with the device),
     * the losers read-only, and it must stay so (no flapping) for 10 s.
     */
    private static long splitAndAwait(TestNetwork net, Cluster c, List<Integer> winners, List<Integer> losers) {
        long t0 = System.nanoTime();
        net.split(LOW, HIGH);
        // settled: each half sees exactly itself (views during a split pass through mixed ones),
        // and the winners count the device's vote for their new membership. Until qnetd has
        // decided (once every member of a half reported the same membership), no half has the
        // device's vote: a winner may still show the quorum of a view between the old one and
        // its half's, and then be read-only for a moment
        long ms = Cluster.await("halves decided: " + winners + " quorate, " + losers + " not", 30_000, () ->
                winners.stream().allMatch(k -> c.node(k).quorate() && c.node(k).onlineIds().equals(new TreeSet<>(winners)))
                        && losers.stream().allMatch(k -> c.node(k).quorateValue() == 0
                        && c.node(k).onlineIds().equals(new TreeSet<>(losers)))
                        && winners.stream().allMatch(k -> c.node(k).pvecm("status").contains("\nTotal votes:      3\n")));
        for (int i = 0; i < 20; i++) {
            for (int k : winners) {
                assertEquals(1, c.node(k).quorateValue(), "node" + k + " of the winning half");
            }
            for (int k : losers) {
                assertEquals(0, c.node(k).quorateValue(), "node" + k + " of the losing half");
            }
            Daemon.sleep(500);
        }
        assertEquals(0, ClusterFs.tryPut(c.node(winners.get(0)).path("split-" + t0 + ".cfg"), "winner\n"));
        assertErrno(EACCES, ClusterFs.tryPut(c.node(losers.get(0)).path("split-" + t0 + ".cfg"), "loser\n"),
                "write in the losing half");
        assertTrue(c.node(winners.get(1)).pvecm("status").contains("\nTotal votes:      3\n"), "2 nodes + the device");
        return ms;
    }
}
