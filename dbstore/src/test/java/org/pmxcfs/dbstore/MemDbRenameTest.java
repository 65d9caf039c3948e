package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.dbstore.TestSupport.NOW;
import static org.pmxcfs.dbstore.TestSupport.bytes;
import static org.pmxcfs.dbstore.TestSupport.create;
import static org.pmxcfs.dbstore.TestSupport.dump;
import static org.pmxcfs.dbstore.TestSupport.entry;
import static org.pmxcfs.dbstore.TestSupport.fails;
import static org.pmxcfs.dbstore.TestSupport.mkdir;
import static org.pmxcfs.dbstore.TestSupport.mkdirs;
import static org.pmxcfs.dbstore.TestSupport.ok;
import static org.pmxcfs.dbstore.TestSupport.put;
import static org.pmxcfs.dbstore.TestSupport.ramDb;
import static org.pmxcfs.dbstore.TestSupport.rename;
import static org.pmxcfs.dbstore.TestSupport.sqliteDb;
import static org.pmxcfs.dbstore.TestSupport.text;
import static org.pmxcfs.dbstore.TestSupport.version;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reference 1.4, including its two [ref-bug]s. */
class MemDbRenameTest {

    @TempDir
    Path tmp;

    @Test
    void renameMovesTheEntryKeepingInodeAndData() {
        MemDb db = ramDb();
        mkdirs(db, "a");
        mkdirs(db, "b");
        put(db, "a/f", "content");
        TreeEntry before = entry(db, "a/f");
        long v = version(db);
        ok(0, db.apply(new Operation.Rename("a/f", "b/g"), 5, 777));
        assertTrue(db.lookup("a/f").isEmpty());
        TreeEntry after = entry(db, "b/g");
        assertEquals(before.inode(), after.inode());
        assertEquals(entry(db, "b").inode(), after.parent());
        assertEquals("g", after.name());
        assertEquals(v + 1, after.version());
        assertEquals(v + 1, version(db));
        assertEquals(5, after.writer());
        assertEquals(777, after.mtime());
        assertArrayEquals(bytes("content"), after.data());
        assertTrue(db.list("a").isEmpty());
    }

    @Test
    void emptyDirectoriesCanBeRenamed() {
        MemDb db = ramDb();
        ok(mkdir(db, "a"));
        long inode = entry(db, "a").inode();
        ok(rename(db, "a", "b"));
        assertTrue(entry(db, "b").isDir());
        assertEquals(inode, entry(db, "b").inode());
        put(db, "b/f", "x");
        assertEquals("x", text(db, "b/f"), "the renamed directory is fully usable");
    }

    @Test
    void sourceErrors() {
        MemDb db = ramDb();
        ok(mkdir(db, "d"));
        fails(Errno.ENOENT, rename(db, "nope", "x"));
        fails(Errno.ENOENT, rename(db, "d/nope", "x"));
        fails(Errno.EACCES, rename(db, "", "x"));
        fails(Errno.EACCES, rename(db, "/", "x"));
        assertTrue(db.lookup("x").isEmpty());
    }

    @Test
    void targetErrors() {
        MemDb db = ramDb();
        put(db, "f", "x");
        put(db, "file", "y");
        String before = dump(db);
        fails(Errno.ENOENT, rename(db, "f", "missing/g"));
        fails(Errno.ENOTDIR, rename(db, "f", "file/g"));
        fails(Errno.EACCES, rename(db, "f", ""));
        fails(Errno.EACCES, rename(db, "f", "/"));
        fails(Errno.EACCES, rename(db, "f", ".."));
        assertEquals(before, dump(db));
    }

    @Test
    void fileReplacesFile() {
        MemDb db = ramDb();
        put(db, "new", "new content");
        put(db, "old", "old content");
        long newInode = entry(db, "new").inode();
        long v = version(db);
        ok(rename(db, "new", "old"));
        assertEquals(v + 1, version(db), "replacing is one change");
        assertEquals(newInode, entry(db, "old").inode());
        assertEquals("new content", text(db, "old"));
        assertTrue(db.lookup("new").isEmpty());
        assertEquals(2, db.stats().entries());
        assertEquals(11, db.stats().totalBytes());
    }

    @Test
    void fileReplacesEmptyDirectoryAndViceVersa() {
        MemDb db = ramDb();
        put(db, "f", "x");
        ok(mkdir(db, "d"));
        ok(rename(db, "f", "d"));
        assertFalse(entry(db, "d").isDir());
        assertEquals("x", text(db, "d"));

        ok(mkdir(db, "e"));
        ok(rename(db, "e", "d"));
        assertTrue(entry(db, "d").isDir());
        assertEquals(0, db.stats().totalBytes());
        assertEquals(2, db.stats().entries());
    }

    @Test
    void nonEmptyTargetDirectoryIsRefused() {
        MemDb db = ramDb();
        put(db, "f", "x");
        mkdirs(db, "d");
        put(db, "d/child", "y");
        String before = dump(db);
        fails(Errno.ENOTEMPTY, rename(db, "f", "d"));
        assertEquals(before, dump(db));
    }

    @Test
    void nonEmptySourceDirectoryIsRefused() {
        MemDb db = ramDb();
        mkdirs(db, "d");
        put(db, "d/child", "y");
        String before = dump(db);
        fails(Errno.ENOTEMPTY, rename(db, "d", "e"));
        assertEquals(before, dump(db));
    }

    @Test
    void nonEmptyDirectoryOntoEmptyDirectoryChangesNothingInRamOrOnDisk() throws Exception {
        // [ref-bug] 1.4: the reference removes the target from RAM (not from the DB) and then fails
        Path file = tmp.resolve("config.db");
        MemDb db = sqliteDb(file);
        mkdirs(db, "src");
        put(db, "src/child", "keep me");
        ok(mkdir(db, "target"));
        String before = dump(db);
        fails(Errno.ENOTEMPTY, rename(db, "src", "target"));
        assertEquals(before, dump(db));
        assertFalse(db.failed());
        ok(create(db, "target/f")); // the target is still a usable directory
        ok(TestSupport.delete(db, "target/f"));
        String expected = dump(db);
        db.close();

        MemDb reopened = sqliteDb(file);
        assertEquals(expected, dump(reopened));
        assertTrue(entry(reopened, "target").isDir());
        assertEquals("keep me", text(reopened, "src/child"));
        reopened.close();
    }

    @Test
    void renameOntoItselfIsANoOp() {
        // [ref-bug] 1.4: the reference goes into the permanent error state
        MemDb db = ramDb();
        mkdirs(db, "d");
        put(db, "d/f", "x");
        String before = dump(db);
        ok(rename(db, "d/f", "d/f"));
        ok(rename(db, "/d//f", "d/f/"));
        ok(rename(db, "d", "d"));
        assertEquals(before, dump(db), "no version bump, nothing moved");
        assertFalse(db.failed());
        ok(create(db, "d/g"));
    }

    @Test
    void renameOntoItselfIsANoOpOnDiskToo() throws Exception {
        Path file = tmp.resolve("config.db");
        MemDb db = sqliteDb(file);
        put(db, "f", "x");
        ok(rename(db, "f", "f"));
        ok(mkdir(db, "d"));
        String expected = dump(db);
        db.close();
        MemDb reopened = sqliteDb(file);
        assertEquals(expected, dump(reopened));
        reopened.close();
    }

    @Test
    void lockDirectoriesCannotBeRenamed() {
        MemDb db = ramDb();
        mkdirs(db, "priv/lock/file-x");
        put(db, "priv/lock/plainfile", "x");
        mkdirs(db, "other");
        String before = dump(db);
        fails(Errno.EACCES, rename(db, "priv/lock/file-x", "priv/lock/file-y"));
        fails(Errno.EACCES, rename(db, "priv/lock/file-x", "other/x"));
        // the lock rule (step 4) comes before the target checks (step 5)
        fails(Errno.EACCES, rename(db, "priv/lock/file-x", "missing/x"));
        assertEquals(before, dump(db));
        // files below priv/lock and deeper directories are ordinary entries
        ok(rename(db, "priv/lock/plainfile", "priv/lock/plain2"));
        mkdirs(db, "priv/lock/file-x/sub");
        ok(rename(db, "priv/lock/file-x/sub", "priv/lock/file-x/sub2"));
    }

    @Test
    void directoryCannotBeMovedIntoItself() throws Exception {
        // not reachable through the kernel (EINVAL there), but a replicated message may carry it:
        // the entry would become its own parent, vanish from the tree and break the next load
        Path file = tmp.resolve("config.db");
        MemDb db = sqliteDb(file);
        ok(mkdir(db, "a"));
        String before = dump(db);
        fails(Errno.EINVAL, rename(db, "a", "a/b"));
        assertEquals(before, dump(db));
        assertFalse(db.failed());
        db.close();
        MemDb reopened = sqliteDb(file);
        assertEquals(before, dump(reopened));
        reopened.close();
    }

    @Test
    void renameIsPersistedAndTheReplacedRowDeleted() throws Exception {
        Path file = tmp.resolve("config.db");
        MemDb db = sqliteDb(file);
        mkdirs(db, "a");
        put(db, "a/tmp.123", "new");
        put(db, "a/cfg", "old");
        long replaced = entry(db, "a/cfg").inode();
        long moved = entry(db, "a/tmp.123").inode();
        ok(rename(db, "a/tmp.123", "a/cfg"));
        String expected = dump(db);
        db.close();

        try (Connection c = TestSupport.jdbc(file); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM tree WHERE inode = " + replaced)) {
                assertEquals(0, rs.getInt(1));
            }
            try (ResultSet rs = st.executeQuery("SELECT name, data FROM tree WHERE inode = " + moved)) {
                assertTrue(rs.next());
                assertEquals("cfg", rs.getString(1));
                assertArrayEquals(bytes("new"), rs.getBytes(2));
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM tree")) {
                assertEquals(3, rs.getInt(1), "version row, a, a/cfg");
            }
        }
        MemDb reopened = sqliteDb(file);
        assertEquals(expected, dump(reopened));
        reopened.close();
    }

    @Test
    void pendingWritesOfTheMovedFileAreCommittedWithTheRename() throws Exception {
        Path file = tmp.resolve("config.db");
        MemDb db = sqliteDb(file);
        ok(create(db, "f.tmp"));
        ok(3, TestSupport.write(db, "f.tmp", 0, "abc"));
        ok(rename(db, "f.tmp", "f"));
        // no flush, no close: read the file as another process would
        try (Connection c = TestSupport.jdbc(file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name, data FROM tree WHERE inode <> 0")) {
            assertTrue(rs.next());
            assertEquals("f", rs.getString(1));
            assertArrayEquals(bytes("abc"), rs.getBytes(2));
            assertFalse(rs.next());
        }
        db.close();
    }

    @Test
    void renameOfRootOrOntoRootLeavesEverythingUsable() {
        MemDb db = ramDb();
        put(db, "f", "x");
        fails(Errno.EACCES, db.apply(new Operation.Rename("", "f"), 0, NOW));
        fails(Errno.EACCES, db.apply(new Operation.Rename("f", ""), 0, NOW));
        assertEquals("x", text(db, "f"));
        assertEquals(2, db.stats().entries());
    }
}
