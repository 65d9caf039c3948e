package org.pmxcfs.lock;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pmxcfs.dbstore.TreeEntry;

/** Lock lifetimes by this node's clock, restarted by changes and reloads. */
class LockTableTest {

    private static final String PATH = "priv/lock/vm-100";

    private static TreeEntry lock(long version, long mtime) {
        return new TreeEntry(version, 5, version, 1, mtime, TreeEntry.TYPE_DIR, "vm-100", null);
    }

    @Test
    void aLockExpiresOnlyAfterBeingUnchangedForTheLifetime() {
        LockTable t = new LockTable(120_000);
        TreeEntry l = lock(10, 1000);
        assertFalse(t.expired(PATH, l, 0), "first seen now");
        assertFalse(t.expired(PATH, l, 120_000));
        assertTrue(t.expired(PATH, l, 120_001));
        TreeEntry touched = lock(11, 1200);
        assertFalse(t.expired(PATH, touched, 130_000), "a changed lock starts a new lifetime");
        assertTrue(t.expired(PATH, touched, 250_001));
    }

    @Test
    void aChangeOrAReloadRestartsTheTimer() {
        LockTable t = new LockTable(120_000);
        TreeEntry l = lock(10, 1000);
        t.observe(PATH, l, 0);
        t.changed(PATH); // removed and created again elsewhere, say
        assertFalse(t.expired(PATH, l, 200_000), "seen afresh after a change");
        t.changed("priv/lock/other");
        assertTrue(t.expired(PATH, l, 320_001), "another path's change leaves it alone");
        t.reloaded();
        assertFalse(t.expired(PATH, l, 400_000), "a reload restarts every lifetime");
    }
}
