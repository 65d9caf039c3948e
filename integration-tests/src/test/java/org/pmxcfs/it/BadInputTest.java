package org.pmxcfs.it;

import static jnr.constants.platform.Errno.EEXIST;
import static jnr.constants.platform.Errno.EISDIR;
import static jnr.constants.platform.Errno.ENAMETOOLONG;
import static jnr.constants.platform.Errno.ENOSPC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.it.Sys.assertErrno;
import static org.pmxcfs.it.Sys.assertOk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Limits, damaged databases, a second instance, and names the kernel or the daemon must refuse. */
class BadInputTest extends MountTestBase {

    static final int KIB = 1024;

    /** Writes everything it can; returns {accepted bytes, errno of the failure or 0}. */
    static long[] writeAll(Path p, byte[] data) {
        int fd = Sys.open(p, Sys.O_WRONLY | Sys.O_CREAT, 0640);
        assertTrue(fd >= 0, "open " + p + ": " + Sys.name(-fd));
        long total = 0;
        long err = 0;
        try {
            for (int i = 0; i < 100 && total < data.length; i++) {
                byte[] rest = Arrays.copyOfRange(data, (int) total, data.length);
                long n = Sys.write(fd, rest, rest.length);
                if (n <= 0) {
                    err = -n;
                    break;
                }
                total += n;
            }
        } finally {
            int rc = Sys.close(fd);
            if (err == 0 && rc != 0) {
                err = rc;
            }
        }
        return new long[] {total, err};
    }

    @Test
    void totalSizeCapGivesEnospcAndKeepsEarlierFiles() {
        Daemon d = started("--max-total-size", "1048576");
        Path m = d.mnt;
        byte[] a = pattern(1, 400 * KIB);
        byte[] b = pattern(2, 400 * KIB);
        put(m.resolve("a.cfg"), a);
        put(m.resolve("b.cfg"), b);
        byte[] c = pattern(3, 400 * KIB);
        long[] r = writeAll(m.resolve("c.cfg"), c);
        assertErrno(ENOSPC, (int) r[1], "write beyond the 1 MiB total cap (accepted " + r[0] + " bytes)");
        assertTrue(r[0] <= 1024 * KIB - 800 * KIB, "accepted bytes stay within the cap: " + r[0]);
        assertArrayEquals(a, readBytes(m.resolve("a.cfg")), "earlier file a intact");
        assertArrayEquals(b, readBytes(m.resolve("b.cfg")), "earlier file b intact");
        assertArrayEquals(Arrays.copyOf(c, (int) r[0]), readBytes(m.resolve("c.cfg")), "the accepted part of c");

        // overwriting in place does not grow anything and still works at the cap
        int fd = Sys.open(m.resolve("a.cfg"), Sys.O_WRONLY, 0);
        assertEquals(5, Sys.pwrite(fd, bytes("HELLO"), 5, 0), "in-place overwrite at the cap");
        Sys.close(fd);
        a[0] = 'H';
        a[1] = 'E';
        a[2] = 'L';
        a[3] = 'L';
        a[4] = 'O';
        assertArrayEquals(a, readBytes(m.resolve("a.cfg")));
        // new small file: still refused when it needs space
        long[] r2 = writeAll(m.resolve("d.cfg"), pattern(4, 300 * KIB));
        assertErrno(ENOSPC, (int) r2[1], "another file at the cap");

        // deleting frees the space again
        assertOk(Sys.unlink(m.resolve("c.cfg")), "unlink c");
        assertOk(Sys.unlink(m.resolve("d.cfg")), "unlink d");
        byte[] e = pattern(5, 200 * KIB);
        put(m.resolve("e.cfg"), e);
        assertArrayEquals(e, readBytes(m.resolve("e.cfg")));
        // the cap holds across a restart (sizes are recounted at load)
        d.stop();
        d.start();
        assertArrayEquals(a, readBytes(m.resolve("a.cfg")));
        long[] r3 = writeAll(m.resolve("f.cfg"), pattern(6, 300 * KIB));
        assertErrno(ENOSPC, (int) r3[1], "cap after restart");
    }

    @Test
    void garbageDatabaseIsRefusedAndLeftAlone() throws Exception {
        Daemon d = daemon();
        Files.createDirectories(d.data);
        Files.write(d.db(), pattern(42, 16 * KIB));
        String before = sha256(d.db());
        Daemon.Exit e = d.startExpectingExit();
        assertNotEquals(0, e.code(), "exit code with a garbage config.db; output:\n" + e.output());
        assertTrue(e.output().contains("[database] crit: "), "a '[database] crit:' line:\n" + e.output());
        assertTrue(e.output().contains(d.db().toString()), "output names the database file:\n" + e.output());
        assertEquals(before, sha256(d.db()), "config.db must not be modified");
        assertFalse(d.isMounted(), "nothing mounted");
        assertFalse(Files.exists(d.pidFile), "no pid file");
    }

    /** A DB in the original's schema (and WAL mode, as pmxcfs leaves it), from rows. */
    static void buildDb(Path db, List<Object[]> rows) throws Exception {
        Files.createDirectories(db.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("CREATE TABLE IF NOT EXISTS tree ("
                    + " inode INTEGER PRIMARY KEY NOT NULL,"
                    + " parent INTEGER NOT NULL CHECK(typeof(parent)=='integer'),"
                    + " version INTEGER NOT NULL CHECK(typeof(version)=='integer'),"
                    + " writer INTEGER NOT NULL CHECK(typeof(writer)=='integer'),"
                    + " mtime INTEGER NOT NULL CHECK(typeof(mtime)=='integer'),"
                    + " type INTEGER NOT NULL CHECK(typeof(type)=='integer'),"
                    + " name TEXT NOT NULL,"
                    + " data BLOB)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO tree (inode, parent, version, writer, mtime,"
                    + " type, name, data) VALUES (?, ?, ?, 0, 1700000000, ?, ?, ?)")) {
                for (Object[] r : rows) {
                    ps.setLong(1, ((Number) r[0]).longValue());
                    ps.setLong(2, ((Number) r[1]).longValue());
                    ps.setLong(3, ((Number) r[0]).longValue());
                    ps.setInt(4, ((Number) r[2]).intValue());
                    ps.setString(5, (String) r[3]);
                    ps.setBytes(6, r[4] == null ? null : bytes((String) r[4]));
                    ps.executeUpdate();
                }
            }
        }
        Files.setPosixFilePermissions(db, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertFalse(Files.exists(Path.of(db + "-wal")), "WAL checkpointed on close");
    }

    static Object[] row(long inode, long parent, int type, String name, String data) {
        return new Object[] {inode, parent, type, name, data};
    }

    /** A valid tree: datacenter.cfg, nodes/n1/qemu-server/100.conf; __version__ = 6. */
    static List<Object[]> validRows() {
        return List.of(row(0, 0, 8, "__version__", null), row(2, 0, 8, "datacenter.cfg", "keyboard: en-us\n"),
                row(3, 0, 4, "nodes", null), row(4, 3, 4, "n1", null), row(5, 4, 4, "qemu-server", null),
                row(6, 5, 8, "100.conf", "memory: 512\n"));
    }

    static List<Object[]> plus(Object[]... extra) {
        List<Object[]> l = new java.util.ArrayList<>(validRows());
        l.addAll(List.of(extra));
        return l;
    }

    static Stream<Arguments> corruptDatabases() {
        return Stream.of(
                Arguments.of("duplicate name", plus(row(7, 0, 8, "datacenter.cfg", "other\n")), "duplicate"),
                Arguments.of("duplicate VMID", plus(row(7, 3, 4, "n2", null), row(8, 7, 4, "lxc", null),
                        row(9, 8, 8, "100.conf", "x\n")), "vmid"),
                Arguments.of("directory with data", plus(row(7, 0, 4, "dir", "data")), "data"),
                Arguments.of("unknown type", plus(row(7, 0, 5, "fifo", null)), "type"),
                Arguments.of("missing parent", plus(row(7, 99, 8, "orphan", "x")), "missing"),
                Arguments.of("file as parent", plus(row(7, 2, 8, "child", "x")), "not a directory"),
                Arguments.of("empty name", plus(row(7, 0, 8, "", "x")), "name"),
                // each of these loaded before and made listing its directory fail with EIO
                Arguments.of("slash in a name", plus(row(7, 0, 8, "a/b", "x")), "invalid name 'a/b'"),
                Arguments.of("name '..'", plus(row(7, 3, 4, "..", null)), "invalid name '..'"),
                Arguments.of("NUL in a name", plus(row(7, 0, 8, "a\0b.cfg", "x")), "invalid name 'a\\0b.cfg'"),
                Arguments.of("wrong root name", List.of(row(0, 0, 8, "root", null), row(2, 0, 8, "a", "x")), "name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptDatabases")
    void corruptDatabaseStopsStartUp(String what, List<Object[]> rows, String keyword) throws Exception {
        Daemon d = daemon();
        buildDb(d.db(), rows);
        String before = sha256(d.db());
        Daemon.Exit e = d.startExpectingExit();
        assertNotEquals(0, e.code(), what + ": exit code; output:\n" + e.output());
        String out = e.output();
        assertTrue(out.contains("[database] crit: "), what + ": a '[database] crit:' line:\n" + out);
        assertTrue(out.toLowerCase(Locale.ROOT).contains(keyword.toLowerCase(Locale.ROOT)),
                what + ": output names the problem ('" + keyword + "'):\n" + out);
        assertTrue(out.contains(d.db().toString()), what + ": output names the file:\n" + out);
        assertEquals(before, sha256(d.db()), what + ": config.db must not be modified");
        assertFalse(d.isMounted(), what + ": nothing mounted");
    }

    /** Control for the cases above: the same builder without the damage loads and serves. */
    @Test
    void validDatabaseBuiltWithJdbcLoads() throws Exception {
        Daemon d = daemon();
        buildDb(d.db(), validRows());
        d.start();
        assertEquals("keyboard: en-us\n", readString(d.path("datacenter.cfg")));
        assertEquals("memory: 512\n", readString(d.path("nodes/n1/qemu-server/100.conf")));
        assertEquals(java.util.Map.of("100", "n1/qemu"), VmidTest.vmlist(d.mnt));
        // new inodes continue after the stored version
        put(d.path("new.cfg"), "new\n");
        d.stop();
        var rows = RestartPersistenceTest.readTree(d.db());
        long newInode = RestartPersistenceTest.byPath(rows).get("new.cfg").inode();
        assertTrue(newInode > 6, "new inode " + newInode + " above the loaded version 6");
    }

    @Test
    void secondDaemonOnTheSameDataDirExitsAndTheFirstKeepsServing() {
        Daemon a = started();
        put(a.path("x.cfg"), "first\n");
        long pid = a.readPid();
        // exactly the same directories (what a second `pmxcfs` on the host would use)
        Daemon b = new Daemon(a.base, "--lock-attempts", "1");
        Daemon.Exit e = b.startExpectingExit();
        assertNotEquals(0, e.code(), "second daemon exit code; output:\n" + e.output());
        assertTrue(e.output().toLowerCase(Locale.ROOT).contains("lock"), "output mentions the lock:\n" + e.output());
        assertTrue(e.output().contains("crit: "), "a 'crit:' log line:\n" + e.output());
        assertTrue(a.alive(), "first daemon still running");
        assertTrue(a.isMounted(), "first daemon still mounted");
        assertEquals(pid, a.readPid(), "pid file still names the first daemon");
        assertEquals("first\n", readString(a.path("x.cfg")));
        put(a.path("y.cfg"), "still serving\n");
        assertEquals("still serving\n", readString(a.path("y.cfg")));

        // a second daemon on the same data dir but its own mount point is refused too
        Daemon c = new Daemon(tmp.resolve("c"), a.data, "--lock-attempts", "1");
        Daemon.Exit e2 = c.startExpectingExit();
        assertNotEquals(0, e2.code(), "output:\n" + e2.output());
        assertTrue(e2.output().toLowerCase(Locale.ROOT).contains("lock"), e2.output());
        assertFalse(c.isMounted(), "no second mount");
        assertEquals("still serving\n", readString(a.path("y.cfg")));
    }

    /**
     * No www-data group: fatal at start. The daemon runs in a private mount namespace where
     * /etc/group is bind-mounted over by a copy without www-data, so the host is not touched.
     */
    @Test
    void missingWwwDataGroupIsFatal() throws Exception {
        Daemon d = daemon();
        Files.createDirectories(d.base);
        Path fakeGroup = d.base.resolve("group");
        List<String> lines = Files.readAllLines(Path.of("/etc/group")).stream()
                .filter(l -> !l.startsWith("www-data:")).toList();
        Files.write(fakeGroup, lines);
        List<String> wrapper = List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                "mount --bind \"$0\" /etc/group && exec \"$@\"", fakeGroup.toString());
        Daemon.Exit e = d.startExpectingExit(wrapper);
        assertNotEquals(0, e.code(), "exit code without group www-data; output:\n" + e.output());
        assertTrue(e.output().contains("crit: ") && e.output().contains("www-data"),
                "a crit line naming www-data:\n" + e.output());
        assertFalse(d.isMounted(), "nothing mounted");
        assertTrue(Files.readString(Path.of("/etc/group")).contains("www-data:"), "host /etc/group untouched");
    }

    @Test
    void dotNamesAndOverlongNames() throws Exception {
        Daemon d = started();
        Path m = d.mnt;
        mkdirs(m, "sub");
        assertErrno(EEXIST, Sys.mkdir(Path.of(m + "/.")), "mkdir .");
        assertErrno(EEXIST, Sys.mkdir(Path.of(m + "/sub/..")), "mkdir sub/..");
        int fd = Sys.open(Path.of(m + "/sub/."), Sys.O_WRONLY | Sys.O_CREAT, 0640);
        if (fd >= 0) {
            Sys.close(fd);
        }
        assertErrno(EISDIR, fd < 0 ? -fd : 0, "create sub/.");

        String name255 = "n".repeat(250) + ".conf";
        String name256 = "n".repeat(251) + ".conf";
        assertEquals(255, name255.length());
        // every operation on both sides of the limit: NameRulesTest; here, what is stored
        assertErrno(ENAMETOOLONG, NameRulesTest.create(m.resolve(name256)), "create with a 256-byte name");
        put(m.resolve(name255), "longest allowed\n");
        assertEquals("longest allowed\n", readString(m.resolve(name255)));

        d.stop();
        for (RestartPersistenceTest.Row r : RestartPersistenceTest.readTree(d.db()).values()) {
            assertFalse(r.name().equals(".") || r.name().equals(".."), "row named " + r.name());
            assertTrue(r.name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 255, "row name length");
        }
        d.start();
        assertEquals("longest allowed\n", readString(m.resolve(name255)));
        assertNotEquals(0, Sys.lstatErrno(m.resolve(name256)), "no 256-byte name stored");
    }
}
