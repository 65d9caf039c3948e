package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.dbstore.CompatibilityTest.REAL_DDL;
import static org.pmxcfs.dbstore.CompatibilityTest.T;
import static org.pmxcfs.dbstore.CompatibilityTest.buildRealDb;
import static org.pmxcfs.dbstore.CompatibilityTest.row;
import static org.pmxcfs.dbstore.TestSupport.bytes;
import static org.pmxcfs.dbstore.TestSupport.jdbc;
import static org.pmxcfs.dbstore.TestSupport.sha256;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reference 1.8: a corrupt database refuses to load with a message naming the bad row, and the
 * file is left exactly as it was (so it can be inspected, repaired or replaced).
 */
class LoadVerificationTest {

    @TempDir
    Path tmp;

    private Path file() {
        return tmp.resolve("config.db");
    }

    /** Contents of every file in the directory (name to SHA-256; empty files marked as such). */
    private Map<String, String> snapshot() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(tmp)) {
            for (Path p : s.toList()) {
                out.put(p.getFileName().toString(), Files.size(p) == 0 ? "empty" : sha256(p));
            }
        }
        return out;
    }

    /** Opens the corrupt file, expects refusal, and checks nothing was written. Returns the message. */
    private String refused(String... mustMention) throws Exception {
        String mainBefore = sha256(file());
        Map<String, String> before = snapshot();
        SqliteStore store = SqliteStore.open(file(), SqliteStore.Options.DEFAULT);
        LoadException e = assertThrows(LoadException.class,
                () -> MemDb.open(store, MemDb.DEFAULT_MAX_TOTAL_BYTES, T + 100));
        store.close();
        for (String s : mustMention) {
            assertTrue(e.getMessage().contains(s), () -> "'" + e.getMessage() + "' should mention '" + s + "'");
        }
        assertEquals(mainBefore, sha256(file()), "the database file must be byte-for-byte unchanged");
        Map<String, String> after = snapshot();
        // a read-only open of a WAL database may leave an empty -wal and a -shm; nothing with content
        after.entrySet().removeIf(x -> !before.containsKey(x.getKey())
                && (x.getKey().endsWith("-shm") || (x.getKey().endsWith("-wal") && x.getValue().equals("empty"))));
        assertEquals(before, after);
        return e.getMessage();
    }

    private void corrupt(Object[]... rows) throws Exception {
        buildRealDb(file(), "DELETE", 8, rows);
    }

    @Test
    void rowWithEmptyName() throws Exception {
        corrupt(row(20, 0, 9, 0, T, 8, "", bytes("x")));
        refused("inode 20", "has no name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "/", ".", "..", "a\0b", "\0"})
    void rowWithANameNoPathCanReach(String name) throws Exception {
        corrupt(row(20, 0, 9, 0, T, 8, name, bytes("x")));
        refused("inode 20", "invalid name '" + name.replace("\0", "\\0") + "'");
    }

    @Test
    void directoryRowWithASlashInItsName() throws Exception {
        corrupt(row(20, 0, 9, 0, T, 4, "a/b", null), row(21, 20, 9, 0, T, 8, "c", bytes("x")));
        refused("inode 20", "invalid name 'a/b'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"61ff62", "c3", "eda080", "c0af"}) // invalid byte, cut sequence, surrogate, overlong '/'
    void rowWithANameThatIsNotUtf8(String hex) throws Exception {
        buildRealDb(file(), "DELETE", 8);
        try (Connection c = jdbc(file()); Statement st = c.createStatement()) {
            // stored as TEXT, as a writer that does not check its bytes would store it
            st.execute("INSERT INTO tree VALUES (20, 0, 9, 0, 0, 8, CAST(x'" + hex + "' AS TEXT), NULL)");
        }
        String spaced = java.util.HexFormat.ofDelimiter(" ").formatHex(java.util.HexFormat.of().parseHex(hex));
        refused("inode 20", "not valid UTF-8", "(bytes " + spaced + ")");
    }

    @Test
    void nameStoredAsABlobLoadsWhenItIsUtf8() throws Exception {
        buildRealDb(file(), "DELETE", 8);
        try (Connection c = jdbc(file()); Statement st = c.createStatement()) {
            st.execute("INSERT INTO tree VALUES (20, 0, 9, 0, 0, 8, x'c3a42e636667', NULL)");
        }
        MemDb db = TestSupport.sqliteDb(file());
        assertTrue(db.lookup("\u00e4.cfg").isPresent());
        db.close();
    }

    @Test
    void directoryWithData() throws Exception {
        corrupt(row(20, 0, 9, 0, T, 4, "dir", bytes("x")));
        refused("inode 20", "contains data");
    }

    @Test
    void unknownType() throws Exception {
        corrupt(row(20, 0, 9, 0, T, 10, "link", null));
        refused("inode 20", "unknown type 10");
    }

    @Test
    void versionRowWithUnknownType() throws Exception {
        try (Connection c = jdbc(file()); Statement st = c.createStatement()) {
            st.execute(REAL_DDL);
            st.execute("INSERT INTO tree VALUES (0, 0, 5, 0, 0, 2, '__version__', NULL)");
        }
        refused("inode 0", "unknown type 2");
    }

    @Test
    void inodeZeroWithAnotherName() throws Exception {
        try (Connection c = jdbc(file()); Statement st = c.createStatement()) {
            st.execute(REAL_DDL);
            st.execute("INSERT INTO tree VALUES (0, 0, 5, 0, 0, 8, 'root', NULL)");
        }
        refused("root inode", "'root'");
    }

    @Test
    void parentIsAFile() throws Exception {
        // inode 8 is datacenter.cfg, a file
        corrupt(row(20, 8, 9, 0, T, 8, "child", null));
        refused("inode 20", "parent inode 8", "not a directory");
    }

    @Test
    void duplicateNamesUnderOneParent() throws Exception {
        corrupt(row(20, 0, 9, 0, T, 8, "datacenter.cfg", bytes("other")));
        refused("duplicate name 'datacenter.cfg'", "inodes 8 and 20");
    }

    @Test
    void missingParentInode() throws Exception {
        corrupt(row(20, 77, 9, 0, T, 8, "orphan", null));
        refused("missing directory inode 77", "inode 20");
    }

    @Test
    void parentLoop() throws Exception {
        corrupt(row(20, 21, 9, 0, T, 4, "a", null), row(21, 20, 9, 0, T, 4, "b", null));
        refused("not reachable", "inode 2");
    }

    @Test
    void directoryThatIsItsOwnParent() throws Exception {
        corrupt(row(20, 20, 9, 0, T, 4, "self", null));
        refused("inode 20", "not reachable");
    }

    @Test
    void duplicateVmid() throws Exception {
        // 100 is already nodes/pve1/qemu-server/100.conf; add nodes/pve1/lxc/100.conf
        corrupt(row(20, 5, 9, 0, T, 8, "100.conf", bytes("arch: amd64\n")));
        refused("duplicate VMID 100", "'nodes/pve1/qemu-server/100.conf'", "'nodes/pve1/lxc/100.conf'", "inode 20");
    }

    @Test
    void duplicateVmidOnAnotherNode() throws Exception {
        corrupt(row(20, 2, 9, 0, T, 4, "pve2", null), row(21, 20, 9, 0, T, 4, "qemu-server", null),
                row(22, 21, 9, 0, T, 8, "100.conf", bytes("x")));
        refused("duplicate VMID 100");
    }

    @Test
    void corruptRowStillInTheWalOfACrashedProcess() throws Exception {
        Path crashed = Files.createDirectory(tmp.resolve("crashed"));
        Path live = Files.createDirectory(tmp.resolve("live")).resolve("config.db");
        buildRealDb(live, "WAL", 8);
        try (Connection c = jdbc(live); Statement st = c.createStatement()) {
            st.execute("PRAGMA wal_autocheckpoint=0");
            st.execute("INSERT INTO tree VALUES (20, 77, 9, 0, 0, 8, 'orphan', NULL)");
            // copied while the writer still runs: the row exists only in the WAL
            Files.copy(live, crashed.resolve("config.db"));
            Files.copy(live.resolveSibling("config.db-wal"), crashed.resolve("config.db-wal"));
        }
        Path db = crashed.resolve("config.db");
        Path wal = crashed.resolve("config.db-wal");
        String dbBefore = sha256(db);
        String walBefore = sha256(wal);
        SqliteStore store = SqliteStore.open(db, SqliteStore.Options.DEFAULT);
        LoadException e = assertThrows(LoadException.class, () -> MemDb.open(store, 1 << 20, T));
        store.close();
        assertTrue(e.getMessage().contains("missing directory inode 77"), e.getMessage());
        assertEquals(dbBefore, sha256(db), "not checkpointed into the main file");
        assertEquals(walBefore, sha256(wal), "the WAL is kept as it was");
    }

    @Test
    void walModeDatabaseIsLeftUnchangedToo() throws Exception {
        buildRealDb(file(), "WAL", 8, row(20, 77, 9, 0, T, 8, "orphan", null));
        refused("missing directory inode 77");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 100, 4096, 10000})
    void garbageBytes(int length) throws Exception {
        byte[] junk = new byte[length];
        for (int i = 0; i < length; i++) {
            junk[i] = (byte) (i * 31 + 7);
        }
        Files.write(file(), junk);
        refused("config.db");
    }

    @Test
    void truncatedDatabase() throws Exception {
        buildRealDb(file(), "DELETE", 8);
        byte[] all = Files.readAllBytes(file());
        byte[] half = java.util.Arrays.copyOf(all, 100); // header survives, pages are gone
        Files.write(file(), half);
        refused();
    }

    @Test
    void textFileWithADbName() throws Exception {
        Files.writeString(file(), "this is not a database\n");
        refused("config.db");
    }

    @Test
    void refusalWritesNothingThroughTheStoreInterface() {
        RamStore store = new RamStore();
        store.rows.put(5L, new TreeEntry(5, 99, 5, 0, 0, TreeEntry.TYPE_FILE, "orphan", null));
        assertThrows(LoadException.class, () -> MemDb.open(store, 100, 0));
        assertEquals(0, store.commits);
        assertEquals(List.of(5L), List.copyOf(store.rows.keySet()));
    }

    @Test
    void aGoodDatabaseStillLoadsAfterAFailedAttempt() throws Exception {
        corrupt(row(20, 77, 9, 0, T, 8, "orphan", null));
        refused("77");
        try (Connection c = jdbc(file()); Statement st = c.createStatement()) {
            st.execute("DELETE FROM tree WHERE inode = 20"); // the repair the message asks for
        }
        MemDb db = TestSupport.sqliteDb(file());
        assertEquals(9, db.stats().version());
        db.close();
    }
}
