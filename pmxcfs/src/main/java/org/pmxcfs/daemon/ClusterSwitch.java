package org.pmxcfs.daemon;

import org.pmxcfs.status.StatusListener;
import org.pmxcfs.files.AtomicFiles;
import org.pmxcfs.ipc.IpcError;
import org.pmxcfs.concurrent.FailStopScheduler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.pmxcfs.cluster.Backups;
import org.pmxcfs.cluster.ClusterNode;
import org.pmxcfs.cluster.NotInNodelistException;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.Result;
import org.pmxcfs.dbstore.SyncCommitException;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.ipc.DaemonControl;
import org.pmxcfs.ipc.IpcService;
import org.pmxcfs.status.KvStore;
import org.pmxcfs.ipc.QuorumControl;
import org.pmxcfs.lock.LockTable;
import org.pmxcfs.plug.Applier;
import org.pmxcfs.plug.LocalApplier;
import org.pmxcfs.status.ClusterLog;
import org.pmxcfs.status.ClusterMembers;
import org.pmxcfs.status.VersionCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local or cluster mode, and the one-way switch between them while the filesystem stays
 * mounted: when {@code corosync.conf} appears in the tree ({@code pvecm create}) or a join is
 * requested ({@code pvecm add}), the node starts its cluster membership and from then on every
 * mutation goes through the cluster. The filesystem, IPC and status files see this object only.
 */
final class ClusterSwitch implements Applier, BooleanSupplier, QuorumControl, DaemonControl, StatusListener,
        AutoCloseable {

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
    private final LocalApplier local;
    /** Where cluster mode is started when corosync.conf appears, and retried. */
    private final ScheduledExecutorService watcher;
    private volatile ClusterNode node;
    /** Set while this node is not in the nodelist it runs from: read-only, no membership. */
    private volatile NotInNodelistException outside;
    private volatile String lastFailure;
    /**
     * Guards the pending try and its delay. Not {@code this}: {@link #changed} runs under the
     * memdb's lock, and {@link #startCluster} holds {@code this} while it reads the memdb.
     */
    private final Object tries = new Object();
    private ScheduledFuture<?> pendingTry;
    private Duration retryDelay = FIRST_RETRY;

    ClusterSwitch(Options o, String nodename, MemDb db, LockTable locks, ClusterLog clusterLog,
                  VersionCounters counters, KvStore kv, Clock clock) {
        this.o = o;
        this.nodename = nodename;
        this.db = db;
        this.locks = locks;
        this.clusterLog = clusterLog;
        this.counters = counters;
        this.kv = kv;
        this.clock = clock;
        this.local = new LocalApplier(db, locks, clock);
        this.watcher = new FailStopScheduler(1, "mode-watch");
    }

    /**
     * Cluster mode now if the tree has corosync.conf (and -l was not given); otherwise it starts
     * when corosync.conf appears ({@link #changed}). Fails only if a configured cluster cannot be
     * started at all.
     */
    void start() throws IOException {
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
            outside = e;
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
     * pieces is read whole.
     */
    void changed(String path) {
        if (o.local || node != null || !path.equals("corosync.conf")) {
            return;
        }
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
        if (node != null || conf.isEmpty() || conf.get().length == 0) {
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
            if (!why.equals(lastFailure)) {
                lastFailure = why;
                log.error("corosync.conf appeared but cluster mode cannot start yet: {} - trying again in {} s, then"
                        + " less often", why, next.toMillis() / 1000.0);
            }
        }
    }

    private synchronized void startCluster(byte[] conf) throws IOException {
        if (node != null) {
            return;
        }
        node = ClusterNode.start(new ClusterNode.Settings(nodename, o.authKey, o.clusterPort,
                Duration.ofSeconds(o.writeTimeoutSeconds), Duration.ofSeconds(o.verifyIntervalSeconds), o.corosyncConf,
                o.dataDir.resolve("backup")), db, conf, locks, clusterLog, counters, kv, clock);
        watcher.shutdown();
    }

    /** The {@code .members} data in cluster mode; null in local mode. */
    ClusterMembers members() {
        ClusterNode n = node;
        if (n != null) {
            return n.members();
        }
        NotInNodelistException out = outside;
        return out == null ? null : out.members();
    }

    /** The file tree group's synchronisation rounds; null in local mode. */
    org.pmxcfs.dfsm.SyncRounds.Snapshot syncRounds() {
        ClusterNode n = node;
        return n == null ? null : n.syncRounds();
    }

    // ------------------------------------------------------------------ Applier, quorum

    @Override
    public Result submit(Operation op) {
        ClusterNode n = node;
        if (n == null && outside != null) {
            return Result.fail(Errno.EACCES);
        }
        return n == null ? local.submit(op) : n.applier().submit(op);
    }

    @Override
    public Result requestUnlock(String path, TreeEntry lock) {
        ClusterNode n = node;
        if (n == null && outside != null) {
            return Result.fail(Errno.EACCES);
        }
        return n == null ? local.requestUnlock(path, lock) : n.applier().requestUnlock(path, lock);
    }

    /** Local mode is always quorate; a node outside the nodelist never. */
    @Override
    public boolean getAsBoolean() {
        ClusterNode n = node;
        return n == null ? outside == null : n.quorate();
    }

    @Override
    public JsonNode quorumStatus() {
        return clustered().quorumStatus();
    }

    @Override
    public String setExpected(long votes) {
        return clustered().setExpected(votes);
    }

    private ClusterNode clustered() {
        ClusterNode n = node;
        if (n == null) {
            NotInNodelistException out = outside;
            throw new IpcError(Errno.EINVAL, out != null ? out.getMessage() + " - this node is not a cluster member"
                    : "this node is not part of a cluster (local mode)");
        }
        return n;
    }

    // ------------------------------------------------------------------ status broadcasts

    @Override
    public void statusSet(String name, byte[] value) {
        ClusterNode n = node;
        if (n != null) {
            n.statusListener().statusSet(name, value);
        }
    }

    @Override
    public void clusterLogged(org.pmxcfs.status.ClusterLogEntry entry) {
        ClusterNode n = node;
        if (n != null) {
            n.statusListener().clusterLogged(entry);
        }
    }

    // ------------------------------------------------------------------ DaemonControl

    @Override
    public JsonNode paths() {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("mountpoint", o.mountpoint.toAbsolutePath().toString());
        p.put("data_dir", o.dataDir.toAbsolutePath().toString());
        p.put("run_dir", o.runDir.toAbsolutePath().toString());
        p.put("authkey", o.authKey.toAbsolutePath().toString());
        p.put("corosync_conf", o.corosyncConf.toAbsolutePath().toString());
        p.put("nodename", nodename);
        p.put("clustered", node != null);
        p.put("local_forced", o.local);
        String failure = lastFailure;
        if (node == null && failure != null) {
            p.put("cluster_error", failure);
        }
        return p;
    }

    @Override
    public synchronized String joinCluster(byte[] authKey, byte[] corosyncConf) {
        if (o.local) {
            throw new IpcError(Errno.EINVAL, "pmxcfs runs with -l (forced local mode) - restart it without -l first");
        }
        long now = clock.millis() / 1000;
        ClusterNode running = node;
        if (running != null) {
            // 'pvecm add --force' on a member, or on a node removed while it ran: as the original
            // restarts pmxcfs, leave the old membership and join with the new config
            log.info("leaving the current cluster membership to join with the new corosync.conf");
            node = null;
            running.close();
        }
        outside = null;
        try {
            writeFile(o.authKey, authKey, "r--------");
            writeFile(o.corosyncConf, corosyncConf, "rw-r--r--");
            Path backup = Backups.save(db, o.dataDir.resolve("backup"), now);
            log.info("backup old database to '{}'", backup);
            db.resetForJoin(corosyncConf, now);
            startCluster(corosyncConf);
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
        ClusterNode n = node;
        if (n != null) {
            n.close();
        }
    }
}
