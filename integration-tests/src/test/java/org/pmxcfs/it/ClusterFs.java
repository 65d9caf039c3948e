package org.pmxcfs.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/** File operations for cluster tests, each returning the errno instead of failing. */
final class ClusterFs {

    private ClusterFs() {}

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** open(O_WRONLY|O_CREAT|O_TRUNC), write, close; fails the test on any error. */
    static void put(Path p, String content) {
        Sys.writeFile(p, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_TRUNC, bytes(content));
    }

    /** As {@link #put}, returning 0 or the first errno. */
    static int tryPut(Path p, String content) {
        return tryWrite(p, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_TRUNC, content);
    }

    /** open(O_WRONLY|O_CREAT|O_EXCL), write, close: 0 or the first errno. */
    static int createExclusive(Path p, String content) {
        return tryWrite(p, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, content);
    }

    private static int tryWrite(Path p, int flags, String content) {
        int fd = Sys.open(p, flags, 0640);
        if (fd < 0) {
            return -fd;
        }
        byte[] b = bytes(content);
        long n = b.length == 0 ? 0 : Sys.write(fd, b, b.length);
        int rc = Sys.close(fd);
        if (n < 0) {
            return (int) -n;
        }
        if (n != b.length) {
            return jnr.constants.platform.Errno.EIO.intValue();
        }
        return rc;
    }

    /**
     * PVE's update pattern: write {@code <rel>.tmp.<pid>}, rename it onto {@code rel}. Returns 0 or
     * the first errno (a failed rename removes the temp file, as PVE does).
     */
    static int replace(Path mnt, String rel, String content) {
        Path tmp = mnt.resolve(rel + ".tmp." + Thread.currentThread().getId());
        int rc = tryPut(tmp, content);
        if (rc != 0) {
            return rc;
        }
        rc = Sys.rename(tmp, mnt.resolve(rel));
        if (rc != 0) {
            Sys.unlink(tmp);
        }
        return rc;
    }

    /** The file's content, or null if it cannot be read. */
    static String readOrNull(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The names in a directory (empty if it cannot be read). */
    static java.util.List<String> list(Path dir) {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException | RuntimeException e) {
            return java.util.List.of("<unreadable: " + e + ">");
        }
    }

    /** mkdir -p below {@code root}; fails the test on errors. */
    static void mkdirs(Path root, String... rels) {
        MountTestBase.mkdirs(root, rels);
    }

    /** Waits until {@code p} has {@code content}; returns ms waited. */
    static long awaitContent(Path p, String content, long timeoutMs) {
        return Cluster.await(p + " = " + content.strip(), timeoutMs, () -> content.equals(readOrNull(p)));
    }

    /** Waits until {@code cond} holds on every node; returns ms waited. */
    static long awaitAll(Collection<Cluster.Node> nodes, Predicate<Cluster.Node> cond, String what, long timeoutMs) {
        return Cluster.await(what, timeoutMs, () -> nodes.stream().allMatch(n -> {
            try {
                return cond.test(n);
            } catch (RuntimeException e) {
                return false;
            }
        }));
    }

    /** Table tree of a config.db (read-only), inode → every column, data as its length and digest. */
    static Map<Long, String> dbRows(Path db) throws Exception {
        Map<Long, String> rows = new TreeMap<>();
        org.sqlite.SQLiteConfig cfg = new org.sqlite.SQLiteConfig();
        cfg.setReadOnly(true);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db, cfg.toProperties());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT inode, parent, version, writer, mtime, type, name, data,"
                     + " typeof(data) FROM tree ORDER BY inode")) {
            while (rs.next()) {
                byte[] data = rs.getBytes(8);
                rows.put(rs.getLong(1), "parent=" + rs.getLong(2) + " version=" + rs.getLong(3) + " writer="
                        + rs.getLong(4) + " mtime=" + rs.getLong(5) + " type=" + rs.getInt(6) + " name=" + rs.getString(7)
                        + " data=" + (data == null ? "null" : data.length + ":" + Cluster.sha256(data)) + " "
                        + rs.getString(9));
            }
        }
        return rows;
    }

    /** The version of a config.db (its __version__ row), read-only; works while the daemon runs (WAL). */
    static long dbVersion(Path db) throws Exception {
        org.sqlite.SQLiteConfig cfg = new org.sqlite.SQLiteConfig();
        cfg.setReadOnly(true);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db, cfg.toProperties());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT max(version) FROM tree")) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }
}
