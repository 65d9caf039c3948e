package org.pmxcfs.dbstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * {@link Store} on a SQLite file with the real pmxcfs schema (one table {@code tree}), so a
 * {@code config.db} of the original opens here and ours opens there. WAL journal with
 * synchronous=NORMAL, as the original: a committed transaction survives a process crash; a power
 * loss may drop the newest transactions but never corrupts the file.
 */
public final class SqliteStore implements Store {

    static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS tree ("
            + "inode INTEGER PRIMARY KEY NOT NULL, "
            + "parent INTEGER NOT NULL CHECK(typeof(parent)=='integer'), "
            + "version INTEGER NOT NULL CHECK(typeof(version)=='integer'), "
            + "writer INTEGER NOT NULL CHECK(typeof(writer)=='integer'), "
            + "mtime INTEGER NOT NULL CHECK(typeof(mtime)=='integer'), "
            + "type INTEGER NOT NULL CHECK(typeof(type)=='integer'), "
            + "name TEXT NOT NULL, "
            + "data BLOB)";

    /**
     * Tuning of a store. {@code pageSize} only applies to a new file: 512-byte pages keep the
     * pages a small-file update dirties small (about 8 KiB written per 1 KiB file replaced,
     * against about 29 KiB with 4 KiB pages; docs/BENCHMARKS.md). The WAL is checkpointed
     * once it holds {@code walCheckpointBytes}, whatever the page size of the file.
     */
    public record Options(int pageSize, long walCheckpointBytes) {
        public static final Options DEFAULT = new Options(512, 4L << 20);
    }

    private final Path file;
    private final Options options;
    private Connection conn;
    private PreparedStatement replace;
    private PreparedStatement delete;

    private SqliteStore(Path file, Options options) {
        this.file = file;
        this.options = options;
    }

    /** Opens {@code file}, creating it (mode 0600, empty schema) if it does not exist. */
    public static SqliteStore open(Path file, Options options) throws StoreException {
        SqliteStore store = new SqliteStore(file, options);
        if (!Files.exists(file)) {
            store.create();
        }
        return store;
    }

    private void create() throws StoreException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw new StoreException("cannot create database file '" + file + "': " + e.getMessage(), e);
        }
        try (Connection c = connect(false); Statement st = c.createStatement()) {
            st.execute("PRAGMA page_size=" + options.pageSize());
            st.execute("PRAGMA journal_mode=WAL");
            st.execute(CREATE_TABLE);
        } catch (SQLException e) {
            try {
                // an empty file left behind would be refused at every later start as a corrupt database
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the message below already says what failed
            }
            throw new StoreException("cannot initialise database '" + file + "': " + e.getMessage()
                    + " - check the data directory (free space, permissions) and start again", e);
        }
    }

    private Connection connect(boolean readOnly) throws SQLException {
        Properties p = new Properties();
        p.setProperty("busy_timeout", "10000");
        // the driver otherwise runs a regular expression over the SQL after every executeUpdate
        // to find generated keys, which nothing here asks for
        p.setProperty("jdbc.get_generated_keys", "false");
        if (readOnly) {
            p.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
        }
        return DriverManager.getConnection("jdbc:sqlite:" + file, p);
    }

    @Override
    public List<TreeEntry> load() throws StoreException, LoadException {
        List<TreeEntry> rows = new ArrayList<>();
        try (Connection c = connect(true); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT inode, parent, version, writer, mtime, type, name, data FROM tree")) {
            while (rs.next()) {
                rows.add(new TreeEntry(rs.getLong(1), rs.getLong(2), rs.getLong(3), (int) rs.getLong(4),
                        rs.getLong(5), rs.getInt(6), name(rs.getLong(1), rs.getBytes(7)), rs.getBytes(8)));
            }
        } catch (SQLException e) {
            throw new StoreException("unable to read database '" + file + "': " + e.getMessage(), e);
        }
        return rows;
    }

    /**
     * The stored name bytes, strictly decoded: the driver would turn invalid UTF-8 into U+FFFD, a
     * name that then no longer matches its row and is written back changed.
     */
    private static String name(long inode, byte[] raw) throws LoadException {
        if (raw == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new LoadException("inode " + inode + " has a name that is not valid UTF-8 (bytes "
                    + HexFormat.ofDelimiter(" ").formatHex(raw) + ")" + MemDb.RECOVERY_HINT, e);
        }
    }

    @Override
    public void prepareWrites() throws StoreException {
        try {
            conn = connect(false);
            try (Statement st = conn.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=NORMAL");
                st.execute("PRAGMA wal_autocheckpoint=" + Math.max(100, options.walCheckpointBytes() / pageSize(st)));
                st.execute(CREATE_TABLE);
            }
            conn.setAutoCommit(false);
            replace = conn.prepareStatement(
                    "REPLACE INTO tree (inode, parent, version, writer, mtime, type, name, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
            delete = conn.prepareStatement("DELETE FROM tree WHERE inode = ?");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (SQLException | IOException e) {
            throw new StoreException("unable to open database '" + file + "' for writing: " + e.getMessage(), e);
        }
    }

    @Override
    public void commit(Collection<Long> deleted, Collection<TreeEntry> written, TreeEntry versionRow)
            throws StoreException {
        try {
            for (long inode : deleted) {
                delete.setLong(1, inode);
                delete.executeUpdate();
            }
            for (TreeEntry e : written) {
                bind(e);
            }
            bind(versionRow);
            conn.commit();
        } catch (SQLException e) {
            try {
                conn.rollback();
            } catch (SQLException ignored) {
                // the original failure is what matters; the connection is unusable anyway
            }
            throw new StoreException("database write failed: " + e.getMessage(), e);
        }
    }

    private static long pageSize(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("PRAGMA page_size")) {
            return rs.next() ? rs.getLong(1) : 4096;
        }
    }

    private void bind(TreeEntry e) throws SQLException {
        replace.setLong(1, e.inode());
        replace.setLong(2, e.parent());
        replace.setLong(3, e.version());
        replace.setLong(4, Integer.toUnsignedLong(e.writer()));
        replace.setLong(5, e.mtime());
        replace.setInt(6, e.type());
        replace.setString(7, e.name());
        replace.setBytes(8, e.data());
        replace.executeUpdate();
    }

    @Override
    public void close() {
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException ignored) {
                // closing is best effort; every commit already succeeded or was reported
            }
            conn = null;
        }
    }

    public Path file() {
        return file;
    }
}
