package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.dbstore.TestSupport.dump;
import static org.pmxcfs.dbstore.TestSupport.mkdir;
import static org.pmxcfs.dbstore.TestSupport.ok;
import static org.pmxcfs.dbstore.TestSupport.put;
import static org.pmxcfs.dbstore.TestSupport.sqliteDb;
import static org.pmxcfs.dbstore.TestSupport.text;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reference 1.8: WAL + synchronous=NORMAL; a committed transaction survives a process crash. */
class CrashRecoveryTest {

    @TempDir
    Path tmp;

    /** Copies the database as a killed process leaves it: main file and WAL, no clean close. */
    private Path crashCopy(Path file, boolean withShm) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("after-crash"));
        Files.copy(file, dir.resolve("config.db"));
        Path wal = file.resolveSibling("config.db-wal");
        assertTrue(Files.exists(wal) && Files.size(wal) > 0, "the committed changes are still in the WAL");
        Files.copy(wal, dir.resolve("config.db-wal"));
        Path shm = file.resolveSibling("config.db-shm");
        if (withShm && Files.exists(shm)) {
            Files.copy(shm, dir.resolve("config.db-shm"));
        }
        return dir.resolve("config.db");
    }

    private void committedChangesSurviveACrash(boolean withShm) throws Exception {
        Path file = tmp.resolve("config.db");
        MemDb db = sqliteDb(file);
        ok(mkdir(db, "d"));
        put(db, "d/f", "committed");
        assertFalse(db.failed());
        String expected = dump(db);
        Path copy = crashCopy(file, withShm);
        db.close();

        MemDb recovered = sqliteDb(copy);
        assertEquals(expected, dump(recovered));
        assertEquals("committed", text(recovered, "d/f"));
        ok(mkdir(recovered, "after"));
        recovered.close();
        MemDb again = sqliteDb(copy);
        assertTrue(again.lookup("after").isPresent());
        assertEquals("committed", text(again, "d/f"));
        again.close();
    }

    @Test
    void committedChangesInTheWalAreLoaded() throws Exception {
        committedChangesSurviveACrash(false);
    }

    @Test
    void committedChangesInTheWalAreLoadedWithAStaleShm() throws Exception {
        committedChangesSurviveACrash(true);
    }
}
