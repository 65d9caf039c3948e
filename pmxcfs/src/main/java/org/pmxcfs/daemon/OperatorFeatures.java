package org.pmxcfs.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Clock;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.ipc.IpcError;
import org.pmxcfs.ipc.IpcService;
import org.pmxcfs.lock.LockOps;
import org.pmxcfs.lock.LockTable;
import org.pmxcfs.metrics.MetricsServer;
import org.pmxcfs.metrics.NodeMetrics;
import org.pmxcfs.metrics.WriteMetrics;
import org.pmxcfs.plug.Applier;
import org.pmxcfs.status.ClusterMembers;
import org.pmxcfs.watch.ChangeFeed;
import org.pmxcfs.watch.WatchOp;

/**
 * What operators reach for, wired to the daemon's parts: watch and lock introspection on the IPC
 * socket, and the metrics endpoint (only with {@code --metrics-port}).
 */
final class OperatorFeatures {

    private OperatorFeatures() {}

    /** Adds {@code watch}, {@code get_locks} and {@code release_lock} to the IPC service. */
    static void registerIpcOps(IpcService ipc, ChangeFeed feed, MemDb db, LockTable locks, Applier applier,
            ClusterSwitch mode, String nodename, Clock clock) {
        WatchOp.register(ipc, feed);
        LockOps.register(ipc, new LockOps.Env(db, locks, applier, id -> nodeName(mode, nodename, id), mode,
                () -> mode.members() != null, clock));
    }

    /** The metrics endpoint, or null when {@code port} is 0 (the default: off). */
    static MetricsServer startMetrics(Options o, MemDb db, WriteMetrics writes, ClusterSwitch mode)
            throws IOException {
        if (o.metricsPort == 0) {
            return null;
        }
        if (o.metricsPort < 0 || o.metricsPort > 65535) {
            throw new IOException("--metrics-port must be a TCP port (1-65535), or 0 for no metrics, not "
                    + o.metricsPort);
        }
        NodeMetrics metrics = new NodeMetrics(db, writes, () -> quorumStatus(mode), mode::syncRounds,
                o.dataDir.resolve("backup"));
        return MetricsServer.start(o.metricsPort, metrics::render);
    }

    /** The name of node {@code id}; 0 is a write in local mode, which only this node makes. */
    private static String nodeName(ClusterSwitch mode, String nodename, int id) {
        if (id == 0) {
            return nodename;
        }
        ClusterMembers m = mode.members();
        if (m == null) {
            return null;
        }
        return m.nodes().stream().filter(n -> n.id() == id).map(ClusterMembers.Node::name).findFirst().orElse(null);
    }

    private static JsonNode quorumStatus(ClusterSwitch mode) {
        try {
            return mode.members() == null ? null : mode.quorumStatus();
        } catch (IpcError e) {
            return null; // switched back to local mode between the two calls
        }
    }
}
