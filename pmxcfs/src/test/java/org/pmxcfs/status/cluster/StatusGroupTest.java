package org.pmxcfs.status.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.pmxcfs.dfsm.DfsmCallbacks.MemberState;
import org.pmxcfs.dfsm.DfsmCallbacks.SyncRound;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.status.KvStore;
import org.pmxcfs.status.ClusterLog;
import org.pmxcfs.status.ClusterLogEntry;

/** Reference 3.2 (kvstore sync), 3.8 and 3.9 at the callback level, with a fake sync round. */
class StatusGroupTest {

    static final MemberId N1 = new MemberId(1, 100);
    static final MemberId N2 = new MemberId(2, 200);
    static final MemberId N3 = new MemberId(3, 300);
    static final Map<Integer, String> NODELIST = Map.of(1, "pve1", 2, "pve2", 3, "pve3");

    /** One node's status side: its stores, its callbacks and what they asked of the daemon. */
    static final class Node {
        final MemberId self;
        final KvStore kv;
        final ClusterLog log;
        final StatusGroup group;
        int republished;
        int clinfoBumps;

        Node(MemberId self) {
            this.self = self;
            String name = NODELIST.get(self.nodeId());
            kv = new KvStore(name, () -> 1_700_000_000L);
            log = new ClusterLog(name);
            group = new StatusGroup(self.nodeId(), NODELIST::get, kv, log, () -> republished++, () -> clinfoBumps++);
        }

        int deliver(MemberId sender, String key, String value) {
            return group.deliver(sender, StatusMessages.UPDATE, 0, StatusMessages.encodeUpdate(key, b(value)));
        }
    }

    /** The dfsm's side of a round: records who was marked synced; a status round sends nothing. */
    static final class FakeRound implements SyncRound {
        final MemberId self;
        final Set<MemberId> synced = new TreeSet<>();

        FakeRound(MemberId self) {
            this.self = self;
        }

        @Override
        public MemberId self() {
            return self;
        }

        @Override
        public void markSynced(MemberId member) {
            synced.add(member);
        }

        @Override
        public boolean sendUpdate(byte[] payload) {
            throw new AssertionError("the status group has no leader and sends no updates");
        }

        @Override
        public boolean sendUpdateComplete() {
            throw new AssertionError("the status group has no leader and sends no updates");
        }
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- sync round

    @Test
    void mergingTheLogsOfThreeMembersGivesTheSameBufferEverywhere() {
        List<Node> nodes = List.of(new Node(N1), new Node(N2), new Node(N3));
        for (int i = 0; i < 30; i++) {
            Node n = nodes.get(i % 3);
            n.log.addLocal(6, "root@pam", "pvedaemon", 10 + i, "task " + i, 1_700_000_000L + i / 2);
        }
        // node 2 already got one of node 1's entries the normal way before the membership change
        ClusterLogEntry early = nodes.get(0).log.newest(1).get(0);
        assertTrue(nodes.get(1).log.insert(early));

        List<MemberState> states = new ArrayList<>();
        for (Node n : nodes) {
            states.add(new MemberState(n.self, n.group.getState()));
        }
        for (Node n : nodes) {
            FakeRound round = new FakeRound(n.self);
            assertTrue(n.group.processStateUpdate(states, round));
            assertEquals(Set.of(N1, N2, N3), round.synced);
            n.group.cleanup();
        }

        List<ClusterLogEntry> first = nodes.get(0).log.newest(Integer.MAX_VALUE);
        assertEquals(30, first.size()); // the entry node 2 had twice is there once
        for (Node n : nodes) {
            assertEquals(first, n.log.newest(Integer.MAX_VALUE), "log of " + n.self);
        }
        // newest first, in (time, node, uid) order
        assertEquals(1_700_000_014L, first.get(0).time());
        assertEquals(1_700_000_000L, first.get(first.size() - 1).time());
    }

    @Test
    void aStateThatDoesNotDecodeIsLeftOutButTheRoundCompletes() {
        Node n1 = new Node(N1);
        Node n2 = new Node(N2);
        n2.log.addLocal(6, "root", "cluster", 1, "from pve2", 1_700_000_000L);
        FakeRound round = new FakeRound(N1);
        List<MemberState> states = List.of(new MemberState(N1, n1.group.getState()),
                new MemberState(N2, new byte[] {1, 2, 3}), new MemberState(N3, n2.group.getState()));
        assertTrue(n1.group.processStateUpdate(states, round));
        assertEquals(Set.of(N1, N2, N3), round.synced);
        assertEquals("from pve2", n1.log.newest(1).get(0).msg());
    }

    @Test
    void noLeaderNoUpdatesNoVerification() {
        Node n = new Node(N1);
        assertFalse(n.group.processUpdate(N2, new byte[0]));
        assertTrue(n.group.commit());
        assertArrayEquals(new byte[32], n.group.checksum());
        assertTrue(n.group.isQuorate(), "status is not quorum-gated");
    }

    @Test
    void syncedReannouncesAndMembershipBumpsClinfo() {
        Node n = new Node(N1);
        n.group.synced();
        assertEquals(1, n.republished);
        n.group.membersChanged(List.of(N1, N2));
        assertEquals(1, n.clinfoBumps);
    }

    // ---------------------------------------------------------------- kv messages

    @Test
    void remoteValuesGoToTheSendersTableWithVersions() {
        Node n = new Node(N1);
        n.deliver(N2, "tasklist", "a");
        n.deliver(N2, "tasklist", "b");
        n.deliver(N3, "kv/ceph-versions", "x");
        assertEquals(Map.of("pve2", Map.of("tasklist", 1L), "pve3", Map.of("kv/ceph-versions", 0L)), n.kv.versions());
        assertArrayEquals(b("b"), n.kv.get("pve2", "tasklist").orElseThrow());
        assertTrue(n.kv.get("pve1", "tasklist").isEmpty());
    }

    @Test
    void kvFromANodeIdOutsideTheNodelistIsIgnored() {
        Node n = new Node(N1);
        n.deliver(new MemberId(9, 900), "tasklist", "intruder");
        n.deliver(new MemberId(9, 900), "nodeip", "10.9.9.9\0");
        assertEquals(Map.of(), n.kv.versions());
        assertEquals(0, n.clinfoBumps);
    }

    @Test
    void ownKvMessagesAreNotAppliedTwice() {
        Node n = new Node(N1);
        n.kv.set("tasklist", b("mine"));
        n.deliver(N1, "tasklist", "mine");
        // also from an earlier incarnation of this node that the group still delivers
        n.deliver(new MemberId(1, 99), "tasklist", "stale");
        assertEquals(Map.of("pve1", Map.of("tasklist", 0L)), n.kv.versions());
        assertArrayEquals(b("mine"), n.kv.get(null, "tasklist").orElseThrow());
    }

    @Test
    void anEmptyValueDeletesTheKeyButTheNodeStaysListed() {
        Node n = new Node(N1);
        n.deliver(N2, "tasklist", "a");
        n.deliver(N2, "tasklist", "");
        assertTrue(n.kv.get("pve2", "tasklist").isEmpty());
        assertEquals(Map.of("pve2", Map.of()), n.kv.versions());
        n.deliver(N2, "tasklist", "again");
        assertEquals(0L, n.kv.versions().get("pve2").get("tasklist"));
        n.deliver(N3, "never-set", ""); // a deletion first still makes the node a sender
        assertEquals(Map.of(), n.kv.versions().get("pve3"));
    }

    @Test
    void nodeIpIsKeptPerNodeAndAChangeBumpsClinfo() {
        Node n = new Node(N1);
        n.deliver(N2, "nodeip", "192.168.1.12\0");
        assertEquals(Optional.of("192.168.1.12"), n.kv.nodeIp("pve2"));
        assertEquals(1, n.clinfoBumps);
        n.deliver(N2, "nodeip", "192.168.1.12\0"); // the re-announcement after every sync
        assertEquals(1, n.clinfoBumps);
        n.deliver(N2, "nodeip", "192.168.1.22\0");
        assertEquals(Optional.of("192.168.1.22"), n.kv.nodeIp("pve2"));
        assertEquals(2, n.clinfoBumps);
        assertFalse(n.kv.versions().containsKey("pve2"), "nodeip is not a kv key");
    }

    @Test
    void remoteRrdUpdatesGoToTheDump() {
        Node n = new Node(N1);
        n.deliver(N2, "rrd/pve2-node/pve2", "1700000000:0.5:4\0");
        n.deliver(N2, "rrd/pve2-node/toolarge", "x".repeat(5000));
        assertEquals("pve2-node/pve2:1700000000:0.5:4\n", n.kv.rrdDump());
        assertEquals(Map.of(), n.kv.versions());
    }

    // ---------------------------------------------------------------- log messages

    @Test
    void logEntriesAreInsertedOnceAndOwnEntriesAreDuplicates() {
        Node n1 = new Node(N1);
        Node n2 = new Node(N2);
        ClusterLogEntry e = n2.log.addLocal(5, "root@pam", "pvedaemon", 42, "hello", 1_700_000_000L);
        byte[] msg = StatusMessages.encodeLog(e);
        assertEquals(0, n1.group.deliver(N2, StatusMessages.LOG, 0, msg));
        n1.group.deliver(N2, StatusMessages.LOG, 0, msg);
        assertEquals(List.of(e), n1.log.newest(10));
        n2.group.deliver(N2, StatusMessages.LOG, 0, msg); // its own, back from the group
        assertEquals(List.of(e), n2.log.newest(10));
    }

    @Test
    void malformedOrUnknownMessagesAreDroppedWithoutLeavingTheGroup() {
        Node n = new Node(N1);
        assertEquals(0, n.group.deliver(N2, StatusMessages.UPDATE, 0, new byte[10]));
        assertEquals(0, n.group.deliver(N2, StatusMessages.LOG, 0, new byte[10]));
        assertEquals(0, n.group.deliver(N2, 2, 0, new byte[10]));
        assertEquals(Map.of(), n.kv.versions());
        assertTrue(n.log.newest(10).isEmpty());
    }

    @Test
    void getStateCarriesTheWholeLog() throws Exception {
        Node n = new Node(N1);
        for (int i = 0; i < 5; i++) {
            n.log.addLocal(6, "u", "t", i, "m" + i, 1_700_000_000L - i);
        }
        List<ClusterLogEntry> sent = StatusMessages.decodeState(n.group.getState());
        assertEquals(5, sent.size());
        assertNotEquals(sent.get(0), sent.get(4));
        assertEquals(1_700_000_000L - 4, sent.get(0).time()); // oldest first, sorted
    }
}
