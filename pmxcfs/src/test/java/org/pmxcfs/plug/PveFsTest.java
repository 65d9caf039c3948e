package org.pmxcfs.plug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.SqliteStore;
import org.pmxcfs.fuse.FileAttr;
import org.pmxcfs.fuse.FsCore;
import org.pmxcfs.lock.LockTable;
import org.pmxcfs.status.ClusterLog;
import org.pmxcfs.status.KvStore;
import org.pmxcfs.status.StatusFiles;
import org.pmxcfs.status.VersionCounters;

/** What the FUSE layer's caches rely on: attributes, the quorum epoch, file contents with their version. */
class PveFsTest {

    private static final long START = 1_700_000_000L;

    @TempDir
    Path dir;
    private MemDb db;
    private final AtomicBoolean quorate = new AtomicBoolean(true);
    private PveFs fs;

    @BeforeEach
    void setUp() throws Exception {
        db = MemDb.open(SqliteStore.open(dir.resolve("config.db"), SqliteStore.Options.DEFAULT),
                MemDb.DEFAULT_MAX_TOTAL_BYTES, START);
        VersionCounters counters = new VersionCounters();
        KvStore kv = new KvStore("n1", () -> START);
        StatusFiles status = new StatusFiles("n1", START, db::vmList, counters, new ClusterLog("n1"), () -> false,
                () -> null, kv::versions, kv::rrdDump);
        LockTable locks = new LockTable(120_000);
        Clock clock = Clock.systemUTC();
        DebugSwitch debug = new DebugSwitch() {
            @Override
            public boolean enabled() {
                return false;
            }

            @Override
            public void set(boolean on) {}
        };
        fs = new PveFs("n1", db, new LocalApplier(db, locks, clock), status, locks, debug, quorate::get, clock, 33);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void quorumLostAndRegainedBetweenTwoLooksStillChangesTheEpoch() {
        fs.create("/a.cfg", 1);
        long before = fs.attributesEpoch();
        assertEquals(0640, fs.getattr("/a.cfg").mode() & 07777);
        quorate.set(false);
        assertEquals(0440, fs.getattr("/a.cfg").mode() & 07777, "read-only without quorum");
        quorate.set(true);
        assertEquals(0640, fs.getattr("/a.cfg").mode() & 07777);
        assertNotEquals(before, fs.attributesEpoch(), "read-only modes were handed out meanwhile");
        long now = fs.attributesEpoch();
        fs.getattr("/a.cfg");
        assertEquals(now, fs.attributesEpoch(), "no change, no new epoch");
    }

    @Test
    void theContentOfAStoredFileCarriesItsEntryAndAVersionThatEveryChangeRaises() {
        fs.create("/a.cfg", 1);
        fs.write("/a.cfg", 0, 0, "one\n".getBytes(StandardCharsets.UTF_8));
        FsCore.Content c = fs.content("/a.cfg");
        assertEquals("one\n", new String(c.data().array(), 0, c.data().length(), StandardCharsets.UTF_8));
        assertEquals(fs.getattr("/a.cfg").inode(), c.inode());
        fs.write("/a.cfg", 0, 0, "two\n".getBytes(StandardCharsets.UTF_8));
        FsCore.Content d = fs.content("/a.cfg");
        assertEquals(c.inode(), d.inode());
        assertNotEquals(c.version(), d.version());
        fs.rename("/a.cfg", "/b.cfg");
        assertEquals(c.inode(), fs.content("/b.cfg").inode(), "a rename keeps the entry");
        assertNull(fs.content("/.members"), "status files are not stored");
        assertTrue(fs.getattr("/.members").dynamic());
        assertEquals(FileAttr.NO_INODE, fs.getattr("/local").inode());
    }
}
