package org.pmxcfs.fuse;

import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.FsException;

/**
 * The kernel's permission rules (generic_permission, and what chmod, chown, utime and truncate
 * ask of a caller), applied by the daemon to the attributes it reports. The mount does not use
 * {@code default_permissions}: with it the kernel drops a directory's attributes after every
 * create, unlink and rename and asks for them again before the next one (a GETATTR round trip
 * on every small write). What the kernel caches without asking (names below a directory not
 * everyone may search) is kept out of its caches instead ({@link FuseDispatcher}).
 */
final class Permissions {

    static final int R = 4;
    static final int W = 2;
    static final int X = 1;

    private Permissions() {}

    /** EACCES unless {@code c} may {@code mask} (R, W, X ored) the entry with attributes {@code a}. */
    static void require(Caller c, FileAttr a, int mask) {
        if (!permits(c, a, mask, false)) {
            throw new FsException(Errno.EACCES);
        }
    }

    /**
     * Whether {@code c} may {@code mask} the entry: the owner's, the group's or the others' bits,
     * whichever class the caller is in, then the capabilities that override them.
     * {@code forAccessCall}: an access(2) check, made with the caller's real ids.
     */
    static boolean permits(Caller c, FileAttr a, int mask, boolean forAccessCall) {
        int mode = a.mode();
        int bits;
        if (c.uid == a.uid()) {
            bits = mode >> 6;
        } else if (c.inGroup(a.gid())) {
            bits = mode >> 3;
        } else {
            bits = mode;
        }
        if ((bits & mask) == mask) {
            return true;
        }
        boolean dir = (mode & 0170000) == FileAttr.S_IFDIR;
        if (dir) {
            return ((mask & W) == 0 && c.capable(Caller.CAP_DAC_READ_SEARCH, forAccessCall))
                    || c.capable(Caller.CAP_DAC_OVERRIDE, forAccessCall);
        }
        if (mask == R && c.capable(Caller.CAP_DAC_READ_SEARCH, forAccessCall)) {
            return true;
        }
        // reading and writing are always overridable, executing only if someone may execute
        return ((mask & X) == 0 || (mode & 0111) != 0) && c.capable(Caller.CAP_DAC_OVERRIDE, forAccessCall);
    }

    /** chmod, and setting times other than now: the owner or CAP_FOWNER, else EPERM. */
    static void requireOwner(Caller c, FileAttr a) {
        if (c.uid != a.uid() && !c.capable(Caller.CAP_FOWNER, false)) {
            throw new FsException(Errno.EPERM);
        }
    }

    /** chown to {@code uid}/{@code gid} (-1: unchanged): as the kernel's chown_ok and chgrp_ok, else EPERM. */
    static void requireChown(Caller c, FileAttr a, long uid, long gid) {
        boolean owner = c.uid == a.uid();
        boolean uidOk = uid < 0 || (owner && uid == a.uid());
        boolean gidOk = gid < 0 || (owner && (gid == a.gid() || c.inGroup((int) gid)));
        if (!(uidOk && gidOk) && !c.capable(Caller.CAP_CHOWN, false)) {
            throw new FsException(Errno.EPERM);
        }
    }

    /** utime to now: the owner, CAP_FOWNER or whoever may write the entry, else EACCES. */
    static void requireTouch(Caller c, FileAttr a) {
        if (c.uid != a.uid() && !c.capable(Caller.CAP_FOWNER, false)) {
            require(c, a, W);
        }
    }
}
