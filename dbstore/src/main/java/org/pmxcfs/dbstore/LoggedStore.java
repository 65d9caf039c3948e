package org.pmxcfs.dbstore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Store} whose commit is one append to a {@link CommitLog} next to the SQLite file
 * ({@code config.db-commitlog}); a thread of its own then writes what was appended into
 * {@code config.db} in batches, one transaction each. A SQLite commit with 512-byte pages costs
 * ~45 µs of the writer's time (9 WAL writes, 6 locks); an append is one {@code write(2)}. The
 * durability is the same: both are in the kernel's page cache when the commit returns, so a crash
 * of the process loses nothing that was committed, a power loss may drop the newest commits.
 *
 * <p>At start the log's records are replayed over the database's rows if the log belongs to it
 * ({@link LogReplay}); a log that does not is moved aside, not applied. A clean {@link #close()}
 * writes everything into {@code config.db} and deletes the log, so a stopped node's
 * {@code config.db} is complete and readable by the original.
 */
public final class LoggedStore implements Store {

    private static final Logger log = LoggerFactory.getLogger("database");

    /**
     * How the log is drained. {@code applyDelay}: how long the writing thread gathers commits
     * before one transaction (a shorter delay keeps config.db closer to the tree, a longer one
     * writes fewer transactions); {@code maxPendingBytes}: commits not yet in config.db that make a
     * committer wait for the writer; {@code restartBytes}: log size at which it starts over with
     * what is still pending.
     */
    public record Options(Duration applyDelay, long maxPendingBytes, long restartBytes) {
        public static final Options DEFAULT = new Options(Duration.ofMillis(5), 64L << 20, 8L << 20);
    }

    /** How long a committer waits for the writer when too much is pending, before the commit fails. */
    private static final long BACKLOG_WAIT_MS = 30_000;
    /** Pause after a failed transaction before the next try: the log keeps every commit meanwhile. */
    private static final long RETRY_MS = 1_000;

    private final SqliteStore db;
    private final Path logFile;
    private final Options options;

    /** What load() read, for prepareWrites(). */
    private LogReplay replay;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the writer has something to do: a first pending commit, or closing. */
    private final Condition work = lock.newCondition();
    /** Signalled when the writer has put a batch into config.db. */
    private final Condition space = lock.newCondition();
    private final ArrayDeque<CommitRecord> pending = new ArrayDeque<>();
    private long pendingBytes;
    private boolean closing;
    private boolean writerFailed;
    private CommitLog commitLog;
    private Thread writer;

    private LoggedStore(SqliteStore db, Path logFile, Options options) {
        this.db = db;
        this.logFile = logFile;
        this.options = options;
    }

    /** The store of {@code dbFile} (created if missing, see {@link SqliteStore#open}) and its commit log. */
    public static LoggedStore open(Path dbFile, SqliteStore.Options sqlite, Options options) throws StoreException {
        return new LoggedStore(SqliteStore.open(dbFile, sqlite), logFileOf(dbFile), options);
    }

    /** Where the commit log of {@code dbFile} lives. */
    public static Path logFileOf(Path dbFile) {
        return dbFile.resolveSibling(dbFile.getFileName() + "-commitlog");
    }

    /** The database's rows with the log's records applied; neither file is modified. */
    @Override
    public List<TreeEntry> load() throws StoreException, LoadException {
        replay = LogReplay.read(logFile, db.load());
        return replay.rows();
    }

    /**
     * Puts what the log held into config.db (one transaction), starts the log afresh and the
     * thread that drains it.
     */
    @Override
    public void prepareWrites() throws StoreException {
        db.prepareWrites();
        TreeEntry current = replay.databaseVersionRow();
        if (replay.staleReason() != null) {
            Path aside = logFile.resolveSibling(logFile.getFileName() + ".stale-" + System.currentTimeMillis() / 1000);
            try {
                Files.move(logFile, aside, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new StoreException("unable to move the commit log '" + logFile + "' aside: " + e.getMessage(), e);
            }
            log.warn("commit log '{}' does not belong to config.db ({}) - moved it to '{}'; config.db is used as it is",
                    logFile, replay.staleReason(), aside);
        }
        if (replay.merged() != null) {
            CommitRecord m = replay.merged();
            db.commit(m.deleted(), m.written(), m.versionRow());
            log.info("replayed {} commits from the commit log '{}' into config.db", replay.commits(), logFile);
            current = m.versionRow();
        }
        replay = null;
        try {
            commitLog = CommitLog.create(logFile, base(current), List.of());
        } catch (IOException e) {
            throw new StoreException("unable to create the commit log '" + logFile + "': " + e.getMessage(), e);
        }
        writer = new Thread(this::drain, "db-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void commit(Collection<Long> deleted, Collection<TreeEntry> written, TreeEntry versionRow)
            throws StoreException {
        CommitRecord r = CommitRecord.of(deleted, written, versionRow);
        int length = r.encodedLength();
        lock.lock();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BACKLOG_WAIT_MS);
            while (pendingBytes > options.maxPendingBytes() && !closing) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new StoreException("config.db has not taken the last " + (pendingBytes >> 20)
                            + " MiB of commits for " + BACKLOG_WAIT_MS / 1000 + " s (see the errors before)", null);
                }
                space.awaitNanos(left);
            }
            if (commitLog == null) {
                throw new StoreException("the store is closed", null);
            }
            commitLog.append(length, r::encodeTo);
            if (pending.isEmpty()) {
                work.signal(); // later commits join the batch the writer is gathering without waking it
            } else if (r.supersedes(pending.peekLast())) {
                // the rows of the one before are written again: keep only the last (while the writer is
                // busy with a big row, the versions of a file written in chunks would pile up here)
                pendingBytes -= pending.removeLast().bytes();
            }
            pending.add(r);
            pendingBytes += r.bytes();
        } catch (IOException e) {
            throw new StoreException("unable to append to the commit log '" + logFile + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for config.db to take the pending commits", e);
        } finally {
            lock.unlock();
        }
    }

    /** The writer thread: gathers what is pending, writes it in one transaction, repeats until closed. */
    private void drain() {
        List<CommitRecord> batch = new ArrayList<>();
        long lastTransactionNanos = 0;
        while (true) {
            lock.lock();
            try {
                while (pending.isEmpty() && batch.isEmpty() && !closing) {
                    work.awaitUninterruptibly();
                }
                if (pending.isEmpty() && batch.isEmpty()) {
                    return;
                }
                gather(Math.max(options.applyDelay().toNanos(), lastTransactionNanos));
                batch.addAll(pending);
                pending.clear();
            } finally {
                lock.unlock();
            }
            CommitRecord b = CommitRecord.merge(batch);
            long started = System.nanoTime();
            try {
                db.commit(b.deleted(), b.written(), b.versionRow());
                lastTransactionNanos = System.nanoTime() - started;
            } catch (StoreException e) {
                if (!fail(e)) {
                    return;
                }
                continue;
            }
            long applied = 0;
            for (CommitRecord r : batch) {
                applied += r.bytes();
            }
            batch.clear();
            lock.lock();
            try {
                pendingBytes -= applied;
                if (writerFailed) {
                    writerFailed = false;
                    log.info("config.db takes commits again");
                }
                if (commitLog.size() > options.restartBytes()) {
                    restartLog(b.versionRow());
                }
                space.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** A failed transaction: said once, retried after a pause (false: closing, give up). */
    private boolean fail(StoreException e) {
        lock.lock();
        try {
            if (!writerFailed) {
                writerFailed = true;
                log.error("{} - the commits stay in the commit log '{}' and are written again every second;"
                        + " check the disk (free space, permissions)", e.getMessage(), logFile);
            }
            if (closing) {
                return false;
            }
        } finally {
            lock.unlock();
        }
        sleep(RETRY_MS);
        return true;
    }

    /**
     * Starts the log over (under the lock, so no append runs) with what is still pending merged
     * into one record, which also replaces the pending records: the writer's next batch then ends
     * on a record of the new log. The new log is complete before it replaces the old one, so a
     * crash at any point leaves one that holds every commit config.db lacks.
     */
    private void restartLog(TreeEntry inDatabase) {
        CommitRecord merged = pending.isEmpty() ? null : CommitRecord.merge(new ArrayList<>(pending));
        try {
            CommitLog fresh = CommitLog.create(logFile, base(inDatabase),
                    merged == null ? List.of() : List.of(merged.encode()));
            commitLog.close();
            commitLog = fresh;
        } catch (IOException e) {
            log.warn("unable to start the commit log '{}' over ({}) - it keeps growing", logFile, e.getMessage());
            return;
        }
        if (merged != null) {
            pending.clear();
            pending.add(merged);
            pendingBytes = merged.bytes();
        }
    }

    /**
     * Waits (lock held) for more commits to join the batch, {@code nanos} or until closing. The
     * writer waits at least as long as its last transaction took, so it takes at most half a core
     * from the requests when big files keep it busy (each 1 MiB row is ~2,100 WAL frames), and
     * gathers, and merges, more meanwhile.
     */
    private void gather(long nanos) {
        long end = System.nanoTime() + nanos;
        long left;
        while (!closing && (left = end - System.nanoTime()) > 0) {
            try {
                work.awaitNanos(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Writes everything pending into config.db and deletes the log; if that fails the log stays for the next start. */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            work.signal();
            space.signalAll();
        } finally {
            lock.unlock();
        }
        if (writer != null) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lock.lock();
        try {
            if (commitLog != null) {
                try {
                    commitLog.close();
                    if (pending.isEmpty() && !writerFailed) {
                        Files.deleteIfExists(logFile);
                    } else {
                        log.warn("config.db lacks the last commits; they stay in '{}' and are replayed at the next start",
                                logFile);
                    }
                } catch (IOException e) {
                    log.warn("unable to close the commit log '{}': {}", logFile, e.getMessage());
                }
                commitLog = null;
            }
        } finally {
            lock.unlock();
        }
        db.close();
    }

    public Path file() {
        return db.file();
    }

    private static byte[] base(TreeEntry versionRow) {
        return versionRow == null ? new byte[0] : new CommitRecord(List.of(), List.of(), versionRow).encode();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
