package org.pmxcfs.it;

import static jnr.constants.platform.Errno.EACCES;
import static jnr.constants.platform.Errno.EEXIST;
import static jnr.constants.platform.Errno.ENOENT;
import static jnr.constants.platform.Errno.ENOTEMPTY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.it.Sys.assertErrno;
import static org.pmxcfs.it.Sys.assertOk;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Reference §3.7 in local mode: mkdir acquires, rmdir releases, utime(0, now) refreshes,
 * utime(0, 0) removes a lock only once it is older than the lock lifetime.
 */
class LockTest extends MountTestBase {

    static long nowMs() {
        return System.nanoTime() / 1_000_000;
    }

    static long epoch() {
        return System.currentTimeMillis() / 1000;
    }

    @Test
    void acquireReleaseRefreshWithTheDefaultLifetime() {
        Daemon d = started();
        Path m = d.mnt;
        mkdirs(m, "priv/lock");
        Path foo = m.resolve("priv/lock/foo");
        assertOk(Sys.mkdir(foo), "acquire (mkdir)");
        assertErrno(EEXIST, Sys.mkdir(foo), "second acquire of a held lock");
        assertErrno(EACCES, Sys.utimes(foo, 0, 0), "unlock request on a young lock");
        assertTrue(Files.isDirectory(foo), "young lock survives the unlock request");

        long now = epoch();
        assertOk(Sys.utimes(foo, 0, now), "refresh with utime(0, now)");
        assertErrno(EACCES, Sys.utimes(foo, 0, now - 100), "refresh with an older mtime");
        assertTrue(Files.isDirectory(foo));

        assertOk(Sys.rmdir(foo), "release (rmdir)");
        assertErrno(ENOENT, Sys.utimes(foo, 0, 0), "unlock request on a missing lock");
        assertOk(Sys.mkdir(foo), "acquire again after release");

        // a lock with content cannot be removed
        mkdirs(m, "priv/lock/foo/child");
        assertErrno(ENOTEMPTY, Sys.rmdir(foo), "rmdir of a lock with children");

        // outside priv/lock, utime(0, 0) is an ordinary mtime change
        mkdirs(m, "priv/notlock");
        assertOk(Sys.utimes(m.resolve("priv/notlock"), 0, 0), "utime(0,0) on an ordinary dir");
        assertEquals(0, Sys.stat(m.resolve("priv/notlock")).mtime());
        put(m.resolve("priv/lock/plainfile"), "x");
        assertOk(Sys.utimes(m.resolve("priv/lock/plainfile"), 0, 0), "utime(0,0) on a file in priv/lock");
        assertTrue(Files.exists(m.resolve("priv/lock/plainfile")), "files in priv/lock are no locks");
    }

    /**
     * Polls utime(0, 0) until the lock is removed; returns ms from {@code sinceMs}, or -1. The
     * call that removes the lock may report ENOENT: libfuse 2 answers a setattr with a getattr
     * of the (now deleted) path; Perl callers ignore the result and retry mkdir.
     */
    static long expireBy(Path lock, long sinceMs, long timeoutMs) {
        long[] doneAt = {-1};
        Daemon.poll(timeoutMs, 100, () -> {
            int rc = Sys.utimes(lock, 0, 0);
            if (rc == 0 || rc == ENOENT.intValue()) {
                doneAt[0] = nowMs();
                // readdir always asks the daemon (stat may answer from the kernel's dentry cache)
                assertFalse(listing(lock.getParent()).contains(lock.getFileName().toString()),
                        "lock gone after an unlock request that returned " + Sys.name(rc));
                return true;
            }
            assertErrno(EACCES, rc, "unlock request while not yet expired");
            return false;
        });
        return doneAt[0] < 0 ? -1 : doneAt[0] - sinceMs;
    }

    static java.util.List<String> listing(Path dir) {
        try {
            return ModesAndStatusFilesTest.rawListing(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * mkdir of an expired lock: the daemon removed the directory behind the kernel's back, so
     * the kernel may still hold a positive dentry (entry_timeout, 1 s in libfuse 2) and answer
     * EEXIST itself for that long. Perl retries mkdir every 100 ms, so we do the same, bounded.
     */
    static long reacquire(Path lock) {
        long t = nowMs();
        int[] last = {0};
        boolean ok = Daemon.poll(3000, 100, () -> {
            last[0] = Sys.mkdir(lock);
            return last[0] == 0;
        });
        assertTrue(ok, "mkdir of an expired lock never succeeded: " + Sys.name(last[0]));
        return nowMs() - t;
    }

    @Test
    void staleLockIsRemovedAfterTheLifetime() {
        Daemon d = started("--lock-lifetime", "1");
        Path m = d.mnt;
        mkdirs(m, "priv/lock");
        Path foo = m.resolve("priv/lock/foo");
        long t0 = nowMs();
        assertOk(Sys.mkdir(foo), "acquire");
        long afterMkdir = nowMs();
        int rc = Sys.utimes(foo, 0, 0);
        if (nowMs() - t0 < 900) {
            assertErrno(EACCES, rc, "unlock request right after acquiring");
        }
        long took = expireBy(foo, afterMkdir, 4000);
        assertTrue(took >= 0, "lock with lifetime 1 s not removed within 4 s of polling");
        assertTrue(nowMs() - t0 > 1000, "removed only after the lifetime (" + took + " ms)");
        assertTrue(took <= 2500, "removed by ~2.5 s: took " + took + " ms");
        long wait = reacquire(foo);
        System.out.println("lock: expired after " + took + " ms, mkdir succeeded again after " + wait + " ms");

        // a refresh restarts the timer
        Path bar = m.resolve("priv/lock/bar");
        boolean conclusive = false;
        for (int attempt = 0; attempt < 3 && !conclusive; attempt++) {
            Sys.rmdir(bar);
            assertOk(Sys.mkdir(bar), "acquire bar");
            long mkDone = nowMs();
            Daemon.sleep(600);
            long refreshStart = nowMs();
            assertOk(Sys.utimes(bar, 0, epoch()), "refresh bar");
            Daemon.poll(2000, 20, () -> nowMs() - mkDone > 1150);
            long checkStart = nowMs();
            rc = Sys.utimes(bar, 0, 0);
            long checkEnd = nowMs();
            // conclusive only if the lock is stale by its creation but young by its refresh
            if (checkStart - mkDone > 1000 && checkEnd - refreshStart < 1000) {
                conclusive = true;
                assertErrno(EACCES, rc, "unlock request 1.15 s after mkdir but < 1 s after a refresh");
                assertTrue(Files.isDirectory(bar), "refreshed lock survives");
            }
        }
        assertTrue(conclusive, "machine too slow to time the refresh check");
        assertTrue(expireBy(bar, nowMs(), 4000) >= 0, "refreshed lock expires later");
    }

    @Test
    void restartRestartsLockTimers() {
        Daemon d = started("--lock-lifetime", "2");
        mkdirs(d.mnt, "priv/lock");
        Path foo = d.mnt.resolve("priv/lock/foo");
        assertOk(Sys.mkdir(foo), "acquire");
        long mk = nowMs();
        d.stop();
        Daemon.poll(3000, 50, () -> nowMs() - mk > 2200);
        long launch = nowMs();
        d.start();
        int rc = Sys.utimes(foo, 0, 0);
        long callEnd = nowMs();
        assertTrue(Files.isDirectory(foo) || rc == 0, "lock present after restart");
        if (callEnd - launch < 2000) {
            assertErrno(EACCES, rc, "lock older than its lifetime, but the restart restarted its timer");
        }
        assertTrue(expireBy(foo, launch, 5000) >= 0, "lock expires after the lifetime counted from the restart");
    }
}
