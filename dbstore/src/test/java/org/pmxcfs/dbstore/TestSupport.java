package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/** Shared helpers: a failing store, result assertions, tree dumps, plain JDBC. */
final class TestSupport {

    /** A fixed "now" for opening databases: tests never read the clock. */
    static final long NOW = 1_700_000_000L;

    private TestSupport() {}

    /** Wraps a store; once {@link #arm()}ed every commit throws, as a full or broken disk would. */
    static final class FailingStore implements Store {
        private final Store delegate;
        private boolean armed;
        int failedCommits;

        FailingStore(Store delegate) {
            this.delegate = delegate;
        }

        void arm() {
            armed = true;
        }

        @Override
        public List<TreeEntry> load() throws StoreException, LoadException {
            return delegate.load();
        }

        @Override
        public void prepareWrites() throws StoreException {
            delegate.prepareWrites();
        }

        @Override
        public void commit(Collection<Long> deleted, Collection<TreeEntry> written, TreeEntry versionRow)
                throws StoreException {
            if (armed) {
                failedCommits++;
                throw new StoreException("database write failed: disk I/O error (simulated)", null);
            }
            delegate.commit(deleted, written, versionRow);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    static MemDb ramDb() {
        return ramDb(new RamStore());
    }

    static MemDb ramDb(Store store) {
        try {
            return MemDb.open(store, MemDb.DEFAULT_MAX_TOTAL_BYTES, NOW);
        } catch (LoadException e) {
            throw new AssertionError(e);
        }
    }

    static MemDb sqliteDb(Path file) throws Exception {
        return MemDb.open(SqliteStore.open(file, SqliteStore.Options.DEFAULT), MemDb.DEFAULT_MAX_TOTAL_BYTES, NOW);
    }

    static void ok(Result r) {
        assertTrue(r.isOk(), () -> "expected success, got " + r.error());
    }

    static void ok(long value, Result r) {
        ok(r);
        assertEquals(value, r.value());
    }

    static void fails(Errno expected, Result r) {
        assertEquals(expected, r.error(), () -> "expected " + expected + ", got " + (r.isOk() ? "success" : r.error()));
        assertEquals(-expected.code, r.toFuse());
    }

    static Result mkdir(MemDb db, String path) {
        return db.apply(new Operation.Mkdir(path), 0, NOW);
    }

    static Result create(MemDb db, String path) {
        return db.apply(new Operation.Create(path), 0, NOW);
    }

    static Result write(MemDb db, String path, long offset, String text) {
        return db.apply(new Operation.Write(path, offset, bytes(text)), 0, NOW);
    }

    static Result truncate(MemDb db, String path, long length) {
        return db.apply(new Operation.Truncate(path, length), 0, NOW);
    }

    static Result delete(MemDb db, String path) {
        return db.apply(new Operation.Delete(path), 0, NOW);
    }

    static Result rename(MemDb db, String from, String to) {
        return db.apply(new Operation.Rename(from, to), 0, NOW);
    }

    /** create + write, the way a guest config or any small file is written. */
    static void put(MemDb db, String path, String text) {
        ok(create(db, path));
        if (!text.isEmpty()) {
            ok(text.length(), write(db, path, 0, text));
        }
    }

    /** mkdir -p. */
    static void mkdirs(MemDb db, String path) {
        StringBuilder sb = new StringBuilder();
        for (String p : Paths.split(path)) {
            sb.append(sb.length() == 0 ? "" : "/").append(p);
            if (db.lookup(sb.toString()).isEmpty()) {
                ok(mkdir(db, sb.toString()));
            }
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** File content as read would return it (empty array for an empty file). */
    static byte[] content(MemDb db, String path) {
        TreeEntry e = db.lookup(path).orElseThrow(() -> new AssertionError("missing " + path));
        assertEquals(TreeEntry.TYPE_FILE, e.type(), path + " is not a file");
        return e.data() == null ? new byte[0] : e.data();
    }

    static String text(MemDb db, String path) {
        return new String(content(db, path), java.nio.charset.StandardCharsets.UTF_8);
    }

    static TreeEntry entry(MemDb db, String path) {
        return db.lookup(path).orElseThrow(() -> new AssertionError("missing " + path));
    }

    static long version(MemDb db) {
        return db.stats().version();
    }

    /** Every entry with every field, one line each, in path order: equal dumps mean equal trees. */
    static String dump(MemDb db) {
        StringBuilder sb = new StringBuilder();
        TreeEntry root = entry(db, "");
        sb.append("/ v=").append(root.version()).append(" w=").append(root.writer()).append(" t=")
                .append(root.mtime()).append('\n');
        dump(db, "", sb);
        return sb.toString();
    }

    private static void dump(MemDb db, String dir, StringBuilder sb) {
        for (TreeEntry e : db.list(dir)) {
            String path = dir.isEmpty() ? e.name() : dir + "/" + e.name();
            sb.append(path).append(" ino=").append(e.inode()).append(" par=").append(e.parent()).append(" v=")
                    .append(e.version()).append(" w=").append(e.writer()).append(" t=").append(e.mtime())
                    .append(" type=").append(e.type()).append(" data=")
                    .append(e.data() == null ? "null" : HexFormat.of().formatHex(e.data())).append('\n');
            if (e.isDir()) {
                dump(db, path, sb);
            }
        }
    }

    static Connection jdbc(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
