package org.pmxcfs.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Clock;
import org.pmxcfs.cluster.ClusterNode;
import org.pmxcfs.cluster.NodeMode;
import org.pmxcfs.cluster.NodeQuorum;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dfsm.SyncRounds;
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
            NodeMode mode, NodeQuorum quorum, String nodename, Clock clock) {
        WatchOp.register(ipc, feed);
        LockOps.register(ipc, new LockOps.Env(db, locks, applier, id -> nodeName(mode, nodename, id), quorum::quorate,
                () -> mode.members() != null, clock));
    }

    /** The metrics endpoint, or null when {@code port} is 0 (the default: off). */
    static MetricsServer startMetrics(Options o, MemDb db, WriteMetrics writes, NodeMode mode)
            throws IOException {
        if (o.metricsPort == 0) {
            return null;
        }
        if (o.metricsPort < 0 || o.metricsPort > 65535) {
            throw new IOException("--metrics-port must be a TCP port (1-65535), or 0 for no metrics, not "
                    + o.metricsPort);
        }
        NodeMetrics metrics = new NodeMetrics(db, writes, () -> quorumStatus(mode), () -> syncRounds(mode),
                o.dataDir.resolve("backup"));
        return MetricsServer.start(o.metricsPort, metrics::render);
    }

    /** The name of node {@code id}; 0 is a write in local mode, which only this node makes. */
    private static String nodeName(NodeMode mode, String nodename, int id) {
        if (id == 0) {
            return nodename;
        }
        ClusterMembers m = mode.members();
        if (m == null) {
            return null;
        }
        return m.nodes().stream().filter(n -> n.id() == id).map(ClusterMembers.Node::name).findFirst().orElse(null);
    }

    /** The {@code get_quorum_status} JSON of a cluster member; null otherwise. */
    private static JsonNode quorumStatus(NodeMode mode) {
        ClusterNode n = mode.node();
        return n == null ? null : n.quorumControl().quorumStatus();
    }

    private static SyncRounds.Snapshot syncRounds(NodeMode mode) {
        ClusterNode n = mode.node();
        return n == null ? null : n.syncRounds();
    }
}
