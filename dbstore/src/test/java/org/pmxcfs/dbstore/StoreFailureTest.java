package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.dbstore.TestSupport.NOW;
import static org.pmxcfs.dbstore.TestSupport.bytes;
import static org.pmxcfs.dbstore.TestSupport.create;
import static org.pmxcfs.dbstore.TestSupport.fails;
import static org.pmxcfs.dbstore.TestSupport.mkdir;
import static org.pmxcfs.dbstore.TestSupport.ok;
import static org.pmxcfs.dbstore.TestSupport.put;
import static org.pmxcfs.dbstore.TestSupport.ramDb;
import static org.pmxcfs.dbstore.TestSupport.write;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pmxcfs.dbstore.TestSupport.FailingStore;

/** Reference 1.3 / 1.8: a backend failure sets a sticky error; every later mutation is EIO. */
class StoreFailureTest {

    private static List<Operation> everyKindOfMutation() {
        return List.of(
                new Operation.Mkdir("new"),
                new Operation.Create("newfile"),
                new Operation.Write("f", 0, bytes("x")),
                new Operation.Truncate("f", 0),
                new Operation.Delete("f"),
                new Operation.Rename("f", "g"),
                new Operation.SetMtime("f", NOW + 10),
                new Operation.Unlock("priv/lock/x", new byte[32]),
                // EIO comes first, before the errors these would give otherwise
                new Operation.Write("f", MemDb.MAX_FILE_SIZE, bytes("x")),
                new Operation.Delete(""),
                new Operation.Mkdir("missing/x"));
    }

    @Test
    void failedStructuralCommitIsEioAndSticky() {
        RamStore ram = new RamStore();
        FailingStore store = new FailingStore(ram);
        MemDb db = ramDb(store);
        put(db, "f", "data");
        ok(mkdir(db, "d"));
        assertFalse(db.failed());

        store.arm();
        fails(Errno.EIO, mkdir(db, "d2"));
        assertTrue(db.failed());
        for (Operation op : everyKindOfMutation()) {
            fails(Errno.EIO, db.apply(op, 0, NOW));
        }
        assertTrue(db.failed());
        assertEquals(1, store.failedCommits, "after the first failure nothing is even tried");
        // what was committed before the failure is intact
        assertTrue(ram.rows.values().stream().anyMatch(e -> e.name().equals("f") && e.size() == 4));
    }

    @Test
    void aFailedWriteIsEioAndSticky() {
        FailingStore store = new FailingStore(new RamStore());
        MemDb db = ramDb(store);
        ok(create(db, "f"));
        store.arm();
        fails(Errno.EIO, write(db, "f", 0, "x")); // the write itself is told, not a later close
        assertTrue(db.failed());
        assertTrue(db.failed());
        for (Operation op : everyKindOfMutation()) {
            fails(Errno.EIO, db.apply(op, 0, NOW));
        }
    }

    @Test
    void readsStillWorkAfterAFailure() {
        FailingStore store = new FailingStore(new RamStore());
        MemDb db = ramDb(store);
        put(db, "f", "data");
        ok(mkdir(db, "d"));
        store.arm();
        fails(Errno.EIO, mkdir(db, "e"));
        assertEquals("data", TestSupport.text(db, "f"));
        assertTrue(db.lookup("d").isPresent());
    }

    @Test
    void everyOperationIsCommittedBeforeApplyReturns() {
        RamStore ram = new RamStore();
        MemDb db = ramDb(ram);
        int commits = ram.commits;
        ok(create(db, "f"));
        for (int i = 0; i < 10; i++) {
            ok(1, write(db, "f", i, "x"));
            assertEquals(commits + 2 + i, ram.commits, "write chunk " + i + " is committed at once");
            assertEquals(i + 1, ram.rows.values().stream().filter(e -> e.name().equals("f")).findFirst().orElseThrow()
                    .size());
            assertEquals(db.stats().version(), ram.rows.get(0L).version(), "the version row is committed with it");
        }
        assertFalse(db.failed());
        assertEquals(commits + 11, ram.commits, "nothing pending: no empty transaction");
    }

    @Test
    void closeFlushesAndClosesTheStore() {
        RamStore ram = new RamStore();
        MemDb db = ramDb(ram);
        put(db, "f", "abc");
        db.close();
        assertTrue(ram.closed);
        assertEquals(3, ram.rows.values().stream().filter(e -> e.name().equals("f")).findFirst().orElseThrow()
                .size());
    }
}
