package org.pmxcfs.join;

import org.pmxcfs.files.IoErrors;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A cluster-wide lock, taken as the original's Perl client does ({@code PVE::Cluster::cfs_lock}):
 * {@code mkdir <mnt>/priv/lock/<id>}; while that fails, ask for expiry of a stale lock
 * ({@code utime(0, 0)}), wait, and say {@code trying to acquire cfs lock '<id>' ...} at most once
 * a second; give up after the timeout (10 s). The lock directory is always removed afterwards.
 * Errors of the locking itself read {@code cfs-lock '<id>' error: <reason>} (or
 * {@code no quorum!} when the node is not quorate); errors of the locked code pass unchanged.
 */
public final class CfsLock {

    /** Waits between attempts; tests pass a fake that advances their clock. */
    public interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    /** Code run under the lock. */
    public interface Locked<T> {
        T run() throws JoinException, IOException;
    }

    /**
     * A lock directory that could not be removed after the code ran: typically the code's own
     * corosync.conf change took quorum away (a second node added to a one-node cluster), so the
     * filesystem is read-only until the new node arrives.
     */
    public interface StuckLock {
        void handle(String id, Path lock, long acquiredMillis, IOException error);
    }

    /**
     * How long after taking a lock it is still surely ours to remove: nobody can expire it
     * before it is 120 s old (reference 3.7), so a late rmdir within this window never removes
     * someone else's lock.
     */
    public static final Duration SAFE_RELEASE_WINDOW = Duration.ofSeconds(100);

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Path mountpoint;
    private final BooleanSupplier quorate;
    private final LongSupplier clockMillis;
    private final Sleeper sleeper;
    private final Consumer<String> progress;
    private final Duration timeout;
    private StuckLock stuck;

    /**
     * @param progress where {@code trying to acquire cfs lock ...} goes (stderr in the CLI)
     */
    public CfsLock(Path mountpoint, BooleanSupplier quorate, LongSupplier clockMillis, Sleeper sleeper,
                   Consumer<String> progress, Duration timeout) {
        this.mountpoint = mountpoint;
        this.quorate = quorate;
        this.clockMillis = clockMillis;
        this.sleeper = sleeper;
        this.progress = progress;
        this.timeout = timeout;
        this.stuck = (id, lock, t0, e) -> progress.accept("unable to release cfs lock '" + id + "' ("
                + IoErrors.reason(e) + ") - it expires 120 s after the cluster is quorate again");
    }

    /** A lock with the real clock and the 10 s timeout. */
    public static CfsLock of(ClusterAccess access, Consumer<String> progress) {
        return new CfsLock(access.mountpoint(), access::quorate, System::currentTimeMillis, Thread::sleep, progress,
                DEFAULT_TIMEOUT);
    }

    /** Replaces what happens to a lock that cannot be removed (default: a message to progress). */
    public CfsLock onStuckLock(StuckLock handler) {
        this.stuck = handler;
        return this;
    }

    /** The lock id of an observed file: {@code file-} + path with {@code .} and {@code /} as {@code _}. */
    public static String fileLockId(String path) {
        return "file-" + path.replace('.', '_').replace('/', '_');
    }

    /** Runs {@code code} holding lock {@code id}. */
    public <T> T run(String id, Locked<T> code) throws JoinException, IOException {
        Path lockDir = mountpoint.resolve("priv/lock");
        Path lock = lockDir.resolve(id);
        try {
            acquire(lockDir, lock, id);
        } catch (JoinException e) {
            throw new JoinException(quorate.getAsBoolean() ? "cfs-lock '" + id + "' error: " + e.getMessage() : "no quorum!");
        }
        long acquired = clockMillis.getAsLong();
        try {
            return code.run();
        } finally {
            try {
                Files.deleteIfExists(lock);
            } catch (IOException e) {
                // the original ignores this; left alone, the lock would block the next join for 120 s
                stuck.handle(id, lock, acquired, e);
            }
        }
    }

    private void acquire(Path lockDir, Path lock, String id) throws JoinException {
        try {
            // a cluster not made by 'pvecm create' (scripts/cluster) has no priv/ yet; .version
            // exists only on the mounted filesystem, so an empty mount point gets nothing
            if (Files.exists(mountpoint.resolve(".version")) && !Files.isDirectory(lockDir.getParent())) {
                Files.createDirectory(lockDir.getParent());
            }
            Files.createDirectory(lockDir);
        } catch (IOException ignored) {
            // exists already, or the filesystem is not there: checked next
        }
        if (!Files.isDirectory(lockDir)) {
            throw new JoinException("pve cluster filesystem not online.");
        }
        long deadline = clockMillis.getAsLong() + timeout.toMillis();
        long lastMessage = 0;
        boolean said = false;
        while (true) {
            try {
                Files.createDirectory(lock);
                return;
            } catch (FileAlreadyExistsException e) {
                // held by someone: wait below
            } catch (IOException e) {
                // EACCES without quorum etc.: the original retries these as well
            }
            long now = clockMillis.getAsLong();
            long remaining = deadline - now;
            if (remaining <= 0) {
                throw new JoinException("got lock request timeout");
            }
            requestUnlock(lock);
            if (!said || now - lastMessage >= 1000) {
                progress.accept("trying to acquire cfs lock '" + id + "' ...");
                lastMessage = now;
                said = true;
            }
            // the original sleeps min(remaining s, 10) x 100 ms
            long sleep = Math.max(1, Math.min(remaining / 1000, 10)) * 100;
            try {
                sleeper.sleep(Math.min(sleep, remaining));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JoinException("got lock request timeout");
            }
        }
    }

    /** {@code utime(lock, 0, 0)}: pmxcfs removes the lock if it is older than 120 s. */
    private static void requestUnlock(Path lock) {
        try {
            Files.getFileAttributeView(lock, BasicFileAttributeView.class)
                    .setTimes(FileTime.fromMillis(0), FileTime.fromMillis(0), null);
        } catch (IOException ignored) {
            // EACCES is the expected answer (mtime 0 < current); the unlock happens in the daemon
        }
    }
}
