package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.dbstore.TestSupport.bytes;
import static org.pmxcfs.dbstore.TestSupport.dump;
import static org.pmxcfs.dbstore.TestSupport.jdbc;
import static org.pmxcfs.dbstore.TestSupport.ok;
import static org.pmxcfs.dbstore.TestSupport.ramDb;
import static org.pmxcfs.dbstore.TestSupport.sqliteDb;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pmxcfs.dbstore.TestSupport.FailingStore;

/** Reference 3.2 "Commit on a non-leader": all or nothing, verified against the leader's index. */
class SyncCommitTest {

    static final long T = 1_700_000_000L;
    static final int LEADER = 1;
    static final int FOLLOWER = 2;

    @TempDir
    Path tmp;

    private RamStore followerStore;
    private MemDb leader;
    private MemDb follower;
    private int reloads;

    static void at(MemDb db, int writer, long time, Operation... ops) {
        for (Operation op : ops) {
            ok(db.apply(op, writer, time));
        }
    }

    /** The history both nodes share: same messages, same order, so identical trees. */
    static void common(MemDb db) {
        at(db, LEADER, T,
                new Operation.Mkdir("nodes"), new Operation.Mkdir("nodes/n1"), new Operation.Mkdir("nodes/n2"),
                new Operation.Mkdir("nodes/n1/qemu-server"), new Operation.Mkdir("nodes/n2/qemu-server"),
                new Operation.Create("nodes/n1/qemu-server/100.conf"),
                new Operation.Write("nodes/n1/qemu-server/100.conf", 0, bytes("memory: 512\n")),
                new Operation.Create("shared.cfg"), new Operation.Write("shared.cfg", 0, bytes("base\n")),
                new Operation.Create("empty"), new Operation.Create("same.cfg"),
                new Operation.Write("same.cfg", 0, bytes("unchanged\n")));
    }

    /** What the partitioned leader side did. */
    static void leaderChanges(MemDb db) {
        at(db, LEADER, T + 10,
                new Operation.Write("shared.cfg", 0, bytes("leader\n")),
                new Operation.Create("nodes/n2/qemu-server/101.conf"),
                new Operation.Write("nodes/n2/qemu-server/101.conf", 0, bytes("cores: 4\n")),
                new Operation.Rename("nodes/n1/qemu-server/100.conf", "nodes/n2/qemu-server/100.conf"),
                new Operation.Delete("empty"), new Operation.Mkdir("newdir"));
    }

    /** What the follower did alone: its new inode numbers collide with the leader's. */
    static void followerChanges(MemDb db) {
        at(db, FOLLOWER, T + 20,
                new Operation.Create("local.cfg"), new Operation.Write("local.cfg", 0, bytes("mine\n")),
                new Operation.Write("shared.cfg", 0, bytes("follower version\n")),
                new Operation.Mkdir("nodes/n1/lxc"), new Operation.Create("nodes/n1/lxc/101.conf"));
    }

    /** What the leader multicasts for this member, sent through the UPDATE codec. */
    static List<TreeEntry> updatesFor(MemDb leader, Index member) throws WireFormatException {
        List<TreeEntry> out = new ArrayList<>();
        for (long inode : IndexDiff.between(leader.index(), member).send()) {
            out.add(InodeUpdate.decode(InodeUpdate.encode(leader.entry(inode).orElseThrow())));
        }
        return out;
    }

    /** Every stored row with every field: equal strings mean equal stores. */
    static String rows(RamStore store) {
        return store.rows.values().stream()
                .map(e -> e + " data=" + (e.data() == null ? "null" : java.util.HexFormat.of().formatHex(e.data())))
                .collect(Collectors.joining("\n"));
    }

    private void countReloads(MemDb db) {
        db.setListener(new MemDb.ChangeListener() {
            @Override
            public void changed(String path) {}

            @Override
            public void reloaded() {
                reloads++;
            }
        });
    }

    @BeforeEach
    void diverge() {
        leader = ramDb();
        followerStore = new RamStore();
        follower = ramDb(followerStore);
        common(leader);
        common(follower);
        assertEquals(dump(leader), dump(follower));
        leaderChanges(leader);
        followerChanges(follower);
        countReloads(follower);
    }

    @Test
    void followerEndsWithTheLeadersTreeInRamAndInTheStore() throws Exception {
        Index target = leader.index();
        follower.commitSync(target, updatesFor(leader, follower.index()));

        assertArrayEquals(target.encode(), follower.index().encode());
        assertEquals(dump(leader), dump(follower));
        assertArrayEquals(leader.checksum(), follower.checksum());
        assertEquals(1, reloads);
        assertFalse(follower.failed());
        // the VMID registry follows the new tree: 100 moved to n2, the follower's lxc 101 is gone
        VmList vms = follower.vmList();
        assertEquals("n2", vms.vms().get(100L).node());
        assertEquals("qemu", vms.vms().get(101L).type());
        assertEquals(2, vms.vms().size());
        // and the store holds exactly that tree
        MemDb reopened = ramDb(followerStore);
        assertEquals(dump(leader), dump(reopened));
        assertEquals(TreeEntry.TYPE_DIR, followerStore.rows.get(0L).type(), "the version row as the original writes it");
    }

    @Test
    void bothNodesStayInStepAfterwards() throws Exception {
        follower.commitSync(leader.index(), updatesFor(leader, follower.index()));
        for (MemDb db : List.of(leader, follower)) {
            at(db, FOLLOWER, T + 30, new Operation.Mkdir("after"), new Operation.Create("after/x"),
                    new Operation.Write("after/x", 0, bytes("x")));
            TestSupport.fails(Errno.EEXIST, db.apply(new Operation.Create("nodes/n1/qemu-server/101.conf"), 2, T + 31));
        }
        assertEquals(dump(leader), dump(follower));
    }

    @Test
    void differingPathsNameWhatTheFollowerWouldLose() {
        List<String> lost = follower.differingPaths(leader.index());
        // local.cfg and lxc are the follower's own; shared.cfg differs; 100.conf moved and empty
        // was deleted on the leader
        assertEquals(List.of("empty", "local.cfg", "nodes/n1/lxc", "nodes/n1/lxc/101.conf", "nodes/n1/qemu-server/100.conf",
                "shared.cfg"), lost);
        assertTrue(leader.differingPaths(leader.index()).isEmpty());
    }

    @Test
    void noChangesNeededStillVerifiesAndReloads() throws Exception {
        MemDb twin = ramDb();
        common(twin);
        leaderChanges(twin);
        countReloads(twin);
        assertTrue(updatesFor(leader, twin.index()).isEmpty());
        twin.commitSync(leader.index(), List.of());
        assertEquals(dump(leader), dump(twin));
        assertEquals(1, reloads);
    }

    private void refusedUnchanged(Index target, List<TreeEntry> updates, String mustMention) {
        // pending writes are committed by any commitSync, successful or not: not part of the check
        assertFalse(follower.failed());
        String before = dump(follower);
        String storeBefore = rows(followerStore);
        byte[] indexBefore = follower.index().encode();
        SyncCommitException e = assertThrows(SyncCommitException.class, () -> follower.commitSync(target, updates));
        assertTrue(e.getMessage().contains(mustMention), e.getMessage());
        assertEquals(before, dump(follower), "RAM untouched");
        assertEquals(storeBefore, rows(followerStore), "store untouched");
        assertArrayEquals(indexBefore, follower.index().encode());
        assertEquals(0, reloads);
        assertFalse(follower.failed(), "the caller decides whether this is fatal");
        at(follower, FOLLOWER, T + 40, new Operation.Mkdir("still-writable"));
    }

    @Test
    void aMissingUpdateIsRefused() throws Exception {
        List<TreeEntry> updates = updatesFor(leader, follower.index());
        updates.remove(updates.size() - 1);
        refusedUnchanged(leader.index(), updates, "does not match the leader's index");
    }

    @Test
    void aTamperedUpdateIsRefused() throws Exception {
        List<TreeEntry> updates = new ArrayList<>();
        for (TreeEntry e : updatesFor(leader, follower.index())) {
            updates.add(e.name().equals("shared.cfg") ? e.modified(e.version(), e.writer(), e.mtime(), bytes("evil\n")) : e);
        }
        refusedUnchanged(leader.index(), updates, "differing inodes");
    }

    @Test
    void anUpdateTheLeaderDoesNotListIsRefused() throws Exception {
        List<TreeEntry> updates = updatesFor(leader, follower.index());
        updates.add(new TreeEntry(999, 0, 5, 1, T, TreeEntry.TYPE_FILE, "stray", null));
        refusedUnchanged(leader.index(), updates, "999");
    }

    @Test
    void anInconsistentTreeIsRefusedEvenWithAMatchingIndex() {
        // a "leader" whose tree has an entry without parent directory: its own index lists it
        List<TreeEntry> tree = new ArrayList<>();
        for (long inode : follower.index().entries().stream().map(Index.Entry::inode).toList()) {
            tree.add(follower.entry(inode).orElseThrow());
        }
        TreeEntry orphan = new TreeEntry(500, 499, 500, 1, T, TreeEntry.TYPE_FILE, "orphan", null);
        tree.add(orphan);
        refusedUnchanged(Index.of(follower.entry(0).orElseThrow(), tree), List.of(orphan), "missing directory inode 499");
    }

    @Test
    void aDuplicateVmidIsRefused() {
        List<TreeEntry> tree = new ArrayList<>();
        for (long inode : follower.index().entries().stream().map(Index.Entry::inode).toList()) {
            tree.add(follower.entry(inode).orElseThrow());
        }
        long n2qemu = follower.lookup("nodes/n2/qemu-server").orElseThrow().inode();
        TreeEntry dup = new TreeEntry(500, n2qemu, 500, 1, T, TreeEntry.TYPE_FILE, "101.conf", null);
        tree.add(dup);
        refusedUnchanged(Index.of(follower.entry(0).orElseThrow(), tree), List.of(dup), "duplicate VMID 101");
    }

    @Test
    void aStoreFailureLeavesEverythingAsItWas() throws Exception {
        RamStore ram = new RamStore();
        FailingStore failing = new FailingStore(ram);
        MemDb db = ramDb(failing);
        common(db);
        followerChanges(db);
        assertFalse(db.failed());
        String before = dump(db);
        String storeBefore = rows(ram);
        failing.arm();
        SyncCommitException e = assertThrows(SyncCommitException.class,
                () -> db.commitSync(leader.index(), updatesFor(leader, db.index())));
        assertTrue(e.getMessage().contains("unable to store"), e.getMessage());
        assertEquals(before, dump(db));
        assertEquals(storeBefore, rows(ram));
        assertFalse(db.failed());
    }

    @Test
    void aDatabaseInTheErrorStateRefuses() {
        FailingStore failing = new FailingStore(new RamStore());
        MemDb db = ramDb(failing);
        failing.arm();
        TestSupport.fails(Errno.EIO, db.apply(new Operation.Mkdir("x"), 0, T));
        SyncCommitException e = assertThrows(SyncCommitException.class,
                () -> db.commitSync(leader.index(), updatesFor(leader, db.index())));
        assertTrue(e.getMessage().contains("error state"), e.getMessage());
    }

    @Test
    void pendingLocalWritesAreStoredBeforeTheTransfer() throws Exception {
        // create and write stay pending until a flush; same.cfg is identical on both sides, so the
        // leader does not send it and the store must already hold it
        RamStore store = new RamStore();
        MemDb db = ramDb(store);
        common(db);
        at(db, LEADER, T + 10, new Operation.Write("same.cfg", 0, bytes("UNCHANGED\n")));
        at(leader, LEADER, T + 10, new Operation.Write("same.cfg", 0, bytes("UNCHANGED\n")));
        db.commitSync(leader.index(), updatesFor(leader, db.index()));
        assertEquals(dump(leader), dump(ramDb(store)));
    }

    @Test
    void onSqliteTheTransferIsOneDurableTransaction() throws Exception {
        Path file = tmp.resolve("config.db");
        MemDb db = sqliteDb(file);
        common(db);
        followerChanges(db);
        db.commitSync(leader.index(), updatesFor(leader, db.index()));
        db.close();
        MemDb reopened = sqliteDb(file);
        assertEquals(dump(leader), dump(reopened));
        assertArrayEquals(leader.index().encode(), reopened.index().encode());
        reopened.close();
        try (Connection c = jdbc(file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT type, name FROM tree WHERE inode = 0")) {
            assertTrue(rs.next());
            assertEquals(4, rs.getInt(1));
            assertEquals("__version__", rs.getString(2));
        }
    }

    @Test
    void resetForJoinLeavesExactlyWhatANewDatabaseWithTheImportHolds() throws Exception {
        Path file = tmp.resolve("join.db");
        MemDb db = TestSupport.sqliteDb(file);
        common(db);
        byte[] conf = bytes("totem {\n  config_version: 2\n}\n");
        db.resetForJoin(conf, T);

        Path fresh = tmp.resolve("fresh.db");
        MemDb reference = TestSupport.sqliteDb(fresh);
        at(reference, 0, T, new Operation.Create("corosync.conf"), new Operation.Write("corosync.conf", 0, conf));
        org.junit.jupiter.api.Assertions.assertArrayEquals(reference.index().encode(), db.index().encode(),
                "same tree, versions and inodes as a new database after the import");
        org.junit.jupiter.api.Assertions.assertEquals(0, db.vmList().vms().size(), "guests are gone");
        db.close();
        MemDb reopened = TestSupport.sqliteDb(file);
        org.junit.jupiter.api.Assertions.assertArrayEquals(reference.index().encode(), reopened.index().encode(),
                "and that is what is stored");
        reopened.close();
        reference.close();
    }
}
