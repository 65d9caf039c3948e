package org.pmxcfs.lock;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.TreeEntry;

/**
 * When this node first saw each cluster lock ({@code priv/lock/<name>}) in its current state,
 * by its own clock: a lock may be expired once it has been unchanged for longer than the lock
 * lifetime here. Clocks of different nodes never need to agree.
 */
public final class LockTable implements MemDb.ChangeListener {

    /** The original's CFS_LOCK_TIMEOUT. */
    public static final long DEFAULT_LIFETIME_MILLIS = 120_000;

    private record Seen(byte[] digest, long sinceMillis) {}

    private final long lifetimeMillis;
    private final Map<String, Seen> seen = new HashMap<>();

    public LockTable(long lifetimeMillis) {
        this.lifetimeMillis = lifetimeMillis;
    }

    /** Records the lock in its current state (a new or changed lock restarts its timer). */
    public synchronized void observe(String path, TreeEntry lock, long nowMillis) {
        byte[] digest = lock.metaDigest();
        Seen s = seen.get(path);
        if (s == null || !Arrays.equals(s.digest(), digest)) {
            seen.put(path, new Seen(digest, nowMillis));
        }
    }

    /** True if the lock has been unchanged for longer than the lifetime; starts its timer otherwise. */
    public synchronized boolean expired(String path, TreeEntry lock, long nowMillis) {
        return unchangedMillis(path, lock, nowMillis) > lifetimeMillis;
    }

    /** How long this node has seen the lock unchanged (0 for one seen for the first time now). */
    public synchronized long unchangedMillis(String path, TreeEntry lock, long nowMillis) {
        observe(path, lock, nowMillis);
        return nowMillis - seen.get(path).sinceMillis();
    }

    /** After how long unchanged a lock may be expired. */
    public long lifetimeMillis() {
        return lifetimeMillis;
    }

    /** A changed or removed path, on this node or by another: forget it (a lock still there is seen afresh). */
    @Override
    public synchronized void changed(String path) {
        seen.remove(path);
    }

    /** After a reload (start-up, state transfer) every lock starts a fresh lifetime, as in the original. */
    @Override
    public synchronized void reloaded() {
        seen.clear();
    }
}
