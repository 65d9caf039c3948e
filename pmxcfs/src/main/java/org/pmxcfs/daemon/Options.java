package org.pmxcfs.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command line of {@code pmxcfs}: the original's options plus paths, so tests need no root
 * paths. Every path option also reads an environment variable.
 */
@Command(name = "pmxcfs", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Proxmox cluster filesystem (Java implementation)")
public final class Options {

    @Option(names = {"-d", "--debug"}, description = "Turn on debug messages")
    boolean debug;

    @Option(names = {"-f", "--foreground"}, description = "Do not daemonize server")
    boolean foreground;

    @Option(names = {"-l", "--local"}, description = "Force local mode (ignore corosync.conf, force quorum)")
    boolean local;

    @Option(names = "--mountpoint", defaultValue = "${env:PMXCFS_MOUNTPOINT:-/etc/pve}",
            description = "Mount point (env PMXCFS_MOUNTPOINT, default ${DEFAULT-VALUE})")
    Path mountpoint;

    @Option(names = "--data-dir", defaultValue = "${env:PMXCFS_DATA_DIR:-/var/lib/pve-cluster}",
            description = "Directory of config.db and the lock file (env PMXCFS_DATA_DIR, default ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--run-dir", defaultValue = "${env:PMXCFS_RUN_DIR:-/run/pve-cluster}",
            description = "Runtime directory (env PMXCFS_RUN_DIR, default ${DEFAULT-VALUE})")
    Path runDir;

    @Option(names = "--nodename", defaultValue = "${env:PMXCFS_NODENAME}",
            description = "Node name (env PMXCFS_NODENAME, default: the host name up to the first dot)")
    String nodename;

    @Option(names = "--pid-file", defaultValue = "${env:PMXCFS_PID_FILE}",
            description = "Pid file (env PMXCFS_PID_FILE, default /run/pve-cluster.pid, or RUN_DIR/pmxcfs.pid"
                    + " when --run-dir is not the default)")
    Path pidFile;

    @Option(names = "--log-file", defaultValue = "${env:PMXCFS_LOG_FILE:-/var/log/pmxcfs.log}",
            description = "Log of the daemonized process (env PMXCFS_LOG_FILE, default ${DEFAULT-VALUE})")
    Path logFile;

    @Option(names = "--corosync-conf", defaultValue = "${env:PMXCFS_COROSYNC_CONF:-/etc/corosync/corosync.conf}",
            description = "The local corosync config: imported on first start, kept in sync with the tree's copy"
                    + " (env PMXCFS_COROSYNC_CONF, default ${DEFAULT-VALUE})")
    Path corosyncConf;

    @Option(names = "--authkey", defaultValue = "${env:PMXCFS_AUTHKEY:-/etc/corosync/authkey}",
            description = "Cluster authkey (env PMXCFS_AUTHKEY, default ${DEFAULT-VALUE})")
    Path authKey;

    @Option(names = "--cluster-port", defaultValue = "${env:PMXCFS_CLUSTER_PORT:-5405}",
            description = "Port of the cluster group on each node's ring0 address (env PMXCFS_CLUSTER_PORT,"
                    + " default ${DEFAULT-VALUE})")
    int clusterPort;

    @Option(names = "--api-port", defaultValue = "${env:PMXCFS_API_PORT:-8006}",
            description = "Port of the join API (HTTPS; env PMXCFS_API_PORT, default ${DEFAULT-VALUE})")
    int apiPort;

    @Option(names = "--api-bind", defaultValue = "${env:PMXCFS_API_BIND}",
            description = "Address the join API listens on (env PMXCFS_API_BIND, default: this node's ring0_addr"
                    + " once it is in a cluster, else 127.0.0.1)")
    String apiBind;

    @Option(names = "--shadow-file", defaultValue = "${env:PMXCFS_SHADOW_FILE:-/etc/shadow}",
            description = "Where root's password for the root@pam login is looked up (env PMXCFS_SHADOW_FILE,"
                    + " default ${DEFAULT-VALUE})")
    Path shadowFile;

    @Option(names = "--pvecm", defaultValue = "${env:PMXCFS_PVECM:-pvecm}",
            description = "The pvecm command the web page's create and join tasks run (env PMXCFS_PVECM,"
                    + " default ${DEFAULT-VALUE})")
    String pvecm;

    @Option(names = "--write-timeout", defaultValue = "${env:PMXCFS_WRITE_TIMEOUT:-30}",
            description = "Seconds a write waits for the cluster before it fails with ETIMEDOUT (default ${DEFAULT-VALUE})")
    long writeTimeoutSeconds;

    @Option(names = "--verify-interval", defaultValue = "${env:PMXCFS_VERIFY_INTERVAL:-3600}",
            description = "Seconds between cluster-wide checksum verifications of the tree (default ${DEFAULT-VALUE})")
    long verifyIntervalSeconds;

    @Option(names = "--max-total-size", defaultValue = "${env:PMXCFS_MAX_TOTAL_SIZE:-31457280}",
            description = "Cap on the sum of all file sizes in bytes (default ${DEFAULT-VALUE} = 30 MiB)")
    long maxTotalSize;

    @Option(names = "--fuse-threads", defaultValue = "${env:PMXCFS_FUSE_THREADS:-2}",
            description = "FUSE worker threads (default ${DEFAULT-VALUE}; see docs/BENCHMARKS.md)")
    int fuseThreads;

    @Option(names = "--metrics-port", defaultValue = "${env:PMXCFS_METRICS_PORT:-0}",
            description = "Serve Prometheus metrics on 127.0.0.1:PORT/metrics (env PMXCFS_METRICS_PORT, default 0 = off)")
    int metricsPort;

    @Option(names = "--lock-lifetime", defaultValue = "120", hidden = true,
            description = "Seconds after which an unchanged priv/lock directory may be expired")
    long lockLifetimeSeconds;

    @Option(names = "--lock-attempts", defaultValue = "11", hidden = true,
            description = "Attempts, one second apart, to get the single-instance lock")
    int lockAttempts;

    @Option(names = "--db-page-size", defaultValue = "${env:PMXCFS_DB_PAGE_SIZE:-512}", hidden = true,
            description = "SQLite page size of a new config.db")
    int dbPageSize;

    @Option(names = "--db-checkpoint-bytes", defaultValue = "${env:PMXCFS_DB_CHECKPOINT_BYTES:-4194304}", hidden = true,
            description = "Checkpoint the SQLite WAL once it holds this many bytes")
    long dbCheckpointBytes;

    @Option(names = "--db-write-delay-ms", defaultValue = "5", hidden = true,
            description = "Milliseconds the config.db writer gathers commits from the commit log before one transaction")
    long dbWriteDelayMillis;

    String nodename() {
        if (nodename != null && !nodename.isEmpty()) {
            return nodename;
        }
        String host;
        try {
            host = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim(); // uname(2) nodename
        } catch (IOException e) {
            host = "localhost";
        }
        int dot = host.indexOf('.');
        return dot > 0 ? host.substring(0, dot) : host;
    }

    Path pidFile() {
        if (pidFile != null) {
            return pidFile;
        }
        return runDir.equals(Path.of("/run/pve-cluster")) ? Path.of("/run/pve-cluster.pid") : runDir.resolve("pmxcfs.pid");
    }
}
