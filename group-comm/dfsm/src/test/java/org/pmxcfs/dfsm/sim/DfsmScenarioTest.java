package org.pmxcfs.dfsm.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pmxcfs.dfsm.DfsmMode;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.dfsm.SendResult;

/** Targeted scenarios on the simulated network, each reproducible from its fixed seed. */
class DfsmScenarioTest {

    private static SimCluster cluster(int nodes, long seed) {
        SimCluster c = new SimCluster(seed, SimCluster.Profile.quiet(nodes));
        c.traceLimit = 2000;
        return c;
    }

    /** All synced, identical states, and the oracle (strict: these scenarios have no tail loss). */
    private static void assertSettled(SimCluster c) {
        assertSynced(c);
        SimCluster.Verdict v = c.check(true);
        assertTrue(v.violations().isEmpty(), () -> v.violations() + "\n" + c.traceDump());
    }

    private static void assertSynced(SimCluster c) {
        assertTrue(c.runUntil(c::allSynced, 30_000), () -> "not synced\n" + c.traceDump());
        assertTrue(c.converged(), () -> "states differ\n" + c.traceDump());
    }

    private static ClientOps writes(SimCluster c, int count) {
        ClientOps ops = new ClientOps();
        for (int i = 0; i < count; i++) {
            ops.add(c.write(1 + i % c.nodes.length, ToyStore.ADD, "", false));
            c.run(SimCluster.STEP_MS * 2);
        }
        return ops;
    }

    /** Client ops issued by a test. */
    static final class ClientOps extends ArrayList<SimCluster.ClientOp> {}

    @Test
    void threeNodesSyncedAfterStart() {
        SimCluster c = cluster(3, 1);
        c.bootAll();
        assertSettled(c);
        for (SimCluster.Node n : c.nodes) {
            assertEquals(DfsmMode.SYNCED, n.dfsm.mode());
            assertEquals(3, n.dfsm.members().size());
        }
        assertTrue(c.node(1).dfsm.isLowestNodeId());
        assertFalse(c.node(2).dfsm.isLowestNodeId());
        // and they replicate
        ClientOps ops = writes(c, 30);
        assertSettled(c);
        for (SimCluster.ClientOp op : ops) {
            assertEquals(SimOp.Outcome.APPLIED, op.outcome, op::toString);
        }
        assertEquals(30, c.node(3).store.version());
    }

    @Test
    void restartedNodeGetsTheLeadersState() {
        SimCluster c = cluster(3, 2);
        c.bootAll();
        assertSettled(c);
        writes(c, 20);
        assertSettled(c);
        c.node(3).crash();
        c.run(200);
        writes(c, 10); // n1 and n2 stay quorate; n3's ops are not sent (it is down)
        assertSettled2(c);
        long leaderVersion = c.node(1).store.version();
        assertTrue(leaderVersion > c.node(3).store.version());
        c.node(3).boot(); // new pid, old "disk"
        assertSettled(c);
        assertEquals(leaderVersion, c.node(3).store.version());
        assertEquals(1, c.node(3).app.commits);
        assertNotEquals(c.node(3).endpoint.self().pid(), 102L);
        assertEquals(c.node(1).endpoint.self(), c.node(3).app.lastLeader);
    }

    /** Settled among the live nodes only. */
    private static void assertSettled2(SimCluster c) {
        assertTrue(c.runUntil(() -> c.net.quiescent() && c.open.isEmpty(), 30_000), c::traceDump);
    }

    @Test
    void leaderIsHighestVersion() {
        SimCluster c = cluster(3, 3);
        local(c.node(1), 3, 100);
        local(c.node(2), 5, 50); // most operations: leader, although older and not the lowest id
        local(c.node(3), 4, 200);
        List<ToyStore.Entry> expected = c.node(2).store.log();
        c.bootAll();
        assertSynced(c);
        for (SimCluster.Node n : c.nodes) {
            assertEquals(expected, n.store.log());
            assertEquals(c.node(2).endpoint.self(), n.app.lastLeader);
        }
    }

    @Test
    void onEqualVersionNewestMtimeLeads() {
        SimCluster c = cluster(3, 4);
        local(c.node(1), 4, 100);
        local(c.node(2), 4, 300); // same version, newest mtime
        local(c.node(3), 4, 200);
        List<ToyStore.Entry> expected = c.node(2).store.log();
        c.bootAll();
        assertSynced(c);
        for (SimCluster.Node n : c.nodes) {
            assertEquals(expected, n.store.log());
        }
    }

    @Test
    void onFullTieLowestNodeIdLeads() {
        SimCluster c = cluster(3, 5);
        local(c.node(3), 4, 100);
        local(c.node(2), 4, 100);
        local(c.node(1), 4, 100); // same version and mtime, different content
        c.node(1).store.corrupt();
        List<ToyStore.Entry> expected = c.node(1).store.log();
        // boot the highest id first, so join order does not decide
        c.node(3).boot();
        c.run(100);
        c.node(2).boot();
        c.run(100);
        c.node(1).boot();
        assertSynced(c);
        for (SimCluster.Node n : c.nodes) {
            assertEquals(expected, n.store.log());
            assertEquals(c.node(1).endpoint.self(), n.app.lastLeader);
        }
    }

    /** Writes that race with a membership change are queued and applied in one order everywhere. */
    @Test
    void queuedMessagesAppliedInTheSameOrderEverywhere() {
        SimCluster c = cluster(3, 6);
        c.traceLogs(true);
        try {
            c.bootAll();
            assertSettled(c);
            int queuedRounds = 0;
            for (int round = 0; round < 20; round++) {
                // a restart of n3's service makes everyone sync again while all nodes keep
                // writing, including claims of the same key (first in total order wins)
                c.node(3).dfsm.stop();
                try {
                    c.node(3).dfsm.start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < 12; i++) {
                    c.write(1 + i % 3, i % 2 == 0 ? ToyStore.CLAIM : ToyStore.ADD, "key" + round, false);
                    c.step();
                }
                assertSettled(c);
                queuedRounds += c.traceDump().contains("deliver queued messages") ? 1 : 0;
            }
            assertTrue(queuedRounds > 0, "the scenario never queued anything");
            List<ToyStore.Entry> log = c.node(1).store.log();
            for (SimCluster.Node n : c.nodes) {
                assertEquals(log, n.store.log()); // same operations, same order
            }
            // exactly one winner per key, and every acked claim agrees with the final owner
            assertTrue(c.check(true).violations().isEmpty());
        } finally {
            c.traceLogs(false);
        }
    }

    @Test
    void newerProtocolIsAVersionError() {
        SimCluster c = cluster(3, 7);
        c.node(1).protocolVersion = 2; // the newer node starts the round: its SYNC_START reaches the others
        c.bootAll();
        c.run(3000);
        for (int id : new int[] {2, 3}) {
            assertEquals(DfsmMode.VERSION_ERROR, c.node(id).dfsm.mode());
            assertFalse(c.node(id).dfsm.restartable());
            assertFalse(c.node(id).endpoint.isJoined()); // left for good
            assertEquals(SendResult.Outcome.NOT_SENT,
                    c.node(id).dfsm.submit(ToyApp.SUBTYPE, new byte[9]).getNow(null).outcome());
        }
        // the newer node ignored the older messages and ends up alone and synced
        assertEquals(DfsmMode.SYNCED, c.node(1).dfsm.mode());
        assertEquals(List.of(c.node(1).endpoint.self()), c.node(1).dfsm.members());
    }

    @Test
    void verifyMismatchTriggersResync() {
        SimCluster c = new SimCluster(8, new SimCluster.Profile(3, SimNetwork.Options.DEFAULT, 1000, 500, 3000));
        c.traceLimit = 5000;
        c.traceLogs(true);
        try {
            c.bootAll();
            assertSettled(c);
            writes(c, 10);
            assertSettled(c);
            c.node(3).store.corrupt(); // same version and mtime: only the checksum can tell
            byte[] good = c.node(1).store.digest();
            c.run(1500); // a verify round: n3 sees the wrong checksum and leaves
            assertTrue(c.traceDump().contains("n3: wrong checksum"), c::traceDump);
            assertTrue(c.traceDump().contains("n1: data verification successful"), c::traceDump);
            assertSettled(c); // rejoined after the restart delay, got n1's state
            assertArrayEquals(good, c.node(3).store.digest());
            assertEquals(1, c.node(3).app.commits);
        } finally {
            c.traceLogs(false);
        }
    }

    @Test
    void minorityDoesNotApply() {
        SimCluster c = cluster(5, 9);
        c.bootAll();
        assertSettled(c);
        c.net.setPartition(Map.of(1, 0, 2, 0, 3, 0, 4, 1, 5, 1));
        c.run(500);
        ClientOps majority = writes(c, 10); // only n1..n3 are quorate; n4, n5 writes are refused
        c.run(500);
        for (SimCluster.ClientOp op : majority) {
            if (op != null) {
                assertTrue(op.node <= 3);
                assertEquals(SimOp.Outcome.APPLIED, op.outcome, op::toString);
            }
        }
        assertEquals(0, c.node(4).store.version());
        c.net.heal();
        assertSettled(c);
        assertEquals(c.node(1).store.version(), c.node(5).store.version());
    }

    @Test
    void twoIncarnationsOfOneNodeStartOneRound() {
        SimCluster c = cluster(3, 10);
        c.bootAll();
        assertSettled(c);
        // n1 "restarts" while its old process is still in the view: both have node id 1
        SimNetwork.Endpoint old = c.node(1).endpoint;
        c.node(1).boot();
        c.run(1000);
        List<MemberId> view = c.node(2).dfsm.members();
        assertEquals(4, view.size());
        assertEquals(DfsmMode.SYNCED, c.node(2).dfsm.mode());
        old.crash();
        assertSettled(c);
    }

    /** Local-mode writes before a node joins (like editing with pmxcfs -l). */
    private static void local(SimCluster.Node n, int ops, long mtime) {
        for (int i = 0; i < ops; i++) {
            n.store.apply(ToyStore.ADD, n.id * 1000L + i, "", 0, mtime);
        }
    }
}
