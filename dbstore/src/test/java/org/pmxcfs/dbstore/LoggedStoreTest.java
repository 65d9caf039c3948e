package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.dbstore.TestSupport.NOW;
import static org.pmxcfs.dbstore.TestSupport.delete;
import static org.pmxcfs.dbstore.TestSupport.dump;
import static org.pmxcfs.dbstore.TestSupport.mkdir;
import static org.pmxcfs.dbstore.TestSupport.ok;
import static org.pmxcfs.dbstore.TestSupport.put;
import static org.pmxcfs.dbstore.TestSupport.rename;
import static org.pmxcfs.dbstore.TestSupport.sqliteDb;
import static org.pmxcfs.dbstore.TestSupport.text;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commit log is the durable point: what a commit returned for is there after a crash (the
 * process gone without close), whether or not config.db got it, and config.db gets it all at the
 * next start or at a clean stop.
 */
class LoggedStoreTest {

    /** A writer that would not touch config.db within any test: only the log has the commits. */
    static final LoggedStore.Options NEVER_WRITES = new LoggedStore.Options(Duration.ofHours(1), 64L << 20, 8L << 20);

    @TempDir
    Path tmp;

    MemDb open(Path file, LoggedStore.Options options) throws Exception {
        return MemDb.open(LoggedStore.open(file, SqliteStore.Options.DEFAULT, options), MemDb.DEFAULT_MAX_TOTAL_BYTES, NOW);
    }

    /** config.db's own rows (read-only, as another program would read them): name → data as text. */
    static Map<String, String> sqliteRows(Path file) throws Exception {
        Map<String, String> rows = new TreeMap<>();
        for (TreeEntry e : SqliteStore.open(file, SqliteStore.Options.DEFAULT).load()) {
            rows.put(e.name(), e.data() == null ? "" : new String(e.data()));
        }
        return rows;
    }

    /** The process dies without closing: the writer never ran. */
    MemDb crashedWith(Path file, String... files) throws Exception {
        MemDb db = open(file, NEVER_WRITES);
        ok(mkdir(db, "d"));
        for (String f : files) {
            put(db, "d/" + f, "content of " + f);
            assertFalse(db.failed());
        }
        return db;
    }

    @Test
    void committedChangesInTheLogAloneSurviveACrashAndReachConfigDb() throws Exception {
        Path file = tmp.resolve("config.db");
        MemDb crashed = crashedWith(file, "a.cfg", "b.cfg", "c.cfg");
        ok(rename(crashed, "d/b.cfg", "d/moved.cfg"));
        ok(delete(crashed, "d/c.cfg"));
        assertFalse(crashed.failed());
        String expected = dump(crashed);
        assertFalse(sqliteRows(file).containsKey("a.cfg"), "config.db itself has none of it yet");

        MemDb recovered = open(file, LoggedStore.Options.DEFAULT);
        assertEquals(expected, dump(recovered), "the tree as committed, replayed from the log");
        Map<String, String> rows = sqliteRows(file);
        assertEquals("content of b.cfg", rows.get("moved.cfg"), "the replay is in config.db: " + rows);
        assertFalse(rows.containsKey("c.cfg") || rows.containsKey("b.cfg"), rows.toString());
        recovered.close();
        assertFalse(Files.exists(LoggedStore.logFileOf(file)), "a clean stop leaves no log");

        MemDb plain = sqliteDb(file);
        assertEquals(expected.lines().skip(1).toList(), dump(plain).lines().skip(1).toList(),
                "config.db alone (as the original reads it) has the whole tree");
        plain.close();
    }

    @Test
    void aCleanCloseWritesEverythingIntoConfigDbAndDeletesTheLog() throws Exception {
        Path file = tmp.resolve("config.db");
        MemDb db = open(file, NEVER_WRITES);
        ok(mkdir(db, "d"));
        put(db, "d/f.cfg", "x");
        assertFalse(db.failed());
        String expected = dump(db);
        db.close();
        assertFalse(Files.exists(LoggedStore.logFileOf(file)));
        assertEquals("x", sqliteRows(file).get("f.cfg"));
        MemDb plain = sqliteDb(file);
        assertEquals(expected, dump(plain));
        plain.close();
    }

    @Test
    void theWriterPutsCommitsIntoConfigDbWhileRunningAndKeepsTheLogSmall() throws Exception {
        Path file = tmp.resolve("config.db");
        MemDb db = open(file, new LoggedStore.Options(Duration.ofMillis(1), 64L << 20, 4096));
        ok(mkdir(db, "d"));
        for (int i = 0; i < 200; i++) {
            put(db, "d/f" + i + ".cfg", "file " + i + " ".repeat(200));
            assertFalse(db.failed());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!sqliteRows(file).containsKey("f199.cfg") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(sqliteRows(file).containsKey("f199.cfg"), "config.db got the commits without a stop");
        long logSize = Files.size(LoggedStore.logFileOf(file));
        assertTrue(logSize < 4096 + 2048, "the log starts over once config.db has its commits: " + logSize + " bytes");
        db.close();
    }

    @Test
    void aCrashAfterTheWriterTookSomeCommitsReplaysTheRestOverThem() throws Exception {
        Path file = tmp.resolve("config.db");
        MemDb crashed = open(file, new LoggedStore.Options(Duration.ofMillis(1), 64L << 20, 8L << 20));
        ok(mkdir(crashed, "d"));
        put(crashed, "d/a.cfg", "first");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!"first".equals(sqliteRows(file).get("a.cfg")) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals("first", sqliteRows(file).get("a.cfg"), "config.db took the first commits");
        ok(rename(crashed, "d/a.cfg", "d/b.cfg"));
        String expected = dump(crashed);
        // the process dies here: config.db is somewhere in the log, at a batch's last commit

        MemDb recovered = open(file, LoggedStore.Options.DEFAULT);
        assertEquals(expected, dump(recovered));
        assertEquals("first", text(recovered, "d/b.cfg"));
        recovered.close();
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".stale-")), "the log was not taken for a foreign one");
        }
    }

    @Test
    void aCommitCutShortByACrashIsDroppedAndTheOnesBeforeItStay() throws Exception {
        Path file = tmp.resolve("config.db");
        MemDb crashed = crashedWith(file, "a.cfg", "b.cfg");
        String beforeLast = dump(crashed);
        ok(mkdir(crashed, "last")); // one commit, cut short below
        Path log = LoggedStore.logFileOf(file);
        byte[] bytes = Files.readAllBytes(log);
        Files.write(log, Arrays.copyOf(bytes, bytes.length - 3));

        MemDb recovered = open(file, LoggedStore.Options.DEFAULT);
        assertEquals(beforeLast, dump(recovered));
        recovered.close();
    }

    @Test
    void aLogOfAnotherDatabaseIsMovedAsideNotApplied() throws Exception {
        Path file = tmp.resolve("config.db");
        crashedWith(file, "lost-with-the-crash.cfg");
        // the admin restores config.db from a backup and starts again
        for (String f : List.of("config.db", "config.db-wal", "config.db-shm")) {
            Files.deleteIfExists(tmp.resolve(f));
        }
        MemDb restored = sqliteDb(file);
        put(restored, "from-backup.cfg", "backup");
        restored.close();
        String expected = dump(sqliteDb(file));

        MemDb db = open(file, LoggedStore.Options.DEFAULT);
        assertEquals(expected, dump(db), "config.db as restored");
        assertEquals("backup", text(db, "from-backup.cfg"));
        db.close();
        List<Path> aside;
        try (Stream<Path> s = Files.list(tmp)) {
            aside = s.filter(p -> p.getFileName().toString().startsWith("config.db-commitlog.stale-")).toList();
        }
        assertEquals(1, aside.size(), "the foreign log is kept aside");
        assertEquals(4, CommitLog.read(aside.get(0)).frames().size(), "with its commits (new tree, mkdir, create, write)");
    }
}
