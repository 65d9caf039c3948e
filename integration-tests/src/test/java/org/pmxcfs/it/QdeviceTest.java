package org.pmxcfs.it;

import static jnr.constants.platform.Errno.EACCES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.it.Sys.assertErrno;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #9: a two-node cluster with a QDevice on a real corosync-qnetd (127.0.0.1, ports
 * 17500-17549), set up with {@code pvecm qdevice setup}. The device's vote keeps the survivor of
 * a node loss quorate and writable (without it, the survivor goes read-only); losing qnetd
 * while both nodes are up costs nothing, but a node lost after it leaves the other read-only
 * (ffsplit withdraws the vote of a client that lost the server) until qnetd is back.
 */
class QdeviceTest extends ClusterTestBase {

    /**
     * Tests with several pvecm runs (a JVM each, keytool's too) and 12 s holds took 70-105 s on
     * a loaded machine: more room than the default 120 s.
     */
    private static final long SLOW_SECONDS = 240;

    private final List<Qnetd> servers = new ArrayList<>();

    @Override
    int classIndex() {
        return 10;
    }

    @AfterEach
    void stopQnetd() {
        servers.forEach(Qnetd::close);
        servers.clear();
    }

    private Qnetd qnetd(int port) {
        Qnetd q = new Qnetd(tmp.resolve("qnetd" + port), "127.0.0.1", port, List.of());
        servers.add(q);
        return q.start();
    }

    /** pvecm qdevice setup on node1, certutil calls going to this qnetd's database. */
    private static String setup(Cluster c, Qnetd q) {
        PvecmNodes.Result r = PvecmNodes.runPvecm(q.withItsCertutil(List.of()), c.node(1).run, c.dir, null, p -> { },
                "qdevice", "setup", q.address, "--port", Integer.toString(q.port));
        assertEquals(0, r.exit(), "pvecm qdevice setup: " + r + "\nqnetd log:\n" + q.log());
        return r.out();
    }

    private static void awaitVotes(Cluster c, int nodeIndex, int total, long timeoutMs) {
        Cluster.await("total votes " + total + " on node" + nodeIndex, timeoutMs,
                () -> c.node(nodeIndex).pvecm("status").contains("\nTotal votes:      " + total + "\n"));
    }

    /** The survivor: writable again within 10 s of the kill, then quorate and writable for 12 s (longer than an echo heartbeat). */
    private static long survivorKeepsWriting(Cluster.Node n, String name) {
        long t0 = System.nanoTime();
        long writable = Cluster.await(n + " writable after the kill", 10_000,
                () -> ClusterFs.tryPut(n.path(name), "first\n") == 0);
        for (int i = 0; i < 24; i++) {
            Daemon.sleep(500);
            assertEquals(1, n.quorateValue(), n + " quorate " + (System.nanoTime() - t0) / 1_000_000 + " ms after the kill");
            assertEquals(0, ClusterFs.tryPut(n.path(name), "write " + i + "\n"), "write " + i + " on " + n);
        }
        return writable;
    }

    @Test
    void twoNodesWithQnetdKeepWritingWhenOneIsKilledAndConverge() {
        Cluster c = started(2);
        Qnetd q = qnetd(17500);
        String out = setup(c, q);
        assertTrue(out.contains("INFO: adding the QDevice (algorithm ffsplit) to corosync.conf\n"), out);
        assertTrue(out.contains("INFO: QDevice connected, it casts its vote\n"), out);
        awaitVotes(c, 1, 3, 20_000);
        awaitVotes(c, 2, 3, 20_000);
        // corosync-quorumtool's layout with a device (reference 4.6)
        String status = c.node(2).pvecm("status");
        assertTrue(status.contains("""
                Expected votes:   3
                Highest expected: 3
                Total votes:      3
                Quorum:           2 \s
                Flags:            Quorate Qdevice\s

                Membership information
                ----------------------
                    Nodeid      Votes    Qdevice Name
                0x00000001          1    A,V,NMW 127.0.0.1
                0x00000002          1    A,V,NMW 127.0.0.2 (local)
                0x00000000          1            Qdevice
                """), status);
        assertTrue(read(c.node(2).path("corosync.conf")).contains("    model: net\n"), "the device block replicated");

        long t0 = System.nanoTime();
        c.node(2).kill9();
        long writableMs = survivorKeepsWriting(c.node(1), "during.cfg");
        timing("node1 writable after kill -9 of node2 (2 nodes + qdevice)", writableMs);
        assertTrue(c.node(1).pvecm("status").contains("\nTotal votes:      2\n"), "node1 + the device");

        c.node(2).start();
        long converged = Cluster.await("both nodes quorate with the device again", 30_000,
                () -> c.node(1).quorate() && c.node(2).quorate() && c.node(2).onlineIds().contains(1)
                        && "write 23\n".equals(ClusterFs.readOrNull(c.node(2).path("during.cfg"))));
        timing("restarted node2 in sync and quorate", converged);
        awaitVotes(c, 2, 3, 20_000);
        System.out.printf("[cluster-timing] whole kill/restart cycle: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    /** The same loss without a device: what the device is for (2 nodes: quorum 2). */
    @Test
    void withoutTheDeviceTheSurvivorGoesReadOnly() {
        Cluster c = started(2);
        c.node(2).kill9();
        Cluster.await("node1 without quorum", 10_000, () -> c.node(1).quorateValue() == 0);
        assertErrno(EACCES, ClusterFs.tryPut(c.node(1).path("during.cfg"), "x\n"), "write without quorum");
    }

    /**
     * qnetd killed with both nodes up: 2 of 3 votes, still quorate and writable. A node lost
     * after that: the survivor has 1 vote, read-only (ffsplit never keeps a vote it cannot have
     * confirmed). qnetd back: it gets the vote again and is writable.
     */
    @Test
    @Timeout(SLOW_SECONDS)
    void qnetdDownCostsNothingUntilANodeIsLost() {
        Cluster c = started(2);
        Qnetd q = qnetd(17502);
        setup(c, q);
        awaitVotes(c, 1, 3, 20_000);
        awaitVotes(c, 2, 3, 20_000);
        q.kill();
        awaitVotes(c, 1, 2, 20_000);
        awaitVotes(c, 2, 2, 20_000);
        for (int i = 0; i < 10; i++) {
            assertEquals(0, ClusterFs.tryPut(c.node(i % 2 + 1).path("no-qnetd.cfg"), "w" + i + "\n"), "write " + i);
            Daemon.sleep(200);
        }
        assertTrue(c.node(1).pvecm("status").contains("1  NA,NV,NMW 127.0.0.1 (local)\n"), "device flags without qnetd");
        c.node(2).kill9();
        Cluster.await("node1 without quorum", 10_000, () -> c.node(1).quorateValue() == 0);
        assertErrno(EACCES, ClusterFs.tryPut(c.node(1).path("no-qnetd.cfg"), "x\n"), "write without quorum");
        q.start();
        long back = Cluster.await("node1 quorate with qnetd back", 30_000, () -> c.node(1).quorate());
        timing("node1 quorate after qnetd came back (reconnect)", back);
        assertEquals(0, ClusterFs.tryPut(c.node(1).path("no-qnetd.cfg"), "again\n"));
    }

    /**
     * Three nodes (odd: pvecm refuses without --force, then takes lms): the device has 2 votes
     * (nodes - 1), expected 5, quorum 3, so one node with the device stays quorate (reference 4.8).
     */
    @Test
    @Timeout(SLOW_SECONDS)
    void lmsKeepsTheLastNodeStanding() {
        Cluster c = started(3);
        Qnetd q = qnetd(17506);
        PvecmNodes.Result refused = PvecmNodes.runPvecm(q.withItsCertutil(List.of()), c.node(1).run, c.dir, null,
                p -> { }, "qdevice", "setup", q.address, "--port", Integer.toString(q.port));
        assertEquals(new PvecmNodes.Result(1, "", "Clusters with an odd node count are not officially supported!\n"),
                refused);
        PvecmNodes.Result r = PvecmNodes.runPvecm(q.withItsCertutil(List.of()), c.node(1).run, c.dir, null, p -> { },
                "qdevice", "setup", q.address, "--port", Integer.toString(q.port), "--force");
        assertEquals(0, r.exit(), "pvecm qdevice setup --force: " + r + "\nqnetd log:\n" + q.log());
        assertTrue(r.out().contains("(algorithm lms)"), r.out());
        assertFalse(read(c.node(1).path("corosync.conf")).contains("votes: 1\n  }"), "lms: no votes key");
        awaitVotes(c, 1, 5, 20_000);
        assertTrue(c.node(1).pvecm("status").contains("\nExpected votes:   5\nHighest expected: 5\nTotal votes:      5\n"
                + "Quorum:           3  \n"), c.node(1).pvecm("status"));
        c.node(3).kill9();
        c.node(2).kill9();
        long writable = survivorKeepsWriting(c.node(1), "last.cfg");
        timing("node1 alone (lms device) writable after losing two of three nodes", writable);
        assertTrue(c.node(1).pvecm("status").contains("\nTotal votes:      3\n"), "node1 + the device's 2 votes");
    }

    @Test
    void removeTakesTheDeviceOutOfEveryNode() {
        Cluster c = started(2);
        Qnetd q = qnetd(17504);
        setup(c, q);
        awaitVotes(c, 2, 3, 20_000);
        PvecmNodes.Result again = PvecmNodes.runPvecm(c.node(1).run, c.dir, null, p -> { },
                "qdevice", "setup", q.address, "--port", Integer.toString(q.port));
        assertEquals(new PvecmNodes.Result(1, "", "QDevice already configured!\n"), again);
        assertEquals("Removed Qdevice.\n", c.node(1).pvecm("qdevice", "remove"));
        Cluster.await("node2 back to 2 expected votes without the device", 20_000, () -> {
            String st = c.node(2).pvecm("status");
            return st.contains("\nExpected votes:   2\n") && st.contains("\nFlags:            Quorate \n")
                    && !st.contains("Qdevice");
        });
        assertFalse(Files.exists(c.node(2).path("priv/qdevice")), "certificates removed");
        PvecmNodes.Result none = PvecmNodes.runPvecm(c.node(1).run, c.dir, null, p -> { }, "qdevice", "remove");
        assertEquals(new PvecmNodes.Result(1, "", "No QDevice configured!\n"), none);
    }
}
