package org.pmxcfs.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.pmxcfs.dbstore.LoadException;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.SqliteStore;
import org.pmxcfs.dbstore.StoreException;
import org.pmxcfs.fuse.FuseLoop;
import org.pmxcfs.ipc.IpcServer;
import org.pmxcfs.ipc.IpcService;
import org.pmxcfs.ipc.KvStore;
import org.pmxcfs.join.JoinApiService;
import org.pmxcfs.lock.LockTable;
import org.pmxcfs.plug.PveFs;
import org.pmxcfs.status.ClusterLog;
import org.pmxcfs.status.StatusFiles;
import org.pmxcfs.status.VersionCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: start-up in the original's order (lock, status, database, mount, pid
 * file) and a teardown that never leaves a dead mount behind.
 */
final class Pmxcfs {

    /** FUSE options: the original's, plus direct_io so every read sees the latest data. */
    static final List<String> FUSE_OPTIONS = List.of("default_permissions", "allow_other", "big_writes",
            "direct_io", "fsname=pmxcfs", "subtype=pmxcfs");
    private static final long UNMOUNT_WAIT_MILLIS = 2000;

    private static final Logger log = LoggerFactory.getLogger("main");
    private static final Logger dbLog = LoggerFactory.getLogger("database");

    private Pmxcfs() {}

    /** Runs until SIGTERM/SIGINT; returns a non-zero exit code if start-up failed. */
    static int run(Options o, boolean daemonChild) {
        Logging logging = Logging.configure(o.debug, daemonChild);
        long pid = ProcessHandle.current().pid();
        String nodename = o.nodename();
        InstanceLock lock = null;
        MemDb db = null;
        try {
            int wwwData = wwwDataGid();
            Files.createDirectories(o.dataDir);
            Files.setPosixFilePermissions(o.dataDir, PosixFilePermissions.fromString("rwxr-x---"));
            Files.createDirectories(o.runDir);
            Files.setPosixFilePermissions(o.runDir, PosixFilePermissions.fromString("rwxr-x---"));
            setGroup(o.runDir, "www-data");
            lock = InstanceLock.acquire(o.dataDir, o.lockAttempts);

            Clock clock = Clock.systemUTC();
            long start = clock.millis() / 1000;
            ClusterLog clusterLog = new ClusterLog(nodename);
            clusterLog.addLocal(6, "root", "cluster", pid, "starting cluster log", start);
            VersionCounters counters = new VersionCounters();

            Path dbFile = o.dataDir.resolve("config.db");
            boolean newDb = !Files.exists(dbFile);
            try {
                db = MemDb.open(SqliteStore.open(dbFile, new SqliteStore.Options(o.dbPageSize, o.dbCheckpointBytes)),
                        o.maxTotalSize, start);
            } catch (LoadException | StoreException e) {
                dbLog.error(e.getMessage());
                dbLog.error("DB load failed");
                log.error("memdb_open failed - unable to open database '{}'", dbFile);
                return exit(255, lock);
            }
            LockTable locks = new LockTable(o.lockLifetimeSeconds * 1000);
            db.setListener(new MemDb.ChangeListener() { // every change and reload, local or replicated
                @Override
                public void changed(String path) {
                    counters.changed(path);
                    locks.changed(path);
                }

                @Override
                public void reloaded() {
                    counters.reloaded();
                    locks.reloaded();
                }
            });
            if (newDb && !o.local) {
                importCorosyncConf(db, o.corosyncConf, clock);
            }
            counters.reloaded();

            MemDb memdb = db;
            KvStore kv = new KvStore(nodename, () -> clock.millis() / 1000);
            ClusterSwitch mode = new ClusterSwitch(o, nodename, db, locks, clusterLog, counters, kv, clock);
            mode.start();
            StatusFiles status = new StatusFiles(nodename, start, memdb::vmList, counters, clusterLog, logging::enabled,
                    mode::members, kv::versions, kv::rrdDump);
            PveFs fs = new PveFs(nodename, db, mode, status, locks, logging, mode, clock, wwwData);

            FuseLoop.prepareMountPoint(o.mountpoint);
            FuseLoop fuse = FuseLoop.mount(fs, o.mountpoint, o.fuseThreads, FUSE_OPTIONS);
            IpcServer ipc;
            try {
                ipc = IpcServer.start(IpcServer.socketPath(o.runDir),
                        new IpcService(db, status, clusterLog, kv, () -> clock.millis() / 1000, mode, mode, mode),
                        wwwData,
                        IpcServer.Config.DEFAULT);
            } catch (IOException e) {
                fuse.unmount(UNMOUNT_WAIT_MILLIS);
                throw e;
            }
            // reads its certificate from the mount and calls the IPC socket, so it starts after both
            JoinApiService joinApi = JoinApiService.start(new JoinApiService.Settings(o.mountpoint, nodename, o.authKey,
                    o.runDir, o.apiPort, o.apiBind, Duration.ofSeconds(1)));
            Path pidFile = o.pidFile();
            PidFile.write(pidFile, pid);
            log.info("mounted '{}' (node '{}', data '{}', {} FUSE threads)", o.mountpoint, nodename, dbFile,
                    o.fuseThreads);

            CountDownLatch stopped = new CountDownLatch(1);
            InstanceLock heldLock = lock;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                log.info("teardown filesystem");
                joinApi.close();
                ipc.close();
                fuse.unmount(UNMOUNT_WAIT_MILLIS);
                mode.close();
                memdb.close();
                PidFile.remove(pidFile, pid);
                exit(0, heldLock);
                stopped.countDown();
                // a clean stop on SIGTERM exits 0, not the JVM's 143, so service managers see success
                Runtime.getRuntime().halt(0);
            }, "shutdown"));
            stopped.await();
            return 0;
        } catch (IOException e) {
            log.error("{}", e.getMessage());
            if (db != null) {
                db.close();
            }
            return exit(255, lock);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return exit(255, lock);
        }
    }

    private static int exit(int rc, InstanceLock lock) {
        if (lock != null) {
            try {
                lock.close();
            } catch (IOException ignored) {
                // the kernel drops the lock with the process anyway
            }
        }
        log.info("exit proxmox configuration filesystem ({})", rc == 0 ? 0 : -1);
        return rc;
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
                || !db.flush()) {
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
