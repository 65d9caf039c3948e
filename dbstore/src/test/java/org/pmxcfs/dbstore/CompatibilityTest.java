package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.dbstore.TestSupport.bytes;
import static org.pmxcfs.dbstore.TestSupport.content;
import static org.pmxcfs.dbstore.TestSupport.entry;
import static org.pmxcfs.dbstore.TestSupport.fails;
import static org.pmxcfs.dbstore.TestSupport.jdbc;
import static org.pmxcfs.dbstore.TestSupport.ok;
import static org.pmxcfs.dbstore.TestSupport.sqliteDb;
import static org.pmxcfs.dbstore.TestSupport.text;
import static org.pmxcfs.dbstore.TestSupport.version;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reference 1.8: a config.db written by the C pmxcfs loads here, and ours reads back with plain
 * SQL in exactly that format. The "real" database is built by hand with plain JDBC.
 */
class CompatibilityTest {

    /** The DDL of the reference (database.c), verbatim in its semantics. */
    static final String REAL_DDL = "CREATE TABLE IF NOT EXISTS tree ("
            + "  inode INTEGER PRIMARY KEY NOT NULL,"
            + "  parent INTEGER NOT NULL CHECK(typeof(parent)=='integer'),"
            + "  version INTEGER NOT NULL CHECK(typeof(version)=='integer'),"
            + "  writer INTEGER NOT NULL CHECK(typeof(writer)=='integer'),"
            + "  mtime INTEGER NOT NULL CHECK(typeof(mtime)=='integer'),"
            + "  type INTEGER NOT NULL CHECK(typeof(type)=='integer'),"
            + "  name TEXT NOT NULL,"
            + "  data BLOB);";

    static final String CONF100 = "boot: order=scsi0\ncores: 2\nmemory: 2048\nname: web\n";
    static final long T = 1_712_000_000L;

    @TempDir
    Path tmp;

    /** A database as pmxcfs leaves it; {@code journal} is WAL (pmxcfs) or DELETE (e.g. sqlite3 .restore). */
    static void buildRealDb(Path file, String journal, int rootType, Object[]... extraRows) throws SQLException {
        try (Connection c = jdbc(file); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=" + journal);
            st.execute(REAL_DDL);
            List<Object[]> rows = new ArrayList<>(List.of(
                    row(0, 0, 9, 2, T + 9, rootType, "__version__", null),
                    row(2, 0, 2, 0, T, 4, "nodes", null),
                    row(3, 2, 3, 0, T, 4, "pve1", null),
                    row(4, 3, 4, 0, T, 4, "qemu-server", null),
                    row(5, 3, 5, 0, T, 4, "lxc", null),
                    row(6, 0, 6, 0, T, 4, "priv", null),
                    row(7, 4, 8, 2, T + 8, 8, "100.conf", bytes(CONF100)),
                    row(8, 0, 9, 2, T + 9, 8, "datacenter.cfg", bytes("keyboard: de\n")),
                    row(9, 0, 7, 1, T + 7, 8, "empty.cfg", null)));
            rows.addAll(List.of(extraRows));
            insert(c, rows);
        }
    }

    static Object[] row(long inode, long parent, long version, long writer, long mtime, long type, String name,
                        byte[] data) {
        return new Object[] {inode, parent, version, writer, mtime, type, name, data};
    }

    static void insert(Connection c, List<Object[]> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO tree (inode, parent, version, writer, mtime, type, name, data) VALUES (?,?,?,?,?,?,?,?)")) {
            for (Object[] r : rows) {
                for (int i = 0; i < 6; i++) {
                    ps.setLong(i + 1, (Long) r[i]);
                }
                ps.setString(7, (String) r[6]);
                ps.setBytes(8, (byte[]) r[7]);
                ps.executeUpdate();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"WAL", "DELETE"})
    void loadsADatabaseWrittenByTheReference(String journal) throws Exception {
        Path file = tmp.resolve("config.db");
        buildRealDb(file, journal, 8);
        MemDb db = sqliteDb(file);
        assertEquals(9, version(db));
        TreeEntry root = entry(db, "");
        assertEquals(2, root.writer());
        assertEquals(T + 9, root.mtime());
        assertEquals(9, db.stats().entries());

        TreeEntry conf = entry(db, "nodes/pve1/qemu-server/100.conf");
        assertEquals(7, conf.inode());
        assertEquals(4, conf.parent());
        assertEquals(8, conf.version());
        assertEquals(2, conf.writer());
        assertEquals(T + 8, conf.mtime());
        assertEquals(CONF100, text(db, "nodes/pve1/qemu-server/100.conf"));
        assertEquals("keyboard: de\n", text(db, "datacenter.cfg"));
        assertEquals(0, entry(db, "empty.cfg").size());
        assertTrue(entry(db, "nodes/pve1/lxc").isDir());
        assertEquals(List.of("datacenter.cfg", "empty.cfg", "nodes", "priv"),
                db.list("").stream().map(TreeEntry::name).toList());
        assertEquals(CONF100.length() + 13, db.stats().totalBytes());

        VmList vms = db.vmList();
        assertEquals(1, vms.vms().size());
        assertEquals("pve1", vms.vms().get(100L).node());
        assertEquals("qemu", vms.vms().get(100L).type());
        fails(Errno.EEXIST, db.apply(new Operation.Create("nodes/pve1/lxc/100.conf"), 0, T + 10));

        ok(db.apply(new Operation.Mkdir("nodes/pve2"), 0, T + 10));
        assertEquals(10, entry(db, "nodes/pve2").inode(), "new inodes continue after the loaded version");
        db.close();
    }

    @Test
    void versionRowOfTypeDirectoryAsLeftByAStateTransferIsAccepted() throws Exception {
        Path file = tmp.resolve("config.db");
        buildRealDb(file, "WAL", 4);
        MemDb db = sqliteDb(file);
        assertEquals(9, version(db));
        db.close();
    }

    @Test
    void inodesAboveTheStoredVersionAreNeverHandedOutAgain() throws Exception {
        // not written by a sane pmxcfs, but a hand-edited database may have it
        Path file = tmp.resolve("config.db");
        buildRealDb(file, "DELETE", 8, row(20, 0, 3, 0, T, 8, "high", bytes("x")));
        MemDb db = sqliteDb(file);
        ok(db.apply(new Operation.Mkdir("new"), 0, T + 10));
        assertTrue(entry(db, "new").inode() > 20);
        assertEquals("x", text(db, "high"));
        db.close();
    }

    @Test
    void tableWithoutVersionRowGetsOne() throws Exception {
        Path file = tmp.resolve("config.db");
        try (Connection c = jdbc(file); Statement st = c.createStatement()) {
            st.execute(REAL_DDL);
        }
        MemDb db = sqliteDb(file);
        assertEquals(1, version(db), "an empty table is a new database: version 1 is written");
        db.close();
        try (Connection c = jdbc(file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT inode, version, name FROM tree")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getLong(1));
            assertEquals(1, rs.getLong(2));
            assertEquals("__version__", rs.getString(3));
            assertFalse(rs.next());
        }
    }

    @Test
    void dataWrittenAsTextBySqlite3IsReadAsBytes() throws Exception {
        // an admin fixing a row with the sqlite3 shell stores TEXT, not BLOB
        Path file = tmp.resolve("config.db");
        buildRealDb(file, "DELETE", 8);
        try (Connection c = jdbc(file); Statement st = c.createStatement()) {
            st.execute("UPDATE tree SET data = 'keyboard: en-us' || char(10) WHERE name = 'datacenter.cfg'");
        }
        MemDb db = sqliteDb(file);
        assertEquals("keyboard: en-us\n", text(db, "datacenter.cfg"));
        db.close();
    }

    @Test
    void whatWeWriteIsWhatTheReferenceWrites() throws Exception {
        Path file = tmp.resolve("config.db");
        buildRealDb(file, "WAL", 4);
        MemDb db = sqliteDb(file);
        ok(db.apply(new Operation.Mkdir("nodes/pve1/qemu-server/sub"), 3, T + 10)); // v10 inode 10
        ok(db.apply(new Operation.Create("nodes/pve1/lxc/200.conf"), 3, T + 11)); // v11 inode 11
        ok(db.apply(new Operation.Write("nodes/pve1/lxc/200.conf", 0, bytes("arch: amd64\n")), 3, T + 12)); // v12
        ok(db.apply(new Operation.Create("new-empty"), 3, T + 13)); // v13 inode 13
        ok(db.apply(new Operation.Truncate("datacenter.cfg", 0), 3, T + 14)); // v14
        ok(db.apply(new Operation.Rename("empty.cfg", "priv/moved.cfg"), 3, T + 15)); // v15
        ok(db.apply(new Operation.Delete("nodes/pve1/qemu-server/sub"), 3, T + 16)); // v16
        db.close();

        List<String> expected = List.of(
                "0|0|16|3|" + (T + 16) + "|8|__version__|null|",
                "2|0|2|0|" + T + "|4|nodes|null|",
                "3|2|3|0|" + T + "|4|pve1|null|",
                "4|3|4|0|" + T + "|4|qemu-server|null|",
                "5|3|5|0|" + T + "|4|lxc|null|",
                "6|0|6|0|" + T + "|4|priv|null|",
                "7|4|8|2|" + (T + 8) + "|8|100.conf|blob|" + CONF100,
                "8|0|14|3|" + (T + 14) + "|8|datacenter.cfg|null|",
                "9|6|15|3|" + (T + 15) + "|8|moved.cfg|null|",
                "11|5|12|3|" + (T + 12) + "|8|200.conf|blob|arch: amd64\n",
                "13|0|13|3|" + (T + 13) + "|8|new-empty|null|");
        List<String> actual = new ArrayList<>();
        try (Connection c = jdbc(file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT inode, parent, version, writer, mtime, type, name, typeof(data), "
                     + "data FROM tree ORDER BY inode")) {
            while (rs.next()) {
                byte[] data = rs.getBytes(9);
                actual.add(rs.getLong(1) + "|" + rs.getLong(2) + "|" + rs.getLong(3) + "|" + rs.getLong(4) + "|"
                        + rs.getLong(5) + "|" + rs.getLong(6) + "|" + rs.getString(7) + "|" + rs.getString(8) + "|"
                        + (data == null ? "" : new String(data, java.nio.charset.StandardCharsets.UTF_8)));
            }
            for (String col : new String[] {"inode", "parent", "version", "writer", "mtime", "type"}) {
                try (ResultSet bad = st.executeQuery("SELECT count(*) FROM tree WHERE typeof(" + col + ") <> 'integer'")) {
                    assertEquals(0, bad.getLong(1), col);
                }
            }
            try (ResultSet tables = st.executeQuery("SELECT group_concat(name) FROM sqlite_master")) {
                assertEquals("tree", tables.getString(1), "no other tables or indexes");
            }
        }
        assertEquals(expected, actual);
    }

    @Test
    void ourDatabaseLoadsWithTheReferenceRules() throws Exception {
        // the reference loader's view: every row named, dirs without data, types 4/8, parents are dirs
        Path file = tmp.resolve("config.db");
        MemDb db = sqliteDb(file);
        TestSupport.mkdirs(db, "nodes/pve1/qemu-server");
        TestSupport.put(db, "nodes/pve1/qemu-server/100.conf", CONF100);
        TestSupport.put(db, "empty", "");
        db.close();
        try (Connection c = jdbc(file); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM tree WHERE name = '' OR name IS NULL")) {
                assertEquals(0, rs.getLong(1));
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM tree WHERE type = 4 AND data IS NOT NULL")) {
                assertEquals(0, rs.getLong(1));
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM tree t WHERE inode <> 0 AND parent <> 0 AND "
                    + "NOT EXISTS (SELECT 1 FROM tree p WHERE p.inode = t.parent AND p.type = 4)")) {
                assertEquals(0, rs.getLong(1));
            }
            try (ResultSet rs = st.executeQuery("SELECT typeof(data) FROM tree WHERE name = 'empty'")) {
                assertEquals("null", rs.getString(1));
            }
            try (ResultSet rs = st.executeQuery("SELECT data FROM tree WHERE name = '100.conf'")) {
                assertArrayEquals(bytes(CONF100), rs.getBytes(1));
            }
        }
        MemDb reopened = sqliteDb(file);
        assertArrayEquals(bytes(CONF100), content(reopened, "nodes/pve1/qemu-server/100.conf"));
        assertNull(entry(reopened, "empty").data());
        reopened.close();
    }

    /**
     * The agreed version of the cluster sync (Dcdb) lives in the parent column of the
     * __version__ row: the reference writes 0 there and never reads it, so a database the
     * reference wrote loads with none, and ours keeps the reference's schema and row shape.
     */
    @Test
    void theAgreedVersionIsTheVersionRowsParent() throws Exception {
        Path file = tmp.resolve("config.db");
        buildRealDb(file, "WAL", 4);
        MemDb db = sqliteDb(file);
        assertEquals(0, db.agreedVersion());
        assertTrue(db.raiseVersion(1L << 24, 1L << 24));
        db.close();
        try (Connection c = jdbc(file); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT parent, version FROM tree WHERE inode = 0")) {
            assertEquals(1L << 24, rs.getLong(1));
            assertEquals(1L << 24, rs.getLong(2));
        }
        MemDb reopened = sqliteDb(file);
        assertEquals(1L << 24, reopened.agreedVersion());
        reopened.close();
    }
}
