package org.pmxcfs.cluster;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.NodeEntry;
import org.pmxcfs.corosync.QuorumDevice;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.qdevice.QDeviceSettings;
import org.pmxcfs.qdevice.QnetdClient;
import org.pmxcfs.qdevice.QnetdTls;
import org.pmxcfs.qdevice.RingId;
import org.pmxcfs.quorum.QDeviceState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's QDevice: runs a {@link QnetdClient} while corosync.conf has a
 * {@code quorum.device} with {@code model: net} (what starting corosync-qdevice on every node
 * does in the original), with the certificates {@code pvecm qdevice setup} put into the tree,
 * and turns its vote into votequorum's {@link QDeviceState} for a given membership. A changed
 * configuration restarts the client.
 */
final class QDeviceLink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("qdevice");

    private final MemDb db;
    private final long nodeId;
    private final QnetdClient.Listener onVote;
    private QnetdClient client;
    /** What the running client was started for: device block, node ids, version, cluster name. */
    private List<Object> startedFor = List.of();

    QDeviceLink(MemDb db, long nodeId, QnetdClient.Listener onVote) {
        this.db = db;
        this.nodeId = nodeId;
        this.onVote = onVote;
    }

    /** Starts, restarts or stops the client for this configuration. */
    synchronized void configure(CorosyncConf conf, QnetdClient.Membership membership) {
        Optional<QuorumDevice> device = conf.quorum().device();
        List<Object> key = device.isEmpty() ? List.of()
                : List.of(device.get().withoutLine(), conf.nodes().stream().map(NodeEntry::nodeid).toList(),
                        conf.configVersion(), conf.clusterName(), conf.quorum().waitForAllEnabled());
        if (key.equals(startedFor)) {
            return;
        }
        stop();
        startedFor = key;
        if (device.isEmpty()) {
            return;
        }
        QDeviceSettings settings;
        QnetdTls tls = null;
        try {
            settings = QDeviceSettings.from(conf.clusterName(), device.get());
            if (settings.usesTls()) {
                tls = certificates();
            }
        } catch (IllegalArgumentException | IOException e) {
            log.error("QDevice not started: {}", e.getMessage());
            return;
        }
        client = new QnetdClient(settings, nodeId, conf.nodes().stream().map(NodeEntry::nodeid).toList(),
                conf.configVersion(), conf.quorum().waitForAllEnabled(), tls, membership, onVote);
        client.start();
    }

    /** The CA and the node certificate from the tree; missing ones are an error naming the fix. */
    private QnetdTls certificates() throws IOException {
        byte[] ca = db.lookup(QnetdTls.CA_PATH).map(TreeEntry::data).orElse(null);
        byte[] p12 = db.lookup(QnetdTls.P12_PATH).map(TreeEntry::data).orElse(null);
        if (ca == null || p12 == null) {
            throw new IOException("the QDevice certificates (/etc/pve/" + QnetdTls.CA_PATH + ", /etc/pve/" + QnetdTls.P12_PATH
                    + ") are missing - run 'pvecm qdevice setup' (or set quorum.device.net.tls to off)");
        }
        return QnetdTls.of(ca, p12);
    }

    /** votequorum's view of the device for this membership. */
    QDeviceState state(RingId ring) {
        QnetdClient c = client;
        if (c == null) {
            return QDeviceState.NOT_REGISTERED;
        }
        return c.castsVoteFor(ring) ? QDeviceState.CASTING_VOTE : QDeviceState.REGISTERED;
    }

    void update(RingId ring, SortedSet<Long> members, boolean quorate) {
        QnetdClient c = client;
        if (c != null) {
            c.update(new QnetdClient.Membership(ring, members, quorate));
        }
    }

    /** The running client, if any (for status output). */
    Optional<QnetdClient> client() {
        return Optional.ofNullable(client);
    }

    /**
     * corosync-quorumtool's per-node flags for this node: {@code A}live (connected to qnetd) or
     * {@code NA}, {@code V}oting for this membership or {@code NV}, never master-wins; {@code NR}
     * without a device.
     */
    String flags(RingId ring) {
        QnetdClient c = client;
        if (c == null) {
            return "NR";
        }
        return (c.connected() ? "A" : "NA") + "," + (c.castsVoteFor(ring) ? "V" : "NV") + ",NMW";
    }

    private void stop() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    @Override
    public synchronized void close() {
        stop();
        startedFor = List.of();
    }
}
