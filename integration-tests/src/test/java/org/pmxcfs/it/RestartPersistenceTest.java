package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A restart keeps every file byte for byte, and config.db is in the original's format (so a C
 * pmxcfs, or a node restored from it, can read it).
 */
class RestartPersistenceTest extends MountTestBase {

    /** One row of table tree. */
    record Row(long inode, long parent, long version, long writer, long mtime, int type, String name, byte[] data,
               String dataType) {}

    static Map<Long, Row> readTree(Path db) throws Exception {
        Map<Long, Row> rows = new LinkedHashMap<>();
        org.sqlite.SQLiteConfig cfg = new org.sqlite.SQLiteConfig();
        cfg.setReadOnly(true);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db, cfg.toProperties());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT inode, parent, version, writer, mtime, type, name, data,"
                     + " typeof(data) FROM tree ORDER BY inode")) {
            while (rs.next()) {
                Row r = new Row(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getInt(6),
                        rs.getString(7), rs.getBytes(8), rs.getString(9));
                rows.put(r.inode(), r);
            }
        }
        return rows;
    }

    /** Path (relative, '/'-separated) → row, rebuilt from parent/name like the loader does. */
    static Map<String, Row> byPath(Map<Long, Row> rows) {
        Map<String, Row> out = new TreeMap<>();
        for (Row r : rows.values()) {
            if (r.inode() == 0) {
                continue;
            }
            List<String> parts = new ArrayList<>();
            Row cur = r;
            for (int guard = 0; guard < 1000 && cur.inode() != 0; guard++) {
                parts.add(0, cur.name());
                cur = cur.parent() == 0 ? rows.get(0L) : rows.get(cur.parent());
                assertNotNull(cur, "parent of inode " + r.inode() + " exists");
            }
            out.put(String.join("/", parts), r);
        }
        return out;
    }

    @Test
    void everyFileSurvivesARestartByteForByte() throws Exception {
        Daemon d = started();
        Path m = d.mnt;
        Map<String, byte[]> files = new TreeMap<>();
        Set<String> dirs = new TreeSet<>(List.of("a", "a/b", "a/b/c", "priv", "priv/lock", "nodes", "nodes/" + Daemon.NODENAME,
                "nodes/" + Daemon.NODENAME + "/qemu-server", "nodes/" + Daemon.NODENAME + "/priv", "empty-dir"));
        for (String dir : dirs) {
            mkdirs(m, dir);
        }
        String[] where = {"", "a/", "a/b/", "a/b/c/", "priv/", "nodes/" + Daemon.NODENAME + "/priv/"};
        for (int i = 0; i < 100; i++) {
            int size;
            if (i == 0 || i == 1) {
                size = 0;
            } else if (i == 2) {
                size = 1 << 20;
            } else if (i == 3) {
                size = 1;
            } else if (i % 10 == 0) {
                size = 131_072 + i;  // just above one FUSE write
            } else {
                size = (i * 7919) % 20_000;
            }
            String rel = where[i % where.length] + "file-" + i + (i % 3 == 0 ? ".cfg" : "");
            byte[] data = pattern(i, size);
            put(m.resolve(rel), data);
            files.put(rel, data);
        }
        files.put("nodes/" + Daemon.NODENAME + "/qemu-server/100.conf", bytes("memory: 512\nname: test\n"));
        put(m.resolve("nodes/" + Daemon.NODENAME + "/qemu-server/100.conf"), bytes("memory: 512\nname: test\n"));
        // a file overwritten and one deleted, so the DB must reflect updates and deletes too
        put(m.resolve("a/file-1"), bytes("was empty"));
        files.put("a/file-1", bytes("was empty"));
        put(m.resolve("gone"), bytes("bye"));
        Sys.assertOk(Sys.unlink(m.resolve("gone")), "unlink");

        d.stop();
        assertTrue(!Daemon.isMounted(d.mnt), "unmounted after SIGTERM");

        // the DB, read with plain JDBC, is in the original's format
        Map<Long, Row> rows = readTree(d.db());
        Row version = rows.get(0L);
        assertNotNull(version, "the __version__ row (inode 0)");
        assertEquals("__version__", version.name());
        assertEquals(0, version.parent());
        assertNull(version.data(), "__version__ has no data");
        assertTrue(version.type() == 8 || version.type() == 4, "__version__ type " + version.type());
        long maxVersion = 0;
        Set<String> seen = new HashSet<>();
        for (Row r : rows.values()) {
            maxVersion = Math.max(maxVersion, r.version());
            assertEquals(0, r.writer(), "writer of " + r.name() + " in local mode");
            assertTrue(seen.add(r.parent() + "/" + r.name()), "duplicate name " + r.name());
            if (r.inode() != 0) {
                assertTrue(r.inode() <= version.version(), "inode " + r.inode() + " <= global version");
                assertTrue(r.mtime() > 1_600_000_000L, "mtime of " + r.name() + " is an epoch second: " + r.mtime());
            }
        }
        assertEquals(maxVersion, version.version(), "__version__ holds the highest version");
        Map<String, Row> paths = byPath(rows);
        Set<String> expectedPaths = new TreeSet<>(files.keySet());
        expectedPaths.addAll(dirs);
        assertEquals(expectedPaths, paths.keySet(), "exactly our files and dirs are stored");
        for (String dir : dirs) {
            Row r = paths.get(dir);
            assertEquals(4, r.type(), "type of dir " + dir);
            assertNull(r.data(), "dir " + dir + " has NULL data");
        }
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Row r = paths.get(e.getKey());
            assertEquals(8, r.type(), "type of file " + e.getKey());
            if (e.getValue().length == 0) {
                assertEquals("null", r.dataType(), "empty file " + e.getKey() + " is stored as NULL");
            } else {
                assertEquals("blob", r.dataType(), "data of " + e.getKey() + " is a blob");
                assertArrayEquals(e.getValue(), r.data(), "stored bytes of " + e.getKey());
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + d.db());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type IN ('table','index')"
                     + " AND name NOT LIKE 'sqlite_%'")) {
            List<String> objects = new ArrayList<>();
            while (rs.next()) {
                objects.add(rs.getString(1));
            }
            assertEquals(List.of("tree"), objects, "schema objects besides SQLite's own");
        }
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(d.db())), "config.db is mode 0600");

        // and the restarted mount serves the same bytes
        d.start();
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            assertArrayEquals(e.getValue(), readBytes(m.resolve(e.getKey())), "after restart: " + e.getKey());
        }
        for (String dir : dirs) {
            assertTrue(Files.isDirectory(m.resolve(dir)), "dir after restart: " + dir);
        }
        assertTrue(Files.notExists(m.resolve("gone")));
        assertEquals(0100600, Sys.stat(m.resolve("priv/file-4")).mode(), "private file mode after restart");
        Map<String, String> vm = VmidTest.vmlist(m);
        assertEquals(Map.of("100", Daemon.NODENAME + "/qemu"), vm, ".vmlist rebuilt from the DB");
        // a restart must not rewrite the data: versions only move with changes
        HashMap<Long, Row> before = new HashMap<>(rows);
        d.stop();
        Map<Long, Row> after = readTree(d.db());
        for (Row r : before.values()) {
            if (r.inode() != 0) {
                Row a = after.get(r.inode());
                assertNotNull(a, "inode " + r.inode() + " after a second start");
                assertEquals(r.version(), a.version(), "version of " + r.name() + " unchanged by a restart");
                assertEquals(r.mtime(), a.mtime(), "mtime of " + r.name() + " unchanged by a restart");
            }
        }
    }
}
