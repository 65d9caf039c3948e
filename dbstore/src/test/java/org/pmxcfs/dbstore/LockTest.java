package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.dbstore.TestSupport.dump;
import static org.pmxcfs.dbstore.TestSupport.entry;
import static org.pmxcfs.dbstore.TestSupport.fails;
import static org.pmxcfs.dbstore.TestSupport.mkdirs;
import static org.pmxcfs.dbstore.TestSupport.ok;
import static org.pmxcfs.dbstore.TestSupport.put;
import static org.pmxcfs.dbstore.TestSupport.ramDb;
import static org.pmxcfs.dbstore.TestSupport.sqliteDb;
import static org.pmxcfs.dbstore.TestSupport.version;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reference 3.7 at memdb level: lock directories under priv/lock, refresh rules, unlock by digest. */
class LockTest {

    private static final String LOCK = "priv/lock/file-storage_cfg";
    private static final int OWNER = 1;
    private static final int OTHER = 2;
    private static final long T0 = 1_700_000_100L;

    @TempDir
    Path tmp;

    private MemDb db;

    @BeforeEach
    void setUp() {
        db = ramDb();
        mkdirs(db, "priv/lock");
        ok(db.apply(new Operation.Mkdir(LOCK), OWNER, T0));
    }

    private Result utime(String path, long mtime, int writer) {
        return db.apply(new Operation.SetMtime(path, mtime), writer, T0 + 5);
    }

    @Test
    void acquireIsMkdirAndTheLoserGetsEexist() {
        fails(Errno.EEXIST, db.apply(new Operation.Mkdir(LOCK), OTHER, T0 + 1));
        assertEquals(OWNER, entry(db, LOCK).writer());
    }

    @Test
    void ownerMayRefreshWithASameOrNewerMtime() {
        long v = version(db);
        byte[] digest = entry(db, LOCK).metaDigest();
        ok(utime(LOCK, T0, OWNER));
        assertEquals(v + 1, version(db));
        ok(utime(LOCK, T0 + 60, OWNER));
        assertEquals(T0 + 60, entry(db, LOCK).mtime());
        assertEquals(OWNER, entry(db, LOCK).writer());
        assertFalse(Arrays.equals(digest, entry(db, LOCK).metaDigest()), "a refresh changes the lock's identity");
    }

    @Test
    void olderMtimeOrAnotherWriterIsEacces() {
        String before = dump(db);
        fails(Errno.EACCES, utime(LOCK, T0 - 1, OWNER));
        fails(Errno.EACCES, utime(LOCK, 0, OWNER)); // the unlock-request utime(0, 0)
        fails(Errno.EACCES, utime(LOCK, T0 + 60, OTHER));
        fails(Errno.EACCES, utime(LOCK, T0, OTHER));
        assertEquals(before, dump(db));
    }

    @Test
    void onlyDirectoriesDirectlyBelowPrivLockAreLocks() {
        put(db, "priv/lock/plainfile", "x");
        mkdirs(db, LOCK + "/sub");
        mkdirs(db, "other/lock/x");
        mkdirs(db, "nodes/n1/priv/lock/x");
        for (String p : List.of("priv/lock/plainfile", LOCK + "/sub", "other/lock/x", "nodes/n1/priv/lock/x",
                "priv/lock", "priv")) {
            ok(utime(p, 0, OTHER));
            assertEquals(0, entry(db, p).mtime(), p);
        }
    }

    @Test
    void lockDirectoryIsRecognisedWhateverTheSlashes() {
        fails(Errno.EACCES, utime("/priv//lock/file-storage_cfg/", 0, OWNER));
        assertTrue(MemDb.isLockDir(Paths.split("/priv/lock/x/"), entry(db, LOCK)));
        assertFalse(MemDb.isLockDir(Paths.split("priv/lock/x/y"), entry(db, LOCK)));
    }

    @Test
    void unlockWithTheCurrentDigestRemovesTheLock() {
        byte[] digest = entry(db, LOCK).metaDigest();
        long v = version(db);
        ok(db.apply(new Operation.Unlock(LOCK, digest), OTHER, T0 + 200));
        assertTrue(db.lookup(LOCK).isEmpty());
        assertEquals(v + 1, version(db));
        ok(db.apply(new Operation.Mkdir(LOCK), OTHER, T0 + 201)); // and the lock can be taken again
    }

    @Test
    void unlockWithAStaleDigestIsEaccesAndKeepsTheLock() {
        byte[] stale = entry(db, LOCK).metaDigest();
        ok(utime(LOCK, T0 + 30, OWNER)); // refreshed meanwhile
        String before = dump(db);
        fails(Errno.EACCES, db.apply(new Operation.Unlock(LOCK, stale), OTHER, T0 + 200));
        fails(Errno.EACCES, db.apply(new Operation.Unlock(LOCK, new byte[32]), OTHER, T0 + 200));
        assertEquals(before, dump(db));
    }

    @Test
    void unlockOnlyRemovesLocks() {
        mkdirs(db, "other/dir");
        put(db, "priv/lock/plainfile", "x");
        String before = dump(db);
        fails(Errno.EACCES, db.apply(new Operation.Unlock("other/dir", entry(db, "other/dir").metaDigest()), 0, 1));
        fails(Errno.EACCES, db.apply(new Operation.Unlock("priv/lock/plainfile",
                entry(db, "priv/lock/plainfile").metaDigest()), 0, 1));
        fails(Errno.EACCES, db.apply(new Operation.Unlock("priv/lock/missing", new byte[32]), 0, 1));
        fails(Errno.EACCES, db.apply(new Operation.Unlock("priv/lock", entry(db, "priv/lock").metaDigest()), 0, 1));
        assertEquals(before, dump(db));
    }

    @Test
    void lockWithChildrenIsNotRemoved() {
        mkdirs(db, LOCK + "/child");
        fails(Errno.ENOTEMPTY, TestSupport.delete(db, LOCK));
        assertFalse(db.apply(new Operation.Unlock(LOCK, entry(db, LOCK).metaDigest()), 0, 1).isOk());
        assertTrue(db.lookup(LOCK + "/child").isPresent());
    }

    @Test
    void releaseIsRmdirWithoutOwnerCheck() {
        ok(db.apply(new Operation.Delete(LOCK), OTHER, T0 + 1));
        assertTrue(db.lookup(LOCK).isEmpty());
    }

    @Test
    void metaDigestIsSha256OfTheReferenceLayout() throws Exception {
        // memdb_tree_entry_csum: inode u64, version u64, writer u32, mtime u32, size u32, type u8,
        // parent u64, name bytes; host order (little-endian). Directories have no data to add.
        TreeEntry e = entry(db, LOCK);
        ByteBuffer b = ByteBuffer.allocate(37).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(e.inode()).putLong(e.version()).putInt(OWNER).putInt((int) T0).putInt(0).put((byte) 4)
                .putLong(e.parent());
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(b.array());
        md.update("file-storage_cfg".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(md.digest(), e.metaDigest());
    }

    @Test
    void metaDigestChangesWithEveryField() {
        TreeEntry e = new TreeEntry(5, 3, 7, 1, 100, TreeEntry.TYPE_DIR, "x", null);
        byte[] d = e.metaDigest();
        for (TreeEntry other : List.of(
                new TreeEntry(6, 3, 7, 1, 100, TreeEntry.TYPE_DIR, "x", null),
                new TreeEntry(5, 4, 7, 1, 100, TreeEntry.TYPE_DIR, "x", null),
                new TreeEntry(5, 3, 8, 1, 100, TreeEntry.TYPE_DIR, "x", null),
                new TreeEntry(5, 3, 7, 2, 100, TreeEntry.TYPE_DIR, "x", null),
                new TreeEntry(5, 3, 7, 1, 101, TreeEntry.TYPE_DIR, "x", null),
                new TreeEntry(5, 3, 7, 1, 100, TreeEntry.TYPE_FILE, "x", null),
                new TreeEntry(5, 3, 7, 1, 100, TreeEntry.TYPE_DIR, "y", null))) {
            assertFalse(Arrays.equals(d, other.metaDigest()), other.toString());
        }
        assertArrayEquals(d, new TreeEntry(5, 3, 7, 1, 100, TreeEntry.TYPE_DIR, "x", null).metaDigest());
    }

    @Test
    void lockStatePersists() throws Exception {
        Path file = tmp.resolve("config.db");
        MemDb disk = sqliteDb(file);
        mkdirs(disk, "priv/lock");
        ok(disk.apply(new Operation.Mkdir(LOCK), OWNER, T0));
        ok(disk.apply(new Operation.SetMtime(LOCK, T0 + 10), OWNER, T0 + 10));
        byte[] digest = entry(disk, LOCK).metaDigest();
        disk.close();
        MemDb reopened = sqliteDb(file);
        assertArrayEquals(digest, entry(reopened, LOCK).metaDigest(), "every node derives the same lock identity");
        fails(Errno.EACCES, reopened.apply(new Operation.SetMtime(LOCK, T0 + 20), OTHER, T0 + 20));
        ok(reopened.apply(new Operation.Unlock(LOCK, digest), OTHER, T0 + 500));
        reopened.close();
        MemDb again = sqliteDb(file);
        assertTrue(again.lookup(LOCK).isEmpty());
        again.close();
    }
}
