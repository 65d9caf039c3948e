package org.pmxcfs.dcdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.InodeUpdate;
import org.pmxcfs.dbstore.LoadException;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.RamStore;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.dbstore.WireFormatException;
import org.pmxcfs.dfsm.DfsmCallbacks.MemberState;
import org.pmxcfs.dfsm.DfsmCallbacks.SyncRound;
import org.pmxcfs.dfsm.MemberId;

/** Reference 3.2 / 3.3 / 3.7 at the dcdb level, with fakes for the dfsm side. */
class DcdbTest {

    static final long T = 1_700_000_000L;
    static final MemberId N1 = new MemberId(1, 100);
    static final MemberId N2 = new MemberId(2, 200);
    static final MemberId N3 = new MemberId(3, 300);

    /** Records everything Dcdb asks of the daemon. */
    static final class FakeHost implements DcdbHost {
        boolean quorate = true;
        boolean expired;
        final List<DcdbCodec.Encoded> submitted = new ArrayList<>();
        final List<String> expiryChecks = new ArrayList<>();
        final List<Boolean> corosyncSyncs = new ArrayList<>();
        final List<List<String>> backups = new ArrayList<>();
        int errorModes;

        @Override
        public boolean isQuorate() {
            return quorate;
        }

        @Override
        public void submit(int subtype, byte[] payload) {
            submitted.add(new DcdbCodec.Encoded(DcdbMessageType.of(subtype), payload));
        }

        @Override
        public void setErrorMode() {
            errorModes++;
        }

        @Override
        public boolean lockExpired(String path, TreeEntry lock) {
            expiryChecks.add(path);
            return expired;
        }

        @Override
        public void syncCorosyncConf(boolean reloadCorosync) {
            corosyncSyncs.add(reloadCorosync);
        }

        @Override
        public void beforeStateTransfer(List<String> discardedPaths) {
            backups.add(discardedPaths);
        }
    }

    /** The dfsm's view of one sync round on one member. */
    static final class FakeRound implements SyncRound {
        final MemberId self;
        final List<MemberId> synced = new ArrayList<>();
        final List<byte[]> updates = new ArrayList<>();
        int completes;

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
            updates.add(payload);
            return true;
        }

        @Override
        public boolean sendUpdateComplete() {
            completes++;
            return true;
        }
    }

    /** One member: its store, memdb, host fake and dcdb. */
    static final class Node {
        final MemberId id;
        final RamStore store = new RamStore();
        final MemDb db;
        final FakeHost host = new FakeHost();
        final Dcdb dcdb;

        Node(MemberId id) {
            this.id = id;
            try {
                db = MemDb.open(store, MemDb.DEFAULT_MAX_TOTAL_BYTES, T);
            } catch (LoadException e) {
                throw new AssertionError(e);
            }
            dcdb = new Dcdb(db, id.nodeId(), host);
        }

        int deliver(MemberId sender, long time, Operation op) {
            try {
                DcdbCodec.Encoded e = DcdbCodec.encode(op);
                return dcdb.deliver(sender, e.subtype(), time, e.payload());
            } catch (DcdbCodecException e) {
                throw new AssertionError(e);
            }
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Node n1;
    private Node n2;
    private Node n3;

    @BeforeEach
    void setUp() {
        n1 = new Node(N1);
        n2 = new Node(N2);
        n3 = new Node(N3);
        for (Node n : List.of(n1, n2, n3)) {
            n.dcdb.membersChanged(List.of(N1, N2, N3));
        }
    }

    // ---------------------------------------------------------------- deliver

    @Test
    void deliverAppliesWithTheSendersIdAndTime() {
        assertEquals(0, n2.deliver(N3, T + 5, new Operation.Create("a.cfg")));
        assertEquals(5, n2.deliver(N3, T + 6, new Operation.Write("a.cfg", 0, utf8("hello"))));
        assertEquals(-Errno.EEXIST.code, n2.deliver(N1, T + 7, new Operation.Create("a.cfg")));
        assertEquals(-Errno.ENOENT.code, n2.deliver(N1, T + 7, new Operation.Delete("missing")));
        TreeEntry e = n2.db.lookup("a.cfg").orElseThrow();
        assertEquals(3, e.writer());
        assertEquals(T + 6, e.mtime());
        assertEquals(3, n2.db.entry(0).orElseThrow().writer());
        assertEquals(0, n2.host.errorModes);
    }

    @Test
    void allMembersApplyingTheSameMessagesEndIdentical() {
        List<Operation> ops = List.of(new Operation.Mkdir("nodes"), new Operation.Create("nodes/x"),
                new Operation.Write("nodes/x", 3, utf8("abc")), new Operation.Truncate("nodes/x", 2),
                new Operation.SetMtime("nodes/x", 99), new Operation.Rename("nodes/x", "y"),
                new Operation.Delete("nodes"));
        for (Node n : List.of(n1, n2, n3)) {
            long t = T;
            for (Operation op : ops) {
                n.deliver(N2, t++, op);
            }
        }
        assertArrayEquals(n1.dcdb.getState(), n2.dcdb.getState());
        assertArrayEquals(n1.dcdb.checksum(), n3.dcdb.checksum());
    }

    @Test
    void aMalformedMessageIsRefusedAndChangesNothing() {
        byte[] before = n1.dcdb.getState();
        assertThrows(IllegalArgumentException.class, () -> n1.dcdb.deliver(N2, 5, T, new byte[19]));
        assertThrows(IllegalArgumentException.class, () -> n1.dcdb.deliver(N2, 42, T, new byte[40]));
        assertArrayEquals(before, n1.dcdb.getState());
    }

    @Test
    void corosyncConfChangesAreHandedOnReloadOnlyOnTheSender() {
        n1.deliver(N1, T, new Operation.Create("corosync.conf"));
        n1.deliver(N2, T, new Operation.Write("corosync.conf", 0, utf8("totem {}")));
        n1.deliver(N1, T, new Operation.Truncate("corosync.conf", 0));
        n1.deliver(N2, T, new Operation.Create("corosync.conf.new"));
        n1.deliver(N2, T, new Operation.Rename("corosync.conf.new", "corosync.conf"));
        n1.deliver(N2, T, new Operation.Create("corosync.conf")); // EEXIST: nothing to sync
        n1.deliver(N2, T, new Operation.SetMtime("corosync.conf", 5));
        assertEquals(List.of(true, false, true, false), n1.host.corosyncSyncs);
    }

    @Test
    void aDatabaseFailureStopsTheClusterConnection() {
        n1.deliver(N1, T, new Operation.Mkdir("d"));
        n1.store.failCommits = true;
        assertEquals(-Errno.EIO.code, n1.deliver(N1, T, new Operation.Mkdir("e")));
        assertEquals(1, n1.host.errorModes);
    }

    @Test
    void quorumComesFromTheHost() {
        assertTrue(n1.dcdb.isQuorate());
        n1.host.quorate = false;
        assertFalse(n1.dcdb.isQuorate());
    }

    // ---------------------------------------------------------------- locks

    private byte[] lockAt(Node n, String path) {
        n.deliver(N2, T, new Operation.Mkdir("priv"));
        n.deliver(N2, T, new Operation.Mkdir("priv/lock"));
        n.deliver(N2, T, new Operation.Mkdir(path));
        return n.db.lookup(path).orElseThrow().metaDigest();
    }

    private int unlockRequest(Node n, String path, byte[] digest) throws DcdbCodecException {
        DcdbCodec.Encoded e = DcdbCodec.encodeUnlockRequest(path, digest);
        return n.dcdb.deliver(N3, e.subtype(), T + 500, e.payload());
    }

    @Test
    void theLowestNodeIdSendsUnlockForAnExpiredLock() throws Exception {
        byte[] digest = lockAt(n1, "priv/lock/l");
        n1.host.expired = true;
        assertEquals(0, unlockRequest(n1, "priv/lock/l", digest));
        assertEquals(List.of("priv/lock/l"), n1.host.expiryChecks);
        assertEquals(1, n1.host.submitted.size());
        DcdbCodec.Encoded unlock = n1.host.submitted.get(0);
        assertEquals(DcdbMessageType.UNLOCK, unlock.type());
        assertTrue(n1.db.lookup("priv/lock/l").isPresent(), "the request itself changes nothing");
        // the UNLOCK comes back through the total order and removes the lock everywhere
        assertEquals(0, n1.dcdb.deliver(N1, unlock.subtype(), T + 501, unlock.payload()));
        assertTrue(n1.db.lookup("priv/lock/l").isEmpty());
    }

    @Test
    void unlockRequestsThatMustNotUnlock() throws Exception {
        byte[] digest = lockAt(n1, "priv/lock/l");
        unlockRequest(n1, "priv/lock/l", digest);
        assertTrue(n1.host.submitted.isEmpty(), "not expired yet");
        n1.host.expired = true;
        n1.host.expiryChecks.clear();
        byte[] stale = digest.clone();
        stale[0] ^= 1;
        unlockRequest(n1, "priv/lock/l", stale);
        unlockRequest(n1, "priv/lock/missing", digest);
        lockAt(n1, "priv/other");
        unlockRequest(n1, "priv/other", n1.db.lookup("priv/other").orElseThrow().metaDigest());
        assertTrue(n1.host.expiryChecks.isEmpty(), "only a lock in the requested state is timed");
        assertTrue(n1.host.submitted.isEmpty());
        // a member without the lowest node id never acts
        byte[] d2 = lockAt(n2, "priv/lock/l");
        n2.host.expired = true;
        unlockRequest(n2, "priv/lock/l", d2);
        assertTrue(n2.host.submitted.isEmpty());
        assertTrue(n2.host.expiryChecks.isEmpty());
    }

    // ---------------------------------------------------------------- sync

    private static List<MemberState> states(Node... nodes) {
        List<MemberState> out = new ArrayList<>();
        for (Node n : nodes) {
            out.add(new MemberState(n.id, n.dcdb.getState()));
        }
        return out;
    }

    /** Runs the whole round on every member as the dfsm would; returns each member's round. */
    private List<FakeRound> syncRound(Node... nodes) {
        List<MemberState> states = states(nodes);
        List<FakeRound> rounds = new ArrayList<>();
        for (Node n : nodes) {
            FakeRound r = new FakeRound(n.id);
            assertTrue(n.dcdb.processStateUpdate(states, r));
            rounds.add(r);
        }
        return rounds;
    }

    private void common(Node... nodes) {
        for (Node n : nodes) {
            n.deliver(N1, T, new Operation.Mkdir("nodes"));
            n.deliver(N1, T, new Operation.Create("shared.cfg"));
            n.deliver(N1, T, new Operation.Write("shared.cfg", 0, utf8("base")));
        }
    }

    @Test
    void theLeaderSendsWhatTheOutdatedMemberNeedsAndItCommits() {
        common(n1, n2, n3);
        // n2 and n3 moved on together while n1 was away; n1 changed something alone
        for (Node n : List.of(n2, n3)) {
            n.deliver(N2, T + 10, new Operation.Write("shared.cfg", 0, utf8("newer")));
            n.deliver(N2, T + 11, new Operation.Create("nodes/only-on-2-and-3"));
        }
        n1.deliver(N1, T + 12, new Operation.Create("mine"));
        List<FakeRound> rounds = syncRound(n1, n2, n3);
        for (FakeRound r : rounds) {
            assertEquals(List.of(N2, N3), r.synced, "every member reaches the same verdict");
        }
        assertTrue(rounds.get(0).updates.isEmpty());
        assertTrue(rounds.get(2).updates.isEmpty(), "only the leader sends");
        FakeRound leader = rounds.get(1);
        assertEquals(1, leader.completes);
        // the leader's index, then root, shared.cfg, the new file (n1's "mine" shares its inode
        // number and is replaced) in one batch: with fewer inodes than buckets, exactly the diff
        assertEquals(2, leader.updates.size());
        assertEquals(Dcdb.UPDATE_INDEX, leader.updates.get(0)[0]);
        assertEquals(3, records(leader.updates));
        for (byte[] u : leader.updates) {
            assertTrue(n1.dcdb.processUpdate(N2, u));
        }
        assertTrue(n1.dcdb.commit());
        assertArrayEquals(n2.dcdb.getState(), n1.dcdb.getState());
        assertArrayEquals(n2.dcdb.checksum(), n1.dcdb.checksum());
        assertEquals(List.of(List.of("mine", "shared.cfg")), n1.host.backups);
        assertEquals(List.of(false), n1.host.corosyncSyncs, "corosync.conf is copied, corosync not reloaded");
        n1.dcdb.cleanup();
    }

    /** An UPDATE of inode records holding only the first record of {@code update}. */
    private static byte[] firstRecord(byte[] update) {
        byte[] first = InodeUpdate.encode(inodes(update).get(0));
        byte[] out = new byte[first.length + 1];
        out[0] = Dcdb.UPDATE_INODES;
        System.arraycopy(first, 0, out, 1, first.length);
        return out;
    }

    private static List<TreeEntry> inodes(byte[] update) {
        if (update[0] != Dcdb.UPDATE_INODES) {
            return List.of();
        }
        try {
            return InodeUpdate.decodeAll(java.util.Arrays.copyOfRange(update, 1, update.length));
        } catch (WireFormatException e) {
            throw new AssertionError(e);
        }
    }

    private static int records(List<byte[]> updates) {
        int n = 0;
        for (byte[] u : updates) {
            n += inodes(u).size();
        }
        return n;
    }

    /** A large transfer travels in UPDATE messages of at most UPDATE_BATCH_BYTES (a larger file alone). */
    @Test
    void aLargeTransferIsBatchedAndCommitsWhole() {
        common(n1, n2);
        n2.deliver(N2, T + 10, new Operation.Mkdir("many"));
        for (int k = 0; k < 300; k++) {
            n2.deliver(N2, T + 11, new Operation.Create("many/f" + k));
            n2.deliver(N2, T + 11, new Operation.Write("many/f" + k, 0, new byte[2000 + k]));
        }
        n2.deliver(N2, T + 12, new Operation.Create("big"));
        n2.deliver(N2, T + 12, new Operation.Write("big", 0, new byte[Dcdb.UPDATE_BATCH_BYTES + 1]));
        List<FakeRound> rounds = syncRound(n1, n2);
        FakeRound leader = rounds.get(1);
        // root, the directory, 300 files and the big one: new inodes in every bucket, so the
        // entries both have are sent too
        int sent = records(leader.updates);
        assertTrue(sent >= 1 + 1 + 300 + 1 && sent <= n2.db.index().entries().size(), "sent " + sent);
        assertTrue(leader.updates.size() >= 5 && leader.updates.size() <= 7, "index, then batched: " + leader.updates.size());
        for (byte[] u : leader.updates.subList(1, leader.updates.size())) {
            assertTrue(u.length <= Dcdb.UPDATE_BATCH_BYTES || records(List.of(u)) == 1, "over the batch size: " + u.length);
        }
        for (byte[] u : leader.updates) {
            assertTrue(n1.dcdb.processUpdate(N2, u));
        }
        assertTrue(n1.dcdb.commit());
        assertArrayEquals(n2.dcdb.getState(), n1.dcdb.getState());
        assertArrayEquals(n2.dcdb.checksum(), n1.dcdb.checksum());
        n1.dcdb.cleanup();
    }

    @Test
    void identicalMembersNeedNoUpdatesButStillGetUpdateComplete() {
        common(n1, n2);
        List<FakeRound> rounds = syncRound(n1, n2);
        assertEquals(List.of(N1, N2), rounds.get(0).synced);
        assertTrue(rounds.get(0).updates.isEmpty());
        assertEquals(1, rounds.get(0).completes, "the first member wins a full tie");
        assertEquals(0, rounds.get(1).completes);
    }

    @Test
    void leaderElectionOrder() {
        common(n1, n2, n3);
        for (Node n : List.of(n1, n2, n3)) {
            n.host.quorate = false; // rounds without quorum leave the versions as they are
        }
        // same version on n2 and n3, n3 later: n3 leads; n1 stays behind
        n2.deliver(N2, T + 10, new Operation.Mkdir("x"));
        n3.deliver(N3, T + 20, new Operation.Mkdir("y"));
        List<FakeRound> rounds = syncRound(n1, n2, n3);
        assertEquals(List.of(N3), rounds.get(0).synced);
        assertEquals(1, rounds.get(2).completes);
        // a higher version beats a later time
        n1.deliver(N1, T, new Operation.Mkdir("a"));
        n1.deliver(N1, T, new Operation.Mkdir("b"));
        rounds = syncRound(n1, n2, n3);
        assertEquals(List.of(N1), rounds.get(0).synced);
        assertEquals(1, rounds.get(0).completes);
    }

    /**
     * A member cut off may hold writes of an earlier view's tail that the others never got;
     * with "highest version wins" alone it led the heal over the writes the majority
     * acknowledged since (simulation seed 348). A quorate round lifts its members' version
     * above every version of the round by more than such a tail.
     */
    @Test
    void aQuorateRoundOutranksWhatAMemberCutOffBeforeAppliedAlone() {
        common(n1, n2, n3);
        for (int i = 0; i < 3; i++) {
            n2.deliver(N3, T + 1, new Operation.Mkdir("tail" + i)); // only n2 got the tail
        }
        syncRound(n1, n3); // n2 is cut off; n1 and n3 are a majority and hold the same tree
        assertEquals(n1.db.stats().version(), n3.db.stats().version());
        assertTrue(n1.db.stats().version() > n2.db.stats().version() + Dcdb.ROUND_VERSION_STEP / 2);
        n1.deliver(N1, T + 2, new Operation.Mkdir("acknowledged"));
        n3.deliver(N1, T + 2, new Operation.Mkdir("acknowledged"));
        List<FakeRound> rounds = syncRound(n1, n2, n3); // the heal
        assertEquals(List.of(N1, N3), rounds.get(1).synced, "the majority's tree leads, not n2's longer tail");
    }

    /**
     * A quorate round that only some of its members complete raises only their version; another
     * round among the others raises to the same version, and what a member that completed the
     * first alone applied on top outnumbered what the second round's members acknowledged
     * (simulation seed 1205). The second round was completed by all its members (agreed): its
     * version is agreed, stored with the tree, and outranks any version.
     */
    @Test
    void aRoundEveryMemberCompletedOutranksOneThatOnlySomeCompleted() throws Exception {
        common(n1, n2, n3);
        FakeRound alone = new FakeRound(N3);
        assertTrue(n3.dcdb.processStateUpdate(states(n2, n3), alone)); // n2's view changed before
        n3.dcdb.cleanup();
        n3.deliver(N3, T + 1, new Operation.Mkdir("never-acknowledged-1"));
        n3.deliver(N3, T + 1, new Operation.Mkdir("never-acknowledged-2"));
        syncRound(n1, n2);
        n1.dcdb.roundAgreed(); // every member's barrier is back
        n2.dcdb.roundAgreed();
        n1.deliver(N1, T + 2, new Operation.Mkdir("acknowledged"));
        n2.deliver(N1, T + 2, new Operation.Mkdir("acknowledged"));
        assertTrue(n3.db.stats().version() > n1.db.stats().version(), "n3 applied more on top");
        MemDb restarted = MemDb.open(n1.store, MemDb.DEFAULT_MAX_TOTAL_BYTES, T);
        assertEquals(n1.db.agreedVersion(), restarted.agreedVersion(), "the agreed version survives a restart");
        List<FakeRound> rounds = syncRound(n1, n2, n3); // the heal
        assertEquals(List.of(N1, N2), rounds.get(2).synced, "the agreed round's tree leads");
    }

    @Test
    void updatesFromAnyoneButTheLeaderAreRefused() {
        common(n1, n2);
        n2.deliver(N2, T + 1, new Operation.Mkdir("newer"));
        List<FakeRound> rounds = syncRound(n1, n2);
        byte[] u = rounds.get(1).updates.get(0);
        assertFalse(n1.dcdb.processUpdate(N3, u));
        assertFalse(n1.dcdb.processUpdate(N2, new byte[10]));
        n1.dcdb.cleanup();
        assertFalse(n1.dcdb.processUpdate(N2, u), "no round, no updates");
        assertFalse(n1.dcdb.commit());
    }

    @Test
    void aTransferThatDoesNotVerifyChangesNothingAndIsNotFatal() {
        common(n1, n2);
        n2.deliver(N2, T + 1, new Operation.Mkdir("newer"));
        n2.deliver(N2, T + 2, new Operation.Create("newer/f"));
        byte[] before = n1.dcdb.getState();
        List<FakeRound> rounds = syncRound(n1, n2);
        byte[] firstOfThree = firstRecord(rounds.get(1).updates.get(1));
        assertTrue(n1.dcdb.processUpdate(N2, rounds.get(1).updates.get(0)), "the index");
        assertTrue(n1.dcdb.processUpdate(N2, firstOfThree));
        assertFalse(n1.dcdb.commit());
        assertArrayEquals(before, n1.dcdb.getState());
        assertEquals(0, n1.host.errorModes, "a new round may well succeed");
    }

    @Test
    void aStoreFailureDuringTheTransferIsFatal() {
        common(n1, n2);
        n2.deliver(N2, T + 1, new Operation.Mkdir("newer"));
        List<FakeRound> rounds = syncRound(n1, n2);
        for (byte[] u : rounds.get(1).updates) {
            assertTrue(n1.dcdb.processUpdate(N2, u));
        }
        n1.store.failCommits = true;
        assertFalse(n1.dcdb.commit());
        assertEquals(1, n1.host.errorModes);
    }

    @Test
    void aMalformedStateFailsTheRound() {
        List<MemberState> states = new ArrayList<>(states(n1, n2));
        states.set(1, new MemberState(N2, new byte[31]));
        assertFalse(n1.dcdb.processStateUpdate(states, new FakeRound(N1)));
    }

    /** Every member's state goes to every member: its size must not grow with the tree. */
    @Test
    void theStateIsASummaryWhateverTheSizeOfTheTree() {
        common(n1, n2);
        int small = n1.dcdb.getState().length;
        for (int k = 0; k < 600; k++) {
            n1.deliver(N1, T + 1, new Operation.Create("f" + k));
        }
        assertEquals(small, n1.dcdb.getState().length);
        assertEquals(SyncState.BYTES, small);
    }

    @Test
    void anOutdatedMemberCommitsNothingWithoutTheLeadersIndex() {
        common(n1, n2);
        n2.deliver(N2, T + 1, new Operation.Mkdir("newer"));
        byte[] before = n1.dcdb.getState();
        List<FakeRound> rounds = syncRound(n1, n2);
        for (byte[] u : rounds.get(1).updates.subList(1, rounds.get(1).updates.size())) {
            assertTrue(n1.dcdb.processUpdate(N2, u));
        }
        assertFalse(n1.dcdb.commit(), "no index: nothing to check the result against");
        assertArrayEquals(before, n1.dcdb.getState());
    }

    @Test
    void anIndexThatDoesNotMatchTheLeadersStateIsRefused() {
        common(n1, n2, n3);
        n2.deliver(N2, T + 1, new Operation.Mkdir("newer"));
        n3.deliver(N3, T + 1, new Operation.Mkdir("other"));
        List<FakeRound> rounds = syncRound(n1, n2);
        byte[] index = rounds.get(1).updates.get(0);
        assertEquals(Dcdb.UPDATE_INDEX, index[0]);
        byte[] wrong = index.clone();
        wrong[wrong.length - 1] ^= 1; // a digest bit of the last entry
        assertFalse(n1.dcdb.processUpdate(N2, wrong));
        assertTrue(n1.dcdb.processUpdate(N2, index));
        assertFalse(n1.dcdb.processUpdate(N2, index), "one index per round");
    }

    /** The leader sends the index its state summarised; a tree that changed since is not sent. */
    @Test
    void aLeaderWhoseTreeChangedSinceItsStateSendsNothing() {
        common(n1, n2);
        n2.deliver(N2, T + 1, new Operation.Mkdir("newer"));
        List<MemberState> states = states(n1, n2);
        n2.deliver(N2, T + 2, new Operation.Mkdir("after-the-state"));
        FakeRound leader = new FakeRound(N2);
        assertFalse(n2.dcdb.processStateUpdate(states, leader));
        assertTrue(leader.updates.isEmpty(), "updates of another tree than the one its state described");
    }
}
