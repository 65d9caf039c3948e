package org.pmxcfs.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.pmxcfs.cluster.Backups;
import org.pmxcfs.cluster.ClusterNode;
import org.pmxcfs.cluster.NodeMode;
import org.pmxcfs.cluster.NotInNodelistException;
import org.pmxcfs.concurrent.FailStopScheduler;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.SyncCommitException;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.files.AtomicFiles;
import org.pmxcfs.ipc.IpcError;
import org.pmxcfs.lock.LockTable;
import org.pmxcfs.status.ClusterLog;
import org.pmxcfs.status.KvStore;
import org.pmxcfs.status.VersionCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-way switch from local mode to cluster mode while the filesystem stays mounted: at
 * start-up when the tree holds {@code corosync.conf}, later when it appears there ({@code pvecm
 * create}), or when a join is requested ({@code pvecm add}). It is the only writer of
 * {@link NodeMode}; the write path, quorum, status broadcasts and {@code .members} read that.
 */
final class ClusterSwitch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("main");
    /** corosync.conf's writes settle this long before cluster mode is tried. */
    private static final Duration SETTLE = Duration.ofMillis(200);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY = Duration.ofSeconds(60);

    private final Options o;
    private final String nodename;
    private final MemDb db;
    private final LockTable locks;
    private final ClusterLog clusterLog;
    private final VersionCounters counters;
    private final KvStore kv;
    private final Clock clock;
    private final NodeMode mode;
    /** Where cluster mode is started when corosync.conf appears, and retried. */
    private final ScheduledExecutorService watcher;
    /**
     * Guards the pending try, its delay and {@link #started}. Not {@code this}: {@link #changed}
     * runs under the memdb's lock, and {@link #startCluster} holds {@code this} while it reads the memdb.
     */
    private final Object tries = new Object();
    private ScheduledFuture<?> pendingTry;
    private Duration retryDelay = FIRST_RETRY;
    /** Set by {@link #start}, which reads the tree itself: changes before it start nothing. */
    private boolean started;

    ClusterSwitch(Options o, String nodename, MemDb db, NodeMode mode, LockTable locks, ClusterLog clusterLog,
                  VersionCounters counters, KvStore kv, Clock clock) {
        this.o = o;
        this.nodename = nodename;
        this.db = db;
        this.mode = mode;
        this.locks = locks;
        this.clusterLog = clusterLog;
        this.counters = counters;
        this.kv = kv;
        this.clock = clock;
        this.watcher = new FailStopScheduler(1, "mode-watch");
    }

    /**
     * Cluster mode now if the tree has corosync.conf (and -l was not given); otherwise it starts
     * when corosync.conf appears ({@link #changed}). Fails only if a configured cluster cannot be
     * started at all.
     */
    void start() throws IOException {
        synchronized (tries) {
            started = true;
        }
        if (o.local) {
            if (db.lookup("corosync.conf").isPresent()) {
                log.info("forcing local mode (although corosync.conf exists)");
            }
            return;
        }
        Optional<byte[]> conf = corosyncConf();
        if (conf.isEmpty()) {
            return;
        }
        try {
            startCluster(conf.get());
        } catch (NotInNodelistException e) {
            // as the original, whose corosync cannot start then: mounted without quorum
            mode.outside(e);
            log.error("{} - mounted read-only so that it can be read and repaired; to bring this node back run"
                    + " 'pvecm add <member> --force' on it, to run it alone separate it (docs/JOIN.md)",
                    e.getMessage());
        }
    }

    private Optional<byte[]> corosyncConf() {
        return db.lookup("corosync.conf").filter(e -> !e.isDir()).map(TreeEntry::data);
    }

    /**
     * A path of the tree changed (a local write or a replicated one; called under the memdb's
     * lock, so the work is handed to the watcher thread). When corosync.conf changes in local
     * mode, cluster mode is tried once the writes have settled: a file written in several
     * pieces is read whole. Changes before {@link #start} (the import into a new database) and
     * the join's own reset of the tree start nothing: cluster mode starts from them right after.
     */
    void changed(String path) {
        if (o.local || mode.node() != null || !path.equals("corosync.conf") || Thread.holdsLock(this)) {
            return;
        }
        synchronized (tries) {
            if (started) {
                firstTry();
            }
        }
    }

    /** A try once the writes have settled, then the retries from their first delay on. */
    private void firstTry() {
        synchronized (tries) {
            retryDelay = FIRST_RETRY;
            scheduleTry(SETTLE);
        }
    }

    private void scheduleTry(Duration delay) {
        assert Thread.holdsLock(tries);
        if (pendingTry != null) {
            pendingTry.cancel(false);
        }
        if (!watcher.isShutdown()) {
            pendingTry = watcher.schedule(this::tryCluster, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Starts cluster mode from the tree's corosync.conf. If it cannot start yet (a missing authkey,
     * an address not on this host), says why once and tries again later, less and less often.
     */
    private void tryCluster() {
        Optional<byte[]> conf = corosyncConf();
        if (mode.node() != null || conf.isEmpty() || conf.get().length == 0) {
            return;
        }
        try {
            startCluster(conf.get());
        } catch (IOException | RuntimeException e) {
            String why = e instanceof IOException ? e.getMessage() : e.toString();
            Duration next;
            synchronized (tries) {
                next = retryDelay;
                retryDelay = retryDelay.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retryDelay.multipliedBy(2);
                scheduleTry(next);
            }
            if (!why.equals(mode.startError())) {
                log.error("corosync.conf appeared but cluster mode cannot start yet: {} - trying again in {} s, then"
                        + " less often", why, next.toMillis() / 1000.0);
            }
            mode.startFailed(why);
        }
    }

    /** Cluster mode from {@code conf}. */
    private synchronized void startCluster(byte[] conf) throws IOException {
        if (mode.node() != null) {
            return;
        }
        ClusterNode node = ClusterNode.start(new ClusterNode.Settings(nodename, o.authKey, o.clusterPort,
                Duration.ofSeconds(o.writeTimeoutSeconds), Duration.ofSeconds(o.verifyIntervalSeconds), o.corosyncConf,
                o.dataDir.resolve("backup")), db, conf, locks, clusterLog, counters, kv, clock);
        mode.clustered(node);
        watcher.shutdown();
    }

    /**
     * {@code pvecm add}, after the cluster accepted this node: installs the authkey and the
     * cluster's corosync.conf, backs up and resets the local tree, and starts cluster mode.
     * Returns where the old database was saved.
     */
    synchronized String join(byte[] authKey, byte[] corosyncConf) {
        if (o.local) {
            throw new IpcError(Errno.EINVAL, "pmxcfs runs with -l (forced local mode) - restart it without -l first");
        }
        long now = clock.millis() / 1000;
        ClusterNode running = mode.node();
        mode.local();
        if (running != null) {
            // 'pvecm add --force' on a member, or on a node removed while it ran: as the original
            // restarts pmxcfs, leave the old membership and join with the new config
            log.info("leaving the current cluster membership to join with the new corosync.conf");
            running.close();
        }
        try {
            writeFile(o.authKey, authKey, "r--------");
            writeFile(o.corosyncConf, corosyncConf, "rw-r--r--");
            Path backup = Backups.save(db, o.dataDir.resolve("backup"), now);
            log.info("backup old database to '{}'", backup);
            db.resetForJoin(corosyncConf, now);
            try {
                startCluster(corosyncConf);
            } catch (IOException | RuntimeException e) {
                firstTry(); // as when corosync.conf appears: tried again, less and less often
                throw e;
            }
            return backup.toString();
        } catch (IOException | SyncCommitException e) {
            throw new IpcError(Errno.EIO, "unable to join: " + e.getMessage());
        }
    }

    private static void writeFile(Path file, byte[] bytes, String mode) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicFiles.write(file, bytes, mode);
    }

    @Override
    public void close() {
        watcher.shutdownNow();
        ClusterNode n = mode.node();
        if (n != null) {
            n.close();
        }
    }
}
