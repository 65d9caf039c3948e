package org.pmxcfs.cluster;

import java.util.function.Function;
import java.util.concurrent.atomic.AtomicInteger;
import org.pmxcfs.corosync.SyncReport;
import org.pmxcfs.corosync.SyncDecision;
import org.pmxcfs.dfsm.MemberId;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.pmxcfs.qdevice.RingId;
import org.pmxcfs.qdevice.QnetdClient;
import org.pmxcfs.status.StatusListener;
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
import com.fasterxml.jackson.databind.JsonNode;
import org.pmxcfs.concurrent.FailStopScheduler;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.CorosyncConfSync;
import org.pmxcfs.corosync.NodeEntry;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.dcdb.Dcdb;
import org.pmxcfs.dcdb.DcdbHost;
import org.pmxcfs.dfsm.Dfsm;
import org.pmxcfs.dfsm.ViewSyncedDelivery;
import org.pmxcfs.status.KvStore;
import org.pmxcfs.ipc.QuorumControl;
import org.pmxcfs.jgroups.GroupConfig;
import org.pmxcfs.jgroups.JGroupsTransport;
import org.pmxcfs.jgroups.Links;
import org.pmxcfs.jgroups.TotemTimings;
import org.pmxcfs.lock.LockTable;
import org.pmxcfs.quorum.QuorumConfig;
import org.pmxcfs.status.ClusterLog;
import org.pmxcfs.status.ClusterLogEntry;
import org.pmxcfs.status.ClusterMembers;
import org.pmxcfs.status.VersionCounters;
import org.pmxcfs.status.cluster.StatusGroup;
import org.pmxcfs.status.cluster.StatusMessages;
import org.pmxcfs.status.cluster.StatusPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node as a cluster member: the dcdb process group on JGroups, the dfsm with the memdb
 * callbacks, quorum from the group's view by the votequorum rules, the local corosync.conf copy,
 * and the backup of local changes that a sync is about to discard; and the status process group
 * (node status, cluster log, who is online), which is not quorum-gated.
 */
public final class ClusterNode implements DcdbHost, QuorumControl, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("main");
    private static final Logger dcdbLog = LoggerFactory.getLogger("dcdb");
    /** ClusterNodes this process started successfully so far (see {@link #incarnation()}). */
    private static final AtomicInteger JOINS = new AtomicInteger();
    /** Status key with this node's device flags ({@code A,V,NMW}), for the others' {@code pvecm status}. */
    private static final String QDEVICE_KEY = "qdevice";
    /** Status data differs between nodes by design, so its group never verifies checksums. */
    private static final Dfsm.Options STATUS_OPTIONS = new Dfsm.Options(Duration.ofDays(36500), Duration.ofSeconds(5));

    /** What the daemon's options say about the cluster. */
    public record Settings(String nodename, Path authKey, int basePort, Duration writeTimeout,
                           Duration verifyInterval, Path corosyncLocal, Path backupDir) {}

    private final Settings settings;
    private final MemDb db;
    /** The nodelist in force: replaced when the tree's corosync.conf changes. */
    private volatile CorosyncConf conf;
    private final NodeEntry self;
    private final LockTable locks;
    private final ClusterLog clusterLog;
    private final VersionCounters counters;
    private final Clock clock;
    private final CorosyncConfSync confSync;
    private final Dfsm dfsm;
    private final JGroupsTransport transport;
    private final ScheduledExecutorService ticker;
    private final ClusterApplier applier;
    private final KvStore kv;
    private final Dfsm statusDfsm;
    private final StatusPublisher statusPublisher;
    private final ClusterQuorum quorum;
    private final QDeviceLink qdevice;
    /** Tick thread only: the view whose joins and departures were logged last. */
    private List<MemberId> loggedView = List.of();
    /** What the device was last told (ring, members, quorate) and the flags last published. */
    private volatile List<Object> lastDeviceInput = List.of();
    private volatile String lastDeviceFlags = "";

    private ClusterNode(Settings settings, MemDb db, CorosyncConf conf, NodeEntry self, LockTable locks,
                        ClusterLog clusterLog, VersionCounters counters, KvStore kv, Clock clock) throws IOException {
        this.settings = settings;
        this.db = db;
        this.conf = conf;
        this.self = self;
        this.locks = locks;
        this.clusterLog = clusterLog;
        this.counters = counters;
        this.clock = clock;
        this.confSync = new CorosyncConfSync(settings.corosyncLocal());
        // both process groups run on the same nodes, links, key and timing, one port apart
        TotemSettings totem = TotemSettings.of(conf, settings.authKey());
        Links links = totem.links();
        byte[] key = totem.key();
        TotemTimings token = totem.token();
        int id = (int) self.nodeid();
        long incarnation = incarnation();
        this.transport = new JGroupsTransport(GroupConfig.of(conf.clusterName() + "-dcdb", id, settings.basePort(),
                links, key, token), incarnation);
        this.dfsm = new Dfsm("dcdb", 1, new ViewSyncedDelivery(transport), new Dcdb(db, (int) self.nodeid(), this), clock,
                new Dfsm.Options(settings.verifyInterval(), Dfsm.Options.DEFAULT.restartDelay()));
        this.qdevice = new QDeviceLink(db, self.nodeid(), this::deviceVoteChanged);
        this.quorum = new ClusterQuorum(conf, dfsm::members, view -> qdevice.state(ringOf(view)));
        this.kv = kv;
        // the IP .members shows for this node, announced to the others after every status sync
        kv.set("nodeip", (self.ring0Addr() + "\0").getBytes(StandardCharsets.UTF_8));
        JGroupsTransport statusTransport = new JGroupsTransport(GroupConfig.of(conf.clusterName() + "-status", id,
                settings.basePort() + 1, links, key, token), incarnation);
        StatusGroup status = new StatusGroup((int) self.nodeid(), this::nodeName, kv, clusterLog,
                this::republishStatus, counters::bumpClinfo, quorum::expectedFromPeer);
        this.statusDfsm = new Dfsm("status", 0, new ViewSyncedDelivery(statusTransport), status, clock, STATUS_OPTIONS);
        this.statusPublisher = StatusPublisher.start(kv, statusDfsm::post); // nobody waits for status messages
        this.applier = new ClusterApplier(dfsm, settings.writeTimeout());
        this.ticker = new FailStopScheduler(1, "cluster-tick");
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
        explainRefusal(new CorosyncConfSync(settings.corosyncLocal()).sync(corosyncConf, true), settings.corosyncLocal());
        RunningConf running = RunningConf.read(settings.corosyncLocal(), corosyncConf);
        CorosyncConf conf = running.conf();
        NodeEntry self = conf.node(settings.nodename()).orElseThrow(() -> new NotInNodelistException(
                settings.nodename(), running));
        ClusterNode node = new ClusterNode(settings, db, conf, self, locks, clusterLog, counters, kv, clock);
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

    /** Every 100 ms: dfsm timers, quorum from the current view, remote writes made durable. */
    private void tick() {
        try {
            dfsm.tick();
            statusDfsm.tick();
            if (quorum.poll()) { // a new view, a device vote, quorum gained or lost
                counters.bumpClinfo();
            }
            List<MemberId> view = quorum.view();
            if (view != loggedView) {
                logMembership(loggedView, view);
                loggedView = view;
            }
            feedDevice();
            db.flush();
        } catch (RuntimeException e) {
            log.error("cluster tick failed: {}", e.toString(), e);
        }
    }

    /**
     * Who joined, left or failed, by name, as corosync and pmxcfs tell it (the dfsm's
     * {@code members:} line only lists nodeid/pid pairs). A member gone without leaving was
     * suspected by the failure detection: failed.
     */
    private void logMembership(List<MemberId> before, List<MemberId> after) {
        if (after.isEmpty()) {
            return; // this node left: said where it leaves
        }
        for (MemberId m : before) {
            if (!after.contains(m)) {
                if (transport.failed(m)) {
                    dcdbLog.warn("node '{}' (nodeid {}) failed - it stopped answering", displayName(m), m.nodeId());
                } else {
                    dcdbLog.info("node '{}' (nodeid {}) left", displayName(m), m.nodeId());
                }
            }
        }
        for (MemberId m : after) {
            if (!before.contains(m) && m.nodeId() != self.nodeid()) {
                dcdbLog.info("node '{}' (nodeid {}) joined", displayName(m), m.nodeId());
            }
        }
    }

    private String displayName(MemberId m) {
        String name = nodeName(m.nodeId());
        return name != null ? name : "nodeid " + m.nodeId();
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

    /** Tells the device about a new membership or quorum, and the others about this node's device flags. */
    private void feedDevice() {
        QnetdClient.Membership m = deviceMembership();
        List<Object> input = List.of(m.ring(), m.members(), m.quorate());
        if (!input.equals(lastDeviceInput)) {
            lastDeviceInput = input;
            qdevice.update(m.ring(), m.members(), m.quorate());
        }
        String flags = qdevice.flags(m.ring());
        if (!flags.equals(lastDeviceFlags)) {
            lastDeviceFlags = flags;
            byte[] value = flags.getBytes(StandardCharsets.UTF_8);
            kv.set(QDEVICE_KEY, value);
            statusPublisher.statusSet(QDEVICE_KEY, value);
        }
    }

    /** The device's vote changed (its thread): the quorum of the current view is computed again. */
    private void deviceVoteChanged() {
        quorum.deviceVoteChanged();
        counters.bumpClinfo();
    }

    /** {@code pvecm expected}: validated by votequorum's rules, applied here, then sent to the others. */
    @Override
    public String setExpected(long votes) {
        String refused = quorum.setExpected(votes);
        if (refused == null) {
            statusDfsm.post(StatusMessages.EXPECTED, StatusMessages.encodeExpected(votes));
        }
        return refused;
    }

    @Override
    public JsonNode quorumStatus() {
        List<MemberId> view = quorum.view();
        CorosyncConf c = conf;
        // corosync-quorumtool's Qdevice column: this node's flags, the others' as they announced them
        Function<NodeEntry, String> deviceFlags = c.quorum().device().isEmpty() ? null
                : n -> n.nodeid() == self.nodeid() ? qdevice.flags(ringOf(view))
                        : kv.get(n.name(), QDEVICE_KEY).map(v -> new String(v, StandardCharsets.UTF_8)).orElse("NR");
        ObjectNode o = QuorumStatusJson.render(c, self, quorum.quorate(), quorum.status(), view,
                transport.viewNumber(), transport.linkStatus(), deviceFlags);
        qdevice.client().ifPresent(client -> {
            ObjectNode d = o.putObject("qdevice");
            d.put("votes", quorum.deviceVotes());
            d.put("casting", client.castsVoteFor(ringOf(view)));
            d.put("state", client.state());
            d.put("host", client.settings().host());
            d.put("algorithm", client.settings().algorithm().toString());
        });
        return o;
    }

    /** Quorate in the dfsm's installed view (see {@link ClusterQuorum}). */
    public boolean quorate() {
        return quorum.quorate();
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
        for (NodeEntry n : conf.nodes()) {
            boolean up = online.contains((int) n.nodeid());
            nodes.add(new ClusterMembers.Node(n.name(), n.nodeid(), up, kv.nodeIp(n.name()).orElse(null)));
        }
        return new ClusterMembers(conf.clusterName(), conf.configVersion().orElse(0), quorate(), nodes);
    }

    /** The file tree group's synchronisation rounds (metrics). */
    public org.pmxcfs.dfsm.SyncRounds.Snapshot syncRounds() {
        return dfsm.syncRounds();
    }

    public ClusterApplier applier() {
        return applier;
    }

    /** Sends {@code set_status} and {@code log_cluster_msg} to the other nodes, without waiting. */
    public StatusListener statusListener() {
        return statusPublisher;
    }

    /**
     * The name of a node id in the nodelist. A node that just joined announces itself before this
     * node applied the new nodelist (a second after it arrived): look in the tree's newest
     * corosync.conf too, so its IP and status are not dropped.
     */
    private String nodeName(int nodeId) {
        String name = nameIn(conf, nodeId);
        if (name == null) {
            byte[] newest = db.lookup("corosync.conf").map(TreeEntry::data).orElse(null);
            try {
                name = newest == null ? null : nameIn(CorosyncConf.parse(newest), nodeId);
            } catch (Exception invalid) {
                return null;
            }
        }
        return name;
    }

    private static String nameIn(CorosyncConf c, int nodeId) {
        for (NodeEntry n : c.nodes()) {
            if ((int) n.nodeid() == nodeId) {
                return n.name();
            }
        }
        return null;
    }

    private void republishStatus() {
        statusPublisher.republishAll();
    }

    // ---------------------------------------------------------------- DcdbHost

    @Override
    public boolean isQuorate() {
        return quorate();
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
        byte[] copy = db.lookup("corosync.conf").map(TreeEntry::data).orElse(null);
        SyncReport report = confSync.sync(copy, reloadCorosync); // logs its decision itself
        if (report.written()) {
            // as the original reloads corosync a second after the write: the writer (pvecm
            // addnode) still finishes under the old membership, e.g. releases its cluster lock
            ticker.schedule(() -> applyNodelist(copy), 1, TimeUnit.SECONDS);
        } else {
            explainRefusal(report, settings.corosyncLocal());
        }
    }

    /** The original's "local corosync.conf is newer" does not say what stays in force, nor what to do. */
    private static void explainRefusal(SyncReport report, Path local) {
        if (report.decision().reason() == SyncDecision.Reason.LOCAL_NEWER) {
            String old = Long.toUnsignedString(report.decision().oldVersion());
            log.warn("not applying the cluster's corosync.conf (version {}): the local '{}' has version {} and stays"
                    + " in force - to change the cluster's config, write it with a config_version above {} to"
                    + " corosync.conf in the cluster filesystem", Long.toUnsignedString(report.decision().newVersion()),
                    local, old, old);
        }
    }

    /**
     * A new corosync.conf is applied live: the quorum follows the new nodelist, and a node that
     * is no longer in it leaves the group (it is expelled: read-only from then on).
     */
    private synchronized void applyNodelist(byte[] copy) {
        if (copy == null) {
            return;
        }
        CorosyncConf next;
        QuorumConfig nextQuorum;
        try {
            next = CorosyncConf.parse(copy);
            nextQuorum = QuorumConfig.from(next);
        } catch (Exception e) {
            log.error("ignoring the new corosync.conf: {} - fix /etc/pve/corosync.conf", e.getMessage());
            return;
        }
        if (next.equals(conf)) {
            return;
        }
        conf = next;
        quorum.nodelist(next, nextQuorum);
        qdevice.configure(next, deviceMembership()); // a restarted device starts from this membership
        counters.bumpClinfo();
        if (next.node(settings.nodename()).isEmpty()) {
            log.error("this node ('{}') was removed from the cluster's nodelist - leaving the cluster, read-only"
                    + " from now on; rejoin with 'pvecm add <member> --force'", settings.nodename());
            // no votes and no membership: status output and the others' .members must not show
            // a node that is out as online or quorate (it leaves the status group too)
            quorum.expel();
            ticker.execute(() -> {
                dfsm.stop();
                statusDfsm.stop();
            });
        }
    }

    /**
     * A sync is about to replace local entries. Entries written in local mode (writer 0) that
     * the cluster does not have are changes it never saw: keep the whole local tree as a
     * backup first, and say which paths were lost.
     */
    @Override
    public void beforeStateTransfer(List<String> discardedPaths) {
        List<String> local = new ArrayList<>();
        for (String p : discardedPaths) {
            db.lookup(p).filter(e -> e.writer() == 0).ifPresent(e -> local.add(p));
        }
        // a new database holding nothing but the corosync.conf it imported (or that 'pvecm add'
        // reset it to) has nothing to lose: that copy is the local file's
        if (local.isEmpty() || local.equals(List.of("corosync.conf")) && db.list("").size() == 1) {
            return;
        }
        Path backup;
        try {
            backup = Backups.save(db, settings.backupDir(), clock.millis() / 1000);
        } catch (IOException e) {
            throw new IllegalStateException("unable to back up the local database before a sync: " + e.getMessage(), e);
        }
        String msg = "local changes not known to the cluster are replaced by the cluster's state: "
                + String.join(", ", local) + " - the local database was saved as " + backup;
        dcdbLog.warn(msg);
        ClusterLogEntry entry = clusterLog.addLocal(4, "root", "pmxcfs", ProcessHandle.current().pid(), msg,
                clock.millis() / 1000);
        statusPublisher.clusterLogged(entry);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        qdevice.close();
        statusPublisher.close();
        statusDfsm.stop();
        dfsm.stop();
        db.flush();
    }
}
