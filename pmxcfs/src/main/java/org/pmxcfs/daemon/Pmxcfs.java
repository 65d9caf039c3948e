package org.pmxcfs.daemon;

import java.util.concurrent.atomic.AtomicReference;
import org.pmxcfs.ipc.client.IpcClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import org.pmxcfs.cluster.ModeApplier;
import org.pmxcfs.cluster.NodeMode;
import org.pmxcfs.cluster.NodeQuorum;
import org.pmxcfs.cluster.StatusForwarder;
import org.pmxcfs.dbstore.LoadException;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.LoggedStore;
import org.pmxcfs.dbstore.SqliteStore;
import org.pmxcfs.dbstore.StoreException;
import org.pmxcfs.fuse.FuseSession;
import org.pmxcfs.fuse.MountPoint;
import org.pmxcfs.ipc.IpcServer;
import org.pmxcfs.ipc.IpcService;
import org.pmxcfs.status.KvStore;
import org.pmxcfs.joinapi.JoinApiService;
import org.pmxcfs.lock.LockTable;
import org.pmxcfs.metrics.MeteredApplier;
import org.pmxcfs.metrics.MetricsServer;
import org.pmxcfs.metrics.WriteMetrics;
import org.pmxcfs.plug.Applier;
import org.pmxcfs.plug.LocalApplier;
import org.pmxcfs.plug.PveFs;
import org.pmxcfs.status.ClusterLog;
import org.pmxcfs.status.StatusFiles;
import org.pmxcfs.status.VersionCounters;
import org.pmxcfs.watch.ChangeFeed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: start-up in the original's order (lock, status, database, mount, pid
 * file), every step registered with {@link Lifecycle}, so a stop at any moment undoes exactly
 * what was started and never leaves a dead mount behind.
 */
final class Pmxcfs {

    private static final long UNMOUNT_WAIT_MILLIS = 2000;

    private static final Logger log = LoggerFactory.getLogger("main");
    private static final Logger dbLog = LoggerFactory.getLogger("database");

    private Pmxcfs() {}

    /** Runs until SIGTERM/SIGINT; returns a non-zero exit code if start-up failed. */
    static int run(Options o, boolean daemonChild) {
        Logging logging = Logging.configure(o.debug, JournalStream.isStderr() ? Logging.Target.JOURNAL
                : daemonChild ? Logging.Target.LOG_FILE : Logging.Target.PLAIN);
        Lifecycle life = Lifecycle.install();
        int rc = 255;
        try {
            rc = startAndServe(o, logging, life);
        } catch (IOException | InterruptedException e) {
            rc = stoppedOr(life, e, () -> log.error("{}", e.getMessage()));
        } catch (RuntimeException | Error e) {
            rc = stoppedOr(life, e, () -> {
                throw e;
            });
        } finally {
            life.closeAll(rc);
        }
        return rc;
    }

    /**
     * Exit code 0 if a stop was requested: then {@code e} is StopRequested or whatever a start-up
     * step cut short by the stop's interrupt threw (even class loading, an Error), and nothing
     * went wrong. Otherwise runs {@code failure} and returns 255.
     */
    private static int stoppedOr(Lifecycle life, Throwable e, Runnable failure) {
        if (life.stopRequested()) {
            log.info("stopped during start-up ({})", e.getClass().getSimpleName());
            return 0;
        }
        failure.run();
        return 255;
    }

    /** Start-up in the original's order, each step registered with {@code life} to be undone; then serves. */
    private static int startAndServe(Options o, Logging logging, Lifecycle life)
            throws IOException, InterruptedException {
        long pid = ProcessHandle.current().pid();
        String nodename = o.nodename();
        int wwwData = wwwDataGid();
        Files.createDirectories(o.dataDir);
        Files.setPosixFilePermissions(o.dataDir, PosixFilePermissions.fromString("rwxr-x---"));
        Files.createDirectories(o.runDir);
        Files.setPosixFilePermissions(o.runDir, PosixFilePermissions.fromString("rwxr-x---"));
        setGroup(o.runDir, "www-data");
        InstanceLock lock = InstanceLock.acquire(o.dataDir, o.lockAttempts);
        life.onStop(() -> release(lock));
        Path pidFile = o.pidFile();
        life.onStop(() -> PidFile.remove(pidFile, pid)); // only once written, and only if it still names us

        Clock clock = Clock.systemUTC();
        long start = clock.millis() / 1000;
        ClusterLog clusterLog = new ClusterLog(nodename);
        clusterLog.addLocal(6, "root", "cluster", pid, "starting cluster log", start);
        VersionCounters counters = new VersionCounters();

        Path dbFile = o.dataDir.resolve("config.db");
        boolean newDb = !Files.exists(dbFile);
        MemDb db;
        try {
            db = MemDb.open(LoggedStore.open(dbFile, new SqliteStore.Options(o.dbPageSize, o.dbCheckpointBytes),
                    new LoggedStore.Options(Duration.ofMillis(o.dbWriteDelayMillis), LoggedStore.Options.DEFAULT.maxPendingBytes(),
                            LoggedStore.Options.DEFAULT.restartBytes())), o.maxTotalSize, start);
        } catch (LoadException | StoreException e) {
            dbLog.error(e.getMessage());
            dbLog.error("DB load failed");
            log.error("memdb_open failed - unable to open database '{}'", dbFile);
            return 255;
        }
        life.onStop(db::close);
        LockTable locks = new LockTable(o.lockLifetimeSeconds * 1000);
        KvStore kv = new KvStore(nodename, () -> clock.millis() / 1000);
        NodeMode mode = new NodeMode();
        ClusterSwitch clusterSwitch = new ClusterSwitch(o, nodename, db, mode, locks, clusterLog, counters, kv, clock);
        ChangeFeed feed = new ChangeFeed(ChangeFeed.DEFAULT_CAPACITY, clock::millis);
        // the join API starts after the mount (it reads its certificate there) and hears of changes from then on
        AtomicReference<JoinApiService> joinApiEvents = new AtomicReference<>();
        // the mount hears of changes once it exists (the kernel caches nothing before)
        AtomicReference<FuseSession> mounted = new AtomicReference<>();
        db.setListener(new MemDb.ChangeListener() { // every change and reload, local or replicated
            @Override
            public void changed(String path) {
                counters.changed(path);
                locks.changed(path);
                clusterSwitch.changed(path);
                feed.changed(path);
                FuseSession fuse = mounted.get();
                if (fuse != null) {
                    fuse.changed(path);
                }
                JoinApiService joinApi = joinApiEvents.get();
                if (joinApi != null) {
                    joinApi.treeChanged(path);
                }
            }

            @Override
            public void reloaded() {
                counters.reloaded();
                locks.reloaded();
                feed.reloaded();
                FuseSession fuse = mounted.get();
                if (fuse != null) {
                    fuse.reloaded();
                }
            }
        });
        if (newDb && !o.local) {
            importCorosyncConf(db, o.corosyncConf, clock);
        }
        counters.reloaded();

        clusterSwitch.start();
        life.onStop(clusterSwitch::close);
        StatusFiles status = new StatusFiles(nodename, start, db::vmList, counters, clusterLog, logging::enabled,
                mode::members, kv::versions, kv::rrdDump);
        WriteMetrics writes = new WriteMetrics();
        Applier applier = new MeteredApplier(new ModeApplier(mode, new LocalApplier(db, locks, clock)), writes);
        NodeQuorum quorum = new NodeQuorum(mode);
        PveFs fs = new PveFs(nodename, db, applier, status, locks, logging, quorum::quorate, clock, wwwData);

        Path mountPoint = MountPoint.prepare(o.mountpoint);
        FuseSession fuse = FuseSession.mount(fs, mountPoint, o.fuseThreads);
        mounted.set(fuse);
        life.onStop(() -> fuse.unmount(UNMOUNT_WAIT_MILLIS));
        IpcService ipcService = new IpcService(db, status, clusterLog, kv, () -> clock.millis() / 1000,
                new StatusForwarder(mode), quorum, new DaemonSteering(o, nodename, mode, clusterSwitch));
        OperatorFeatures.registerIpcOps(ipcService, feed, db, locks, applier, mode, quorum, nodename, clock);
        ipcService.beforeAnswers(fuse::awaitCaches);
        IpcServer ipc = IpcServer.start(IpcClient.socketPath(o.runDir), ipcService, wwwData, IpcServer.Config.DEFAULT);
        life.onStop(ipc::close);
        MetricsServer metrics = OperatorFeatures.startMetrics(o, db, writes, mode);
        if (metrics != null) {
            life.onStop(metrics::close);
        }
        // reads its certificate from the mount and calls the IPC socket, so it starts after both
        JoinApiService joinApi = JoinApiService.start(new JoinApiService.Settings(mountPoint, nodename, o.authKey,
                o.runDir, o.apiPort, o.apiBind, o.shadowFile, o.pvecm, Duration.ofSeconds(5)));
        joinApiEvents.set(joinApi);
        life.onStop(joinApi::close);
        PidFile.write(pidFile, pid);
        log.info("mounted '{}' (node '{}', data '{}', {} FUSE threads)", mountPoint, nodename, dbFile,
                o.fuseThreads);
        life.serve();
        return 0;
    }

    private static void release(InstanceLock lock) {
        try {
            lock.close();
        } catch (IOException ignored) {
            // the kernel drops the lock with the process anyway
        }
    }

    /**
     * First start of a node that was just joined (its database deleted): the local corosync
     * config becomes the tree's {@code corosync.conf}, which is what makes it start clustered.
     */
    private static void importCorosyncConf(MemDb db, Path corosyncConf, Clock clock) throws IOException {
        if (!Files.isReadable(corosyncConf)) {
            return;
        }
        byte[] conf = Files.readAllBytes(corosyncConf);
        long now = clock.millis() / 1000;
        if (!db.apply(new Operation.Create("corosync.conf"), 0, now).isOk()
                || !db.apply(new Operation.Write("corosync.conf", 0, conf), 0, now).isOk()
                || db.failed()) {
            throw new IOException("unable to import '" + corosyncConf + "' into the new database");
        }
        log.info("imported '{}' as corosync.conf ({} bytes)", corosyncConf, conf.length);
    }

    /** The gid of group www-data, which owns everything in the mount. */
    static int wwwDataGid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/group"))) {
            String[] f = line.split(":");
            if (f.length >= 3 && f[0].equals("www-data")) {
                return Integer.parseInt(f[2]);
            }
        }
        throw new IOException("group 'www-data' not found - create it (groupadd -g 33 www-data)");
    }

    private static void setGroup(Path p, String group) throws IOException {
        GroupPrincipal g = p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        Files.getFileAttributeView(p, PosixFileAttributeView.class).setGroup(g);
    }
}
