package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.dbstore.TestSupport.NOW;
import static org.pmxcfs.dbstore.TestSupport.bytes;
import static org.pmxcfs.dbstore.TestSupport.content;
import static org.pmxcfs.dbstore.TestSupport.create;
import static org.pmxcfs.dbstore.TestSupport.delete;
import static org.pmxcfs.dbstore.TestSupport.dump;
import static org.pmxcfs.dbstore.TestSupport.entry;
import static org.pmxcfs.dbstore.TestSupport.fails;
import static org.pmxcfs.dbstore.TestSupport.mkdir;
import static org.pmxcfs.dbstore.TestSupport.ok;
import static org.pmxcfs.dbstore.TestSupport.put;
import static org.pmxcfs.dbstore.TestSupport.ramDb;
import static org.pmxcfs.dbstore.TestSupport.rename;
import static org.pmxcfs.dbstore.TestSupport.text;
import static org.pmxcfs.dbstore.TestSupport.truncate;
import static org.pmxcfs.dbstore.TestSupport.version;
import static org.pmxcfs.dbstore.TestSupport.write;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reference 1.1-1.3: numbering, stamping, and every errno of mkdir/create/write/truncate/delete/mtime. */
class MemDbOperationsTest {

    // ------------------------------------------------------------ numbering

    @Test
    void freshDatabaseHasVersionOneAndOnlyTheRoot() {
        MemDb db = ramDb();
        assertEquals(1, version(db));
        assertEquals(1, db.stats().entries());
        TreeEntry root = entry(db, "");
        assertTrue(root.isDir());
        assertEquals(0, root.inode());
        assertEquals(0, root.writer());
        assertEquals(NOW, root.mtime());
        assertTrue(db.list("").isEmpty());
        assertEquals(root, entry(db, "/"));
    }

    @Test
    void everySuccessfulMutationBumpsTheVersionByOneAndNewEntriesTakeItAsInode() {
        MemDb db = ramDb();
        ok(db.apply(new Operation.Mkdir("a"), 7, 100));
        TreeEntry a = entry(db, "a");
        assertEquals(2, a.inode(), "first entry of a fresh db is inode 2");
        assertEquals(2, a.version());
        assertEquals(0, a.parent());
        assertEquals(7, a.writer());
        assertEquals(100, a.mtime());

        ok(db.apply(new Operation.Create("a/f"), 8, 101));
        assertEquals(3, entry(db, "a/f").inode());
        assertEquals(2, entry(db, "a/f").parent());
        assertEquals(3, version(db));

        ok(db.apply(new Operation.Write("a/f", 0, bytes("hello")), 9, 102));
        TreeEntry f = entry(db, "a/f");
        assertEquals(3, f.inode(), "a write keeps the inode");
        assertEquals(4, f.version());
        assertEquals(9, f.writer());
        assertEquals(102, f.mtime());

        ok(db.apply(new Operation.Truncate("a/f", 2), 10, 103));
        assertEquals(5, entry(db, "a/f").version());
        assertEquals(10, entry(db, "a/f").writer());

        ok(db.apply(new Operation.SetMtime("a/f", 5000), 11, 104));
        assertEquals(6, entry(db, "a/f").version());
        assertEquals(5000, entry(db, "a/f").mtime(), "utimens stores the requested mtime");
        assertEquals(11, entry(db, "a/f").writer());

        ok(db.apply(new Operation.Rename("a/f", "g"), 12, 105));
        TreeEntry g = entry(db, "g");
        assertEquals(3, g.inode(), "rename keeps the inode");
        assertEquals(7, g.version());
        assertEquals(12, g.writer());
        assertEquals(105, g.mtime());
        assertArrayEquals(bytes("he"), g.data());

        ok(db.apply(new Operation.Delete("g"), 13, 106));
        assertEquals(8, version(db));

        ok(db.apply(new Operation.Mkdir("b"), 14, 107));
        assertEquals(9, entry(db, "b").inode(), "inode numbers are never reused");

        TreeEntry root = entry(db, "");
        assertEquals(9, root.version());
        assertEquals(14, root.writer(), "the root carries the writer of the last change anywhere");
        assertEquals(107, root.mtime());
    }

    @Test
    void directoryFieldsDoNotChangeWhenChildrenChange() {
        MemDb db = ramDb();
        ok(mkdir(db, "d"));
        TreeEntry before = entry(db, "d");
        put(db, "d/f", "x");
        ok(delete(db, "d/f"));
        TreeEntry after = entry(db, "d");
        assertEquals(before.version(), after.version());
        assertEquals(before.mtime(), after.mtime());
        assertEquals(before.writer(), after.writer());
    }

    @Test
    void failedOperationsChangeNothing() {
        MemDb db = ramDb();
        ok(mkdir(db, "d"));
        put(db, "d/f", "data");
        String before = dump(db);
        fails(Errno.EEXIST, mkdir(db, "d"));
        fails(Errno.ENOENT, create(db, "x/y"));
        fails(Errno.ENOTDIR, write(db, "d", 0, "x"));
        fails(Errno.EFBIG, truncate(db, "d/f", MemDb.MAX_FILE_SIZE + 1L));
        fails(Errno.ENOTEMPTY, delete(db, "d"));
        fails(Errno.ENOENT, rename(db, "nope", "x"));
        fails(Errno.ENOENT, db.apply(new Operation.SetMtime("nope", 1), 0, NOW));
        assertEquals(before, dump(db));
    }

    @Test
    void twoDatabasesFedTheSameOperationsHoldIdenticalTrees() {
        List<Operation> ops = new ArrayList<>();
        ops.add(new Operation.Mkdir("nodes"));
        ops.add(new Operation.Mkdir("nodes/n1"));
        ops.add(new Operation.Mkdir("nodes/n1/qemu-server"));
        ops.add(new Operation.Create("nodes/n1/qemu-server/100.conf.tmp.1"));
        ops.add(new Operation.Write("nodes/n1/qemu-server/100.conf.tmp.1", 0, bytes("memory: 512\n")));
        ops.add(new Operation.Rename("nodes/n1/qemu-server/100.conf.tmp.1", "nodes/n1/qemu-server/100.conf"));
        ops.add(new Operation.Create("nodes/n1/qemu-server/100.conf")); // EEXIST, deterministic too
        ops.add(new Operation.Mkdir("priv"));
        ops.add(new Operation.Mkdir("priv/lock"));
        ops.add(new Operation.Mkdir("priv/lock/file-x"));
        ops.add(new Operation.SetMtime("priv/lock/file-x", 50));
        ops.add(new Operation.Write("f", 10, bytes("x"))); // ENOENT
        ops.add(new Operation.Create("f"));
        ops.add(new Operation.Write("f", 10, bytes("x")));
        ops.add(new Operation.Truncate("f", 3));
        ops.add(new Operation.Delete("priv/lock/file-x"));
        MemDb a = ramDb();
        MemDb b = ramDb();
        List<Result> ra = new ArrayList<>();
        List<Result> rb = new ArrayList<>();
        int i = 0;
        for (Operation op : ops) {
            i++;
            ra.add(a.apply(op, i % 3 + 1, 1000 + i));
            rb.add(b.apply(op, i % 3 + 1, 1000 + i));
        }
        assertEquals(ra, rb);
        assertEquals(dump(a), dump(b));
        assertEquals(a.vmList(), b.vmList());
        assertTrue(dump(a).contains("nodes/n1/qemu-server/100.conf ino=5 par=4 v=7 w=1 t=1006"), dump(a));
    }

    // ------------------------------------------------------------ mkdir

    @Test
    void mkdirErrors() {
        MemDb db = ramDb();
        ok(mkdir(db, "d"));
        put(db, "f", "");
        fails(Errno.EEXIST, mkdir(db, "d"));
        fails(Errno.EEXIST, mkdir(db, "f"));
        fails(Errno.ENOENT, mkdir(db, "missing/d"));
        fails(Errno.ENOTDIR, mkdir(db, "f/d"));
        fails(Errno.EACCES, mkdir(db, ""));
        fails(Errno.EACCES, mkdir(db, "/"));
        fails(Errno.EACCES, mkdir(db, "."));
        fails(Errno.EACCES, mkdir(db, ".."));
        fails(Errno.EACCES, mkdir(db, "d/."));
        fails(Errno.EACCES, mkdir(db, "d/.."));
        assertEquals(3, version(db));
    }

    @Test
    void pathsTolerateLeadingRepeatedAndTrailingSlashes() {
        MemDb db = ramDb();
        ok(mkdir(db, "/a/"));
        ok(mkdir(db, "//a///b//"));
        assertTrue(entry(db, "a/b").isDir());
        assertEquals(entry(db, "a/b"), entry(db, "/a//b/"));
        fails(Errno.EEXIST, mkdir(db, "a/b"));
    }

    @Test
    void dotAndDotDotAreLiteralNamesThatNeverExist() {
        MemDb db = ramDb();
        ok(mkdir(db, "a"));
        assertTrue(db.lookup("a/.").isEmpty());
        assertTrue(db.lookup("a/..").isEmpty());
        fails(Errno.ENOENT, mkdir(db, "a/../b"));
    }

    @Test
    void exactlyDotIsTheRoot() {
        MemDb db = ramDb();
        assertEquals(entry(db, ""), entry(db, "."));
        fails(Errno.EACCES, delete(db, "."));
        fails(Errno.EACCES, mkdir(db, "."));
        fails(Errno.EACCES, rename(db, ".", "x"));
        ok(mkdir(db, "a"));
        assertEquals(List.of("a"), db.list(".").stream().map(TreeEntry::name).toList());
        assertTrue(db.lookup("./a").isEmpty(), "only the whole path '.' is special");
    }

    // ------------------------------------------------------------ create

    @Test
    void createMakesAnEmptyFile() {
        MemDb db = ramDb();
        ok(0, create(db, "f"));
        TreeEntry f = entry(db, "f");
        assertEquals(TreeEntry.TYPE_FILE, f.type());
        assertEquals(0, f.size());
        assertNull(f.data());
    }

    @Test
    void createErrors() {
        MemDb db = ramDb();
        ok(mkdir(db, "d"));
        put(db, "f", "keep");
        fails(Errno.EEXIST, create(db, "f"));
        fails(Errno.ENOTDIR, create(db, "d"));
        fails(Errno.ENOENT, create(db, "missing/f"));
        fails(Errno.ENOTDIR, create(db, "f/g"));
        fails(Errno.EACCES, create(db, ""));
        fails(Errno.EACCES, create(db, "."));
        fails(Errno.EACCES, create(db, "d/.."));
        assertEquals("keep", text(db, "f"), "a failed create must not truncate the existing file");
    }

    // ------------------------------------------------------------ write / truncate

    @Test
    void writeErrors() {
        MemDb db = ramDb();
        ok(mkdir(db, "d"));
        put(db, "f", "x");
        fails(Errno.ENOENT, write(db, "nope", 0, "x"));
        fails(Errno.ENOTDIR, write(db, "d", 0, "x"));
        fails(Errno.ENOENT, write(db, "missing/f", 0, "x"));
        fails(Errno.ENOTDIR, write(db, "f/g", 0, "x"));
        fails(Errno.EACCES, write(db, "", 0, "x"));
        fails(Errno.EACCES, write(db, "d/.", 0, "x"));
        fails(Errno.EINVAL, write(db, "f", -1, "x"));
    }

    @Test
    void truncateErrors() {
        MemDb db = ramDb();
        ok(mkdir(db, "d"));
        fails(Errno.ENOENT, truncate(db, "nope", 0));
        fails(Errno.ENOTDIR, truncate(db, "d", 0));
        fails(Errno.ENOENT, truncate(db, "missing/f", 0));
        fails(Errno.EACCES, truncate(db, "", 0));
        fails(Errno.EINVAL, truncate(db, "d", -1));
    }

    @Test
    void efbigIsCheckedBeforeThePathAndEioBeforeEverything() {
        MemDb db = ramDb();
        fails(Errno.EFBIG, write(db, "missing/f", MemDb.MAX_FILE_SIZE, "x"));
        fails(Errno.EFBIG, truncate(db, "missing/f", MemDb.MAX_FILE_SIZE + 1L));
    }

    @Test
    void writeReplacesBytesKeepsTheTailAndReturnsTheCount() {
        MemDb db = ramDb();
        put(db, "f", "hello world");
        ok(3, write(db, "f", 6, "WOR"));
        assertEquals("hello WORld", text(db, "f"));
        ok(2, write(db, "f", 0, "HE"));
        assertEquals("HEllo WORld", text(db, "f"), "a write never truncates");
        ok(4, write(db, "f", 9, "LD!!"));
        assertEquals("HEllo WORLD!!", text(db, "f"), "a write across the end grows the file");
    }

    @Test
    void writePastTheEndZeroFillsTheGap() {
        MemDb db = ramDb();
        put(db, "f", "ab");
        ok(1, write(db, "f", 5, "z"));
        assertArrayEquals(new byte[] {'a', 'b', 0, 0, 0, 'z'}, content(db, "f"));
        ok(create(db, "g"));
        ok(2, write(db, "g", 3, "xy"));
        assertArrayEquals(new byte[] {0, 0, 0, 'x', 'y'}, content(db, "g"));
    }

    @Test
    void writeDoesNotKeepAReferenceToTheCallersBuffer() {
        MemDb db = ramDb();
        ok(create(db, "f"));
        byte[] buf = bytes("abc");
        ok(db.apply(new Operation.Write("f", 0, buf), 0, NOW));
        buf[0] = 'X';
        assertEquals("abc", text(db, "f"));
    }

    @Test
    void truncateShrinksAndGrowsWithZeros() {
        MemDb db = ramDb();
        put(db, "f", "abcdef");
        ok(0, truncate(db, "f", 3));
        assertEquals("abc", text(db, "f"));
        ok(0, truncate(db, "f", 6));
        assertArrayEquals(new byte[] {'a', 'b', 'c', 0, 0, 0}, content(db, "f"), "old bytes must not come back");
        ok(0, truncate(db, "f", 0));
        assertEquals(0, entry(db, "f").size());
        assertNull(entry(db, "f").data(), "an empty file has no data, as the store keeps it (NULL)");
    }

    @Test
    void truncateGrowingAnEmptyFileGivesZerosOfTheNewLength() {
        // [ref-bug] 1.7: the reference sets the size without a buffer
        MemDb db = ramDb();
        ok(create(db, "f"));
        ok(0, truncate(db, "f", 4096));
        assertEquals(4096, entry(db, "f").size());
        assertArrayEquals(new byte[4096], content(db, "f"));
        ok(1, write(db, "f", 4095, "x"));
        assertEquals(4096, entry(db, "f").size());
        assertEquals('x', content(db, "f")[4095]);
    }

    // ------------------------------------------------------------ delete

    @Test
    void deleteErrors() {
        MemDb db = ramDb();
        ok(mkdir(db, "d"));
        put(db, "d/f", "x");
        fails(Errno.ENOENT, delete(db, "nope"));
        fails(Errno.ENOENT, delete(db, "d/f/g"));
        fails(Errno.EACCES, delete(db, ""));
        fails(Errno.EACCES, delete(db, "/"));
        fails(Errno.ENOTEMPTY, delete(db, "d"));
        assertTrue(db.lookup("d/f").isPresent());
    }

    @Test
    void deleteRemovesFilesAndEmptyDirectoriesAlike() {
        MemDb db = ramDb();
        ok(mkdir(db, "d"));
        put(db, "d/f", "x");
        long v = version(db);
        ok(delete(db, "d/f"));
        assertEquals(v + 1, version(db));
        ok(delete(db, "d"));
        assertEquals(v + 2, version(db));
        assertTrue(db.lookup("d").isEmpty());
        assertEquals(1, db.stats().entries());
        assertEquals(0, db.stats().totalBytes());
    }

    // ------------------------------------------------------------ mtime

    @Test
    void setMtimeSetsTheRequestedTimeOnFilesAndDirectories() {
        MemDb db = ramDb();
        ok(mkdir(db, "d"));
        put(db, "f", "x");
        ok(db.apply(new Operation.SetMtime("d", 42), 3, NOW));
        ok(db.apply(new Operation.SetMtime("f", 43), 4, NOW));
        assertEquals(42, entry(db, "d").mtime());
        assertEquals(3, entry(db, "d").writer());
        assertEquals(43, entry(db, "f").mtime());
        assertEquals("x", text(db, "f"), "utimens keeps the data");
        assertEquals(43, entry(db, "").mtime(), "the root records the stored time of the last change");
    }

    @Test
    void setMtimeErrors() {
        MemDb db = ramDb();
        put(db, "f", "x");
        fails(Errno.ENOENT, db.apply(new Operation.SetMtime("nope", 1), 0, NOW));
        fails(Errno.ENOENT, db.apply(new Operation.SetMtime("f/g", 1), 0, NOW));
        fails(Errno.EACCES, db.apply(new Operation.SetMtime("", 1), 0, NOW));
    }

    // ------------------------------------------------------------ reads

    @Test
    void listIsSortedByNameAndRefusesFilesAndMissingPaths() {
        MemDb db = ramDb();
        for (String n : List.of("b", "a", "C", "c")) {
            ok(create(db, n));
        }
        assertEquals(List.of("C", "a", "b", "c"), db.list("").stream().map(TreeEntry::name).toList());
        FsException e = assertThrows(FsException.class, () -> db.list("nope"));
        assertEquals(Errno.ENOENT, e.errno());
        e = assertThrows(FsException.class, () -> db.list("a"));
        assertEquals(Errno.ENOTDIR, e.errno());
    }

    @Test
    void listenerHearsEveryChangedPath() {
        MemDb db = ramDb();
        List<String> seen = new ArrayList<>();
        db.setListener(seen::add);
        ok(mkdir(db, "d"));
        put(db, "d/f", "x");
        ok(rename(db, "/d/f", "d/g"));
        ok(delete(db, "d/g"));
        fails(Errno.ENOENT, delete(db, "d/g"));
        assertEquals(List.of("d", "d/f", "d/f", "d/f", "d/g", "d/g"), seen);
        assertFalse(seen.stream().anyMatch(p -> p.startsWith("/")), "paths are normalised: " + seen);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "a/", "/a", "//a//"})
    void resultOfAFuseCallIsTheValueOrMinusErrno(String path) {
        MemDb db = ramDb();
        assertEquals(0, mkdir(db, path).toFuse());
        assertEquals(-17, mkdir(db, path).toFuse());
    }
}
