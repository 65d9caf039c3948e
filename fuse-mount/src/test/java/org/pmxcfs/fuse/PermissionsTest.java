package org.pmxcfs.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.FsException;

/**
 * The kernel's permission rules as the daemon applies them. A caller with pid 0 has no
 * supplementary groups and no capabilities; this test's own pid (root, every capability) has all.
 */
class PermissionsTest {

    static final int WWW = 33;
    static final FileAttr FILE = attr(FileAttr.S_IFREG | 0640);
    static final FileAttr PRIVATE_FILE = attr(FileAttr.S_IFREG | 0600);
    static final FileAttr DIR = attr(FileAttr.S_IFDIR | 0755);
    static final FileAttr PRIVATE_DIR = attr(FileAttr.S_IFDIR | 0700);
    static final int R = Permissions.R;
    static final int W = Permissions.W;
    static final int X = Permissions.X;

    static FileAttr attr(int mode) {
        return new FileAttr(mode, 1, 0, 0, 0, 0, WWW, false, 1);
    }

    static Caller plain(int uid, int gid) {
        return new Caller(uid, gid, 0);
    }

    /** A caller other than root with this JVM's capabilities (all of them: the tests run as root). */
    static Caller capable(int uid, int gid) {
        return new Caller(uid, gid, (int) ProcessHandle.current().pid());
    }

    @Test
    void theOwnerTheGroupAndOthersGetTheirBits() {
        Caller root = plain(0, 0);
        assertTrue(Permissions.permits(root, FILE, R | W, false));
        assertFalse(Permissions.permits(root, FILE, X, false), "no x bit: not even the owner");
        assertTrue(Permissions.permits(root, PRIVATE_DIR, R | W | X, false));
        Caller www = plain(33, WWW);
        assertTrue(Permissions.permits(www, FILE, R, false));
        assertFalse(Permissions.permits(www, FILE, W, false));
        assertFalse(Permissions.permits(www, PRIVATE_FILE, R, false));
        assertTrue(Permissions.permits(www, DIR, R | X, false));
        assertFalse(Permissions.permits(www, DIR, W | X, false), "creating in a directory takes w and x");
        assertFalse(Permissions.permits(www, PRIVATE_DIR, X, false));
        Caller nobody = plain(65534, 65534);
        assertFalse(Permissions.permits(nobody, FILE, R, false), "others may not read a config file");
        assertTrue(Permissions.permits(nobody, DIR, R | X, false));
        assertThrows(FsException.class, () -> Permissions.require(nobody, FILE, R));
        assertEquals(Errno.EACCES, assertThrows(FsException.class, () -> Permissions.require(nobody, DIR, W)).errno());
    }

    @Test
    void capabilitiesOverrideTheBitsAsTheKernelsDo() {
        Caller c = capable(65534, 65534);
        assertTrue(Permissions.permits(c, PRIVATE_FILE, R | W, false), "CAP_DAC_OVERRIDE reads and writes");
        assertTrue(Permissions.permits(c, PRIVATE_DIR, R | W | X, false));
        assertFalse(Permissions.permits(c, FILE, X, false), "executing needs an x bit even with capabilities");
        assertDoesNotThrow(() -> Permissions.requireOwner(c, FILE), "CAP_FOWNER");
        assertDoesNotThrow(() -> Permissions.requireChown(c, FILE, 1000, 1000), "CAP_CHOWN");
        // access(2) runs with the real ids: no capabilities for a caller other than root
        assertFalse(Permissions.permits(c, PRIVATE_FILE, R, true));
        assertTrue(Permissions.permits(capable(0, 0), FILE, W, true), "root keeps its permitted ones");
        assertFalse(Permissions.permits(capable(0, 0), FILE, X, true));
    }

    @Test
    void onlyTheOwnerChangesModesOwnersAndExplicitTimes() {
        Caller root = plain(0, 0);
        Caller www = plain(33, WWW);
        assertDoesNotThrow(() -> Permissions.requireOwner(root, FILE));
        assertEquals(Errno.EPERM, assertThrows(FsException.class, () -> Permissions.requireOwner(www, FILE)).errno());
        assertDoesNotThrow(() -> Permissions.requireChown(root, FILE, 0, WWW), "the owner, to what it is");
        assertDoesNotThrow(() -> Permissions.requireChown(root, FILE, -1, 0), "the owner, to a group it is in");
        assertThrows(FsException.class, () -> Permissions.requireChown(root, FILE, 1000, -1),
                "giving a file away takes CAP_CHOWN");
        assertThrows(FsException.class, () -> Permissions.requireChown(www, FILE, -1, WWW), "not the owner");
        // utime to now: the owner or whoever may write
        assertDoesNotThrow(() -> Permissions.requireTouch(root, FILE));
        assertEquals(Errno.EACCES, assertThrows(FsException.class, () -> Permissions.requireTouch(www, FILE)).errno());
    }

    @Test
    void supplementaryGroupsAndCapabilitiesComeFromProcStatus() {
        Caller.Status s = Caller.Status.parse("""
                Name:\tpython3
                Uid:\t65534\t65534\t65534\t65534
                Gid:\t65534\t65534\t65534\t65534
                Groups:\t33 1000 4294967294
                CapInh:\t0000000000000000
                CapPrm:\t0000000000000004
                CapEff:\t0000000000000002
                """);
        assertArrayEquals(new int[] {33, 1000, (int) 4294967294L}, s.groups());
        assertEquals(2, s.effective());
        assertEquals(4, s.permitted());
        assertArrayEquals(new int[0], Caller.Status.parse("Groups:\t\nCapEff:\t0\n").groups());
        Caller gone = new Caller(65534, 65534, Integer.MAX_VALUE);
        assertFalse(gone.inGroup(WWW), "a caller whose thread is gone has no supplementary groups");
        assertFalse(gone.capable(Caller.CAP_DAC_OVERRIDE, false));
    }
}
