package org.pmxcfs.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.pmxcfs.concurrent.FailStopScheduler;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.NodeEntry;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.dcdb.Dcdb;
import org.pmxcfs.dcdb.DcdbHost;
import org.pmxcfs.dfsm.Dfsm;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.dfsm.SyncRounds;
import org.pmxcfs.dfsm.ViewSyncedDelivery;
import org.pmxcfs.ipc.QuorumControl;
import org.pmxcfs.jgroups.GroupConfig;
import org.pmxcfs.jgroups.JGroupsTransport;
import org.pmxcfs.jgroups.Links;
import org.pmxcfs.jgroups.TotemTimings;
import org.pmxcfs.lock.LockTable;
import org.pmxcfs.qdevice.QnetdClient;
import org.pmxcfs.qdevice.RingId;
import org.pmxcfs.status.ClusterLog;
import org.pmxcfs.status.ClusterMembers;
import org.pmxcfs.status.KvStore;
import org.pmxcfs.status.StatusListener;
import org.pmxcfs.status.VersionCounters;
import org.pmxcfs.status.cluster.StatusGroup;
import org.pmxcfs.status.cluster.StatusMessages;
import org.pmxcfs.status.cluster.StatusPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node as a cluster member: wires the dcdb process group on JGroups and its dfsm with the
 * memdb callbacks, {@link ClusterQuorum} over the group's view, the QDevice, the corosync.conf
 * reload ({@link NodelistReload}), the backup before a sync discards local changes
 * ({@link DivergenceBackup}), and the status process group (node status, cluster log, who is
 * online), which is not quorum-gated; and runs their 100 ms tick.
 */
public final class ClusterNode implements DcdbHost, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("main");
    /** ClusterNodes this process started successfully so far (see {@link #incarnation()}). */
    private static final AtomicInteger JOINS = new AtomicInteger();
    /** Status data differs between nodes by design, so its group never verifies checksums. */
    private static final Dfsm.Options STATUS_OPTIONS = new Dfsm.Options(Duration.ofDays(36500), Duration.ofSeconds(5));

    /** What the daemon's options say about the cluster. */
    public record Settings(String nodename, Path authKey, int basePort, Duration writeTimeout,
                           Duration verifyInterval, Path corosyncLocal, Path backupDir) {}

    private final MemDb db;
    private final NodelistInForce nodelist;
    private final LockTable locks;
    private final VersionCounters counters;
    private final KvStore kv;
    private final Clock clock;
    private final JGroupsTransport transport;
    private final Dfsm dfsm;
    private final QDeviceLink qdevice;
    private final ClusterQuorum quorum;
    private final Dfsm statusDfsm;
    private final StatusPublisher statusPublisher;
    private final ClusterApplier applier;
    private final ScheduledExecutorService ticker;
    private final NodelistReload reload;
    private final DivergenceBackup backup;
    private final MembershipLog membershipLog;
    private final MemberQuorumControl quorumControl;
    private final DeviceFeed deviceFeed;

    private ClusterNode(Settings settings, MemDb db, CorosyncConfCopy confCopy, CorosyncConf conf, NodeEntry self,
                        LockTable locks, ClusterLog clusterLog, VersionCounters counters, KvStore kv, Clock clock)
            throws IOException {
        this.db = db;
        this.nodelist = new NodelistInForce(conf, db);
        this.locks = locks;
        this.counters = counters;
        this.kv = kv;
        this.clock = clock;
        // both process groups run on the same nodes, links, key and timing, one port apart
        TotemSettings totem = TotemSettings.of(conf, settings.authKey());
        Links links = totem.links();
        byte[] key = totem.key();
        TotemTimings token = totem.token();
        int id = (int) self.nodeid();
        long incarnation = incarnation();
        this.transport = new JGroupsTransport(GroupConfig.of(conf.clusterName() + "-dcdb", id, settings.basePort(),
                links, key, token), incarnation);
        this.dfsm = new Dfsm("dcdb", 1, new ViewSyncedDelivery(transport), new Dcdb(db, id, this), clock,
                new Dfsm.Options(settings.verifyInterval(), Dfsm.Options.DEFAULT.restartDelay()));
        this.qdevice = new QDeviceLink(db, self.nodeid(), this::deviceVoteChanged);
        this.quorum = new ClusterQuorum(conf, dfsm::members, view -> qdevice.state(ringOf(view)));
        // the IP .members shows for this node, announced to the others after every status sync
        kv.set("nodeip", (self.ring0Addr() + "\0").getBytes(StandardCharsets.UTF_8));
        JGroupsTransport statusTransport = new JGroupsTransport(GroupConfig.of(conf.clusterName() + "-status", id,
                settings.basePort() + 1, links, key, token), incarnation);
        StatusGroup status = new StatusGroup(id, nodelist::nodeName, kv, clusterLog,
                this::republishStatus, counters::bumpClinfo, quorum::expectedFromPeer);
        this.statusDfsm = new Dfsm("status", 0, new ViewSyncedDelivery(statusTransport), status, clock, STATUS_OPTIONS);
        this.statusPublisher = StatusPublisher.start(kv, statusDfsm::post); // nobody waits for status messages
        this.applier = new ClusterApplier(dfsm, settings.writeTimeout());
        this.ticker = new FailStopScheduler(1, "cluster-tick");
        this.reload = new NodelistReload(settings.nodename(), db, confCopy, nodelist, quorum, this::nodelistApplied,
                this::leave, ticker);
        this.backup = new DivergenceBackup(db, settings.backupDir(), clusterLog, statusPublisher, clock);
        this.membershipLog = new MembershipLog(self.nodeid(), nodelist::nodeName, transport::failed);
        this.quorumControl = new MemberQuorumControl(nodelist, self, quorum, transport, qdevice, this::ringOf, kv,
                votes -> statusDfsm.post(StatusMessages.EXPECTED, StatusMessages.encodeExpected(votes)));
        this.deviceFeed = new DeviceFeed(qdevice, this::deviceMembership, kv, statusPublisher);
    }

    /**
     * Joins the cluster described by the tree's corosync.conf. Fails with a message saying what
     * to fix when this node is not in the nodelist or the authkey is missing.
     */
    public static ClusterNode start(Settings settings, MemDb db, byte[] corosyncConf, LockTable locks,
                                    ClusterLog clusterLog, VersionCounters counters, KvStore kv, Clock clock)
            throws IOException {
        // as corosync does, the engine runs from the local file; the tree's copy replaces it
        // first if it is newer (reference 3.10, at start-up)
        CorosyncConfCopy confCopy = new CorosyncConfCopy(settings.corosyncLocal());
        confCopy.sync(corosyncConf, true);
        RunningConf running = RunningConf.read(settings.corosyncLocal(), corosyncConf);
        CorosyncConf conf = running.conf();
        NodeEntry self = conf.node(settings.nodename()).orElseThrow(() -> new NotInNodelistException(
                settings.nodename(), running));
        ClusterNode node = new ClusterNode(settings, db, confCopy, conf, self, locks, clusterLog, counters, kv, clock);
        try {
            node.dfsm.start();
            node.statusDfsm.start();
        } catch (Exception e) {
            node.close(); // its threads would otherwise pile up with every retry of a local-mode daemon
            throw new IOException("unable to join the cluster: " + e.getMessage() + " - check that ring0_addr '"
                    + self.ring0Addr() + "' of node '" + self.name() + "' is an address of this host and that its"
                    + " ports (--cluster-port " + settings.basePort() + " and the next one) are free", e);
        }
        JOINS.incrementAndGet(); // a start that failed sent nothing: its successor may reuse the id
        node.qdevice.configure(conf, node.deviceMembership());
        node.ticker.scheduleWithFixedDelay(node::tick, 100, 100, TimeUnit.MILLISECONDS);
        log.info("starting cluster node '{}' (nodeid {}) of cluster '{}'", self.name(), self.nodeid(),
                conf.clusterName());
        return node;
    }

    /**
     * The "pid" of this node's member id (nodeid/pid): the process id, as the original's. A node
     * that joins again without a restart ('pvecm add --force') is a new incarnation with message
     * counters from 1 again, and the others remember which messages of the old one they applied:
     * it gets the pid with the number of earlier joins of this process above bit 32.
     */
    private static long incarnation() {
        return ProcessHandle.current().pid() | ((long) JOINS.get() << 32);
    }

    /** Every 100 ms: dfsm timers, quorum from the current view. */
    private void tick() {
        try {
            dfsm.tick();
            statusDfsm.tick();
            if (quorum.poll()) { // a new view, a device vote, quorum gained or lost
                counters.bumpClinfo();
            }
            membershipLog.view(quorum.view());
            deviceFeed.tick();
        } catch (RuntimeException e) {
            log.error("cluster tick failed: {}", e.toString(), e);
        }
    }

    /** The device's membership input: the ring id of the installed view, its members in the nodelist, quorate. */
    private QnetdClient.Membership deviceMembership() {
        return new QnetdClient.Membership(ringOf(quorum.view()), quorum.members(), quorum.quorate());
    }

    /**
     * corosync's ring id of a view, as qnetd compares memberships: the lowest node id and the
     * group's view number, the same on every member of a partition and new with every view.
     */
    private RingId ringOf(List<MemberId> view) {
        return new RingId(view.isEmpty() ? 0 : view.get(0).nodeId(), transport.viewNumber());
    }

    /** The device's vote changed (its thread): the quorum of the current view is computed again. */
    private void deviceVoteChanged() {
        quorum.deviceVoteChanged();
        counters.bumpClinfo();
    }

    /** A new nodelist in force: a restarted device starts from the current membership. */
    private void nodelistApplied(CorosyncConf next) {
        qdevice.configure(next, deviceMembership());
        counters.bumpClinfo();
    }

    /** Removed from the nodelist: out of both process groups. */
    private void leave() {
        dfsm.stop();
        statusDfsm.stop();
    }

    /** Quorum in the dfsm's installed view: the write gate's, the dfsm's and {@code .members}' one answer. */
    public ClusterQuorum quorum() {
        return quorum;
    }

    /** {@code pvecm status} and {@code pvecm expected} on this member. */
    public QuorumControl quorumControl() {
        return quorumControl;
    }

    /**
     * The {@code .members} view: the nodelist, online = member of the status group (its pmxcfs
     * runs and is reachable), ip = what the node announced.
     */
    public ClusterMembers members() {
        Set<Integer> online = new TreeSet<>();
        if (!quorum.expelled()) {
            statusDfsm.members().forEach(m -> online.add(m.nodeId()));
        }
        List<ClusterMembers.Node> nodes = new ArrayList<>();
        CorosyncConf conf = nodelist.conf();
        for (NodeEntry n : conf.nodes()) {
            boolean up = online.contains((int) n.nodeid());
            nodes.add(new ClusterMembers.Node(n.name(), n.nodeid(), up, kv.nodeIp(n.name()).orElse(null)));
        }
        return new ClusterMembers(conf.clusterName(), conf.configVersion().orElse(0), quorum.quorate(), nodes);
    }

    /** The file tree group's synchronisation rounds (metrics). */
    public SyncRounds.Snapshot syncRounds() {
        return dfsm.syncRounds();
    }

    /** Where mutations go: the total order, waited for boundedly. */
    public ClusterApplier applier() {
        return applier;
    }

    /** Sends {@code set_status} and {@code log_cluster_msg} to the other nodes, without waiting. */
    public StatusListener statusListener() {
        return statusPublisher;
    }

    private void republishStatus() {
        statusPublisher.republishAll();
    }

    // ---------------------------------------------------------------- DcdbHost

    @Override
    public boolean isQuorate() {
        return quorum.quorate();
    }

    @Override
    public void submit(int subtype, byte[] payload) {
        dfsm.post(subtype, payload);
    }

    @Override
    public void setErrorMode() {
        dfsm.setErrorMode();
    }

    @Override
    public boolean lockExpired(String path, TreeEntry lock) {
        return locks.expired(path, lock, clock.millis());
    }

    @Override
    public void syncCorosyncConf(boolean reloadCorosync) {
        reload.treeChanged(reloadCorosync);
    }

    @Override
    public void beforeStateTransfer(List<String> discardedPaths) {
        backup.beforeStateTransfer(discardedPaths);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        qdevice.close();
        statusPublisher.close();
        statusDfsm.stop();
        dfsm.stop();
    }
}
