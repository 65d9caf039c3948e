package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.dbstore.TestSupport.NOW;
import static org.pmxcfs.dbstore.TestSupport.bytes;
import static org.pmxcfs.dbstore.TestSupport.content;
import static org.pmxcfs.dbstore.TestSupport.create;
import static org.pmxcfs.dbstore.TestSupport.delete;
import static org.pmxcfs.dbstore.TestSupport.dump;
import static org.pmxcfs.dbstore.TestSupport.entry;
import static org.pmxcfs.dbstore.TestSupport.jdbc;
import static org.pmxcfs.dbstore.TestSupport.mkdir;
import static org.pmxcfs.dbstore.TestSupport.mkdirs;
import static org.pmxcfs.dbstore.TestSupport.ok;
import static org.pmxcfs.dbstore.TestSupport.put;
import static org.pmxcfs.dbstore.TestSupport.rename;
import static org.pmxcfs.dbstore.TestSupport.sqliteDb;
import static org.pmxcfs.dbstore.TestSupport.text;
import static org.pmxcfs.dbstore.TestSupport.truncate;
import static org.pmxcfs.dbstore.TestSupport.version;
import static org.pmxcfs.dbstore.TestSupport.write;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reference 1.8: persistence in config.db, pragmas, file mode, round trips through close and reopen. */
class SqliteStoreTest {

    @TempDir
    Path tmp;

    private Path file() {
        return tmp.resolve("config.db");
    }

    private static Object scalar(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getObject(1);
        }
    }

    private static long num(Connection c, String sql) throws SQLException {
        return ((Number) scalar(c, sql)).longValue();
    }

    private static long count(Connection c, String where) throws SQLException {
        return ((Number) scalar(c, "SELECT count(*) FROM tree WHERE " + where)).longValue();
    }

    @Test
    void newDatabaseIsModeSixHundredInWalModeWithVersionOne() throws Exception {
        MemDb db = sqliteDb(file());
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(file()));
        db.close();
        try (Connection c = jdbc(file())) {
            assertEquals("wal", scalar(c, "PRAGMA journal_mode"));
            assertEquals(512, ((Number) scalar(c, "PRAGMA page_size")).intValue(), "small pages: small writes per update");
            assertEquals(1L, count(c, "1"), "only the version row");
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT inode, parent, version, writer, mtime, type, name, data FROM tree")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getLong(1));
                assertEquals(0, rs.getLong(2));
                assertEquals(1, rs.getLong(3));
                assertEquals(0, rs.getLong(4));
                assertEquals(NOW, rs.getLong(5));
                assertEquals(8, rs.getLong(6));
                assertEquals("__version__", rs.getString(7));
                assertNull(rs.getBytes(8));
            }
            assertEquals(0L, count(c, "typeof(data) <> 'null'"));
        }
    }

    @Test
    void existingDatabaseIsChmodSixHundredOnOpen() throws Exception {
        sqliteDb(file()).close();
        Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r--r--"));
        MemDb db = sqliteDb(file());
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file()));
        db.close();
    }

    @Test
    void walIsSetOnAnExistingRollbackJournalDatabase() throws Exception {
        try (Connection c = jdbc(file()); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=DELETE");
            st.execute(SqliteStore.CREATE_TABLE);
        }
        MemDb db = sqliteDb(file());
        ok(mkdir(db, "d"));
        db.close();
        try (Connection c = jdbc(file())) {
            assertEquals("wal", scalar(c, "PRAGMA journal_mode"));
        }
    }

    @Test
    void everyKindOfMutationSurvivesReopen() throws Exception {
        MemDb db = sqliteDb(file());
        ok(db.apply(new Operation.Mkdir("d"), 3, 1000));
        ok(db.apply(new Operation.Mkdir("d/sub"), 3, 1001));
        ok(db.apply(new Operation.Create("d/f"), 4, 1002));
        ok(db.apply(new Operation.Write("d/f", 0, bytes("hello world")), 4, 1003));
        ok(db.apply(new Operation.Write("d/f", 20, bytes("!")), 4, 1004));
        ok(db.apply(new Operation.Truncate("d/f", 15), 5, 1005));
        ok(db.apply(new Operation.SetMtime("d/sub", 99), 6, 1006));
        ok(db.apply(new Operation.Create("d/g"), 7, 1007));
        ok(db.apply(new Operation.Rename("d/g", "d/sub/h"), 7, 1008));
        ok(db.apply(new Operation.Create("gone"), 8, 1009));
        ok(db.apply(new Operation.Delete("gone"), 8, 1010));
        ok(db.apply(new Operation.Mkdir("priv"), 9, 1011));
        ok(db.apply(new Operation.Mkdir("priv/lock"), 9, 1011));
        ok(db.apply(new Operation.Mkdir("priv/lock/x"), 9, 1012));
        ok(db.apply(new Operation.Unlock("priv/lock/x", entry(db, "priv/lock/x").metaDigest()), 9, 1013));
        ok(db.apply(new Operation.Create("last"), -1, 1014)); // writer 0xFFFFFFFF, a u32 node id
        String expected = dump(db);
        long v = version(db);
        db.close();

        MemDb reopened = sqliteDb(file());
        assertEquals(expected, dump(reopened));
        assertEquals(v, version(reopened));
        assertEquals(-1, entry(reopened, "last").writer());
        assertEquals(1014, entry(reopened, "").mtime());
        assertEquals(-1, entry(reopened, "").writer());
        // the counter continues where it stopped: no inode is handed out twice
        ok(mkdir(reopened, "next"));
        assertEquals(v + 1, entry(reopened, "next").inode());
        reopened.close();

        try (Connection c = jdbc(file())) {
            assertEquals(4294967295L, num(c, "SELECT writer FROM tree WHERE name = 'last'"));
        }
    }

    @Test
    void writesAreOnDiskBeforeClose() throws Exception {
        MemDb db = sqliteDb(file());
        put(db, "f", "abc");
        try (Connection c = jdbc(file())) {
            assertArrayEquals(bytes("abc"), (byte[]) scalar(c, "SELECT data FROM tree WHERE name = 'f'"));
            assertEquals(3L, num(c, "SELECT version FROM tree WHERE inode = 0"));
        }
        db.close();
    }

    @Test
    void pendingWritesAreCommittedByTheNextStructuralOperation() throws Exception {
        MemDb db = sqliteDb(file());
        put(db, "f", "abc");
        ok(mkdir(db, "d"));
        try (Connection c = jdbc(file())) {
            assertArrayEquals(bytes("abc"), (byte[]) scalar(c, "SELECT data FROM tree WHERE name = 'f'"));
            assertEquals(4L, num(c, "SELECT version FROM tree WHERE inode = 0"));
        }
        db.close();
    }

    @Test
    void closeCommitsPendingWrites() throws Exception {
        MemDb db = sqliteDb(file());
        put(db, "f", "abc");
        db.close();
        MemDb reopened = sqliteDb(file());
        assertEquals("abc", text(reopened, "f"));
        assertEquals(3, version(reopened));
        reopened.close();
    }

    @Test
    void emptyFilesAreStoredAsNull() throws Exception {
        MemDb db = sqliteDb(file());
        ok(create(db, "empty"));
        put(db, "truncated", "abc");
        ok(truncate(db, "truncated", 0));
        ok(mkdir(db, "dir"));
        db.close();
        try (Connection c = jdbc(file())) {
            assertEquals("null", scalar(c, "SELECT typeof(data) FROM tree WHERE name = 'empty'"));
            assertEquals("null", scalar(c, "SELECT typeof(data) FROM tree WHERE name = 'truncated'"));
            assertEquals("null", scalar(c, "SELECT typeof(data) FROM tree WHERE name = 'dir'"));
            assertEquals(4L, num(c, "SELECT type FROM tree WHERE name = 'dir'"));
            assertEquals(8L, num(c, "SELECT type FROM tree WHERE name = 'empty'"));
        }
        MemDb reopened = sqliteDb(file());
        assertEquals(0, entry(reopened, "empty").size());
        assertEquals(0, entry(reopened, "truncated").size());
        reopened.close();
    }

    @Test
    void emptyFileGrownByTruncatePersistsAsZeros() throws Exception {
        // [ref-bug] 1.7: the reference stores NULL and reloads size 0
        MemDb db = sqliteDb(file());
        ok(create(db, "f"));
        ok(truncate(db, "f", 100));
        db.close();
        try (Connection c = jdbc(file())) {
            assertEquals("blob", scalar(c, "SELECT typeof(data) FROM tree WHERE name = 'f'"));
            assertEquals(100L, num(c, "SELECT length(data) FROM tree WHERE name = 'f'"));
            assertEquals(0L, num(c, "SELECT count(*) FROM tree WHERE name = 'f' AND data <> zeroblob(100)"));
        }
        MemDb reopened = sqliteDb(file());
        assertArrayEquals(new byte[100], content(reopened, "f"));
        reopened.close();
    }

    @Test
    void everyIntegerColumnHoldsIntegers() throws Exception {
        MemDb db = sqliteDb(file());
        mkdirs(db, "a/b");
        put(db, "a/b/f", "x");
        ok(rename(db, "a/b/f", "a/g"));
        ok(delete(db, "a/b"));
        db.close();
        try (Connection c = jdbc(file())) {
            for (String col : new String[] {"inode", "parent", "version", "writer", "mtime", "type"}) {
                assertEquals(0L, count(c, "typeof(" + col + ") <> 'integer'"), col);
            }
            assertEquals(0L, count(c, "typeof(name) <> 'text'"));
            assertEquals(0L, count(c, "type NOT IN (4, 8)"));
            assertEquals(3L, count(c, "1"), "version row, a, a/g: deleted rows are gone");
            assertEquals(0L, count(c, "name = 'b' OR name = 'f'"));
        }
    }

    @Test
    void storeLoadsNothingFromANewFileAndWritesOneVersionRow() throws Exception {
        SqliteStore store = SqliteStore.open(file(), SqliteStore.Options.DEFAULT);
        assertTrue(store.load().isEmpty());
        store.prepareWrites();
        store.commit(java.util.List.of(), java.util.List.of(),
                new TreeEntry(0, 0, 1, 0, NOW, TreeEntry.TYPE_FILE, Store.VERSION_ROW_NAME, null));
        assertEquals(1, store.load().size());
        assertEquals(Store.VERSION_ROW_NAME, store.load().get(0).name());
        store.close();
        store.close(); // idempotent
        assertEquals(file(), store.file());
    }

    @Test
    void storeFailureIsReportedAndTheBatchRolledBack() throws Exception {
        SqliteStore store = SqliteStore.open(file(), SqliteStore.Options.DEFAULT);
        store.prepareWrites();
        TreeEntry version = new TreeEntry(0, 0, 2, 0, NOW, TreeEntry.TYPE_FILE, Store.VERSION_ROW_NAME, null);
        TreeEntry good = new TreeEntry(2, 0, 2, 0, NOW, TreeEntry.TYPE_FILE, "good", null);
        // a name is NOT NULL: the second row fails, the first must not stay
        TreeEntry bad = new TreeEntry(3, 0, 2, 0, NOW, TreeEntry.TYPE_FILE, null, null);
        StoreException e = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class,
                () -> store.commit(java.util.List.of(), java.util.List.of(good, bad), version));
        assertTrue(e.getMessage().contains("database write failed"), e.getMessage());
        assertTrue(store.load().isEmpty());
        store.close();
    }

    @Test
    void reopenAfterManyWritesLoadsTheLatestContent() throws Exception {
        MemDb db = sqliteDb(file());
        ok(create(db, "f"));
        for (int i = 0; i < 200; i++) {
            ok(1, write(db, "f", i, String.valueOf((char) ('a' + i % 26))));
            if (i % 50 == 0) {
                assertFalse(db.failed());
            }
        }
        String expected = text(db, "f");
        db.close();
        MemDb reopened = sqliteDb(file());
        assertEquals(expected, text(reopened, "f"));
        assertEquals(202, version(reopened));
        assertFalse(reopened.failed());
        reopened.close();
    }
}
