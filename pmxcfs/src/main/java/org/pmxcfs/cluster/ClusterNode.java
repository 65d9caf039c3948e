package org.pmxcfs.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.CorosyncConfSync;
import org.pmxcfs.corosync.NodeEntry;
import org.pmxcfs.corosync.SyncDecision;
import org.pmxcfs.corosync.SyncReport;
import org.pmxcfs.corosync.TotemInterface;
import org.pmxcfs.daemon.FailStopScheduler;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.dcdb.Dcdb;
import org.pmxcfs.dcdb.DcdbHost;
import org.pmxcfs.dfsm.Dfsm;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.ipc.IpcService;
import org.pmxcfs.ipc.KvStore;
import org.pmxcfs.jgroups.GroupConfig;
import org.pmxcfs.jgroups.JGroupsTransport;
import org.pmxcfs.jgroups.Links;
import org.pmxcfs.lock.LockTable;
import org.pmxcfs.quorum.QuorumConfig;
import org.pmxcfs.quorum.QuorumStatus;
import org.pmxcfs.quorum.SetExpectedResult;
import org.pmxcfs.quorum.VoteQuorum;
import org.pmxcfs.ipc.QuorumControl;
import org.pmxcfs.status.cluster.StatusMessages;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.pmxcfs.status.ClusterLog;
import org.pmxcfs.status.ClusterLogEntry;
import org.pmxcfs.status.ClusterMembers;
import org.pmxcfs.status.VersionCounters;
import org.pmxcfs.status.cluster.StatusGroup;
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
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** ClusterNodes this process started successfully so far (see {@link #incarnation()}). */
    private static final java.util.concurrent.atomic.AtomicInteger JOINS = new java.util.concurrent.atomic.AtomicInteger();
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
    private volatile VoteQuorum quorum;
    private volatile boolean expelled;
    /** The dfsm view {@link #quorum} was computed for. */
    private volatile List<MemberId> quorumView;
    private volatile boolean lastQuorate;
    private volatile List<MemberId> lastView = List.of();

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
        this.quorum = VoteQuorum.of(QuorumConfig.from(conf), List.of());
        // both process groups run on the same nodes, links, key and timing, one port apart
        Links links = links();
        byte[] key = authKey();
        Duration token = tokenTimeout();
        int id = (int) self.nodeid();
        long incarnation = incarnation();
        this.transport = new JGroupsTransport(GroupConfig.of(conf.clusterName() + "-dcdb", id, settings.basePort(),
                links, key, token), incarnation);
        this.dfsm = new Dfsm("dcdb", 1, transport, new Dcdb(db, (int) self.nodeid(), this), clock,
                new Dfsm.Options(settings.verifyInterval(), Dfsm.Options.DEFAULT.restartDelay()));
        this.kv = kv;
        // the IP .members shows for this node, announced to the others after every status sync
        kv.set("nodeip", (self.ring0Addr() + "\0").getBytes(StandardCharsets.UTF_8));
        JGroupsTransport statusTransport = new JGroupsTransport(GroupConfig.of(conf.clusterName() + "-status", id,
                settings.basePort() + 1, links, key, token), incarnation);
        StatusGroup status = new StatusGroup((int) self.nodeid(), this::nodeName, kv, clusterLog,
                this::republishStatus, counters::bumpClinfo, this::applyExpected);
        this.statusDfsm = new Dfsm("status", 0, statusTransport, status, clock, STATUS_OPTIONS);
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

    /** The authkey when secauth is on, else null. */
    private byte[] authKey() throws IOException {
        if (!conf.totem().secauthEnabled()) {
            return null;
        }
        if (!Files.isReadable(settings.authKey())) {
            throw new IOException("secauth is on but the authkey '" + settings.authKey() + "' is missing - copy"
                    + " it from a cluster node (mode 0400) or set --authkey");
        }
        return Files.readAllBytes(settings.authKey());
    }

    /** corosync's token timeout: {@code token} grown by {@code token_coefficient} for every node beyond two. */
    private Duration tokenTimeout() {
        return Duration.ofMillis(conf.totem().token().orElse(3000)
                + Math.max(0, conf.nodes().size() - 2) * conf.totem().tokenCoefficient().orElse(650));
    }

    /** Every node's ringX_addr, knet_link_priority of each totem interface, link_mode. */
    private Links links() throws IOException {
        Map<Integer, SortedMap<Integer, InetAddress>> nodes = new TreeMap<>();
        for (NodeEntry n : conf.nodes()) {
            if (n.ringAddr(0).isEmpty()) {
                throw new IOException("node '" + n.name() + "' has no ring0_addr");
            }
            SortedMap<Integer, InetAddress> l = new TreeMap<>();
            for (Map.Entry<Integer, String> e : n.ringAddrs().entrySet()) {
                l.put(e.getKey(), InetAddress.getByName(e.getValue()));
            }
            nodes.put((int) n.nodeid(), l);
        }
        Map<Integer, Integer> priority = new TreeMap<>();
        for (TotemInterface i : conf.totem().interfaces()) {
            i.knetLinkPriority().ifPresent(p -> priority.put(i.linknumber(), p));
        }
        return new Links(nodes, priority, conf.totem().linkMode().map("active"::equals).orElse(false));
    }

    /** Every 100 ms: dfsm timers, quorum from the current view, remote writes made durable. */
    private void tick() {
        try {
            dfsm.tick();
            statusDfsm.tick();
            List<MemberId> view = dfsm.members();
            if (!view.equals(lastView)) {
                boolean was = lastQuorate;
                logMembership(lastView, view);
                lastView = view;
                lastQuorate = quorate();
                counters.bumpClinfo();
                if (was != lastQuorate) {
                    LoggerFactory.getLogger("quorum").info("node has {}quorum", lastQuorate ? "" : "lost ");
                }
            }
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

    /** {@code pvecm expected}: validated by votequorum's rules, applied here, then sent to the others. */
    @Override
    public synchronized String setExpected(long votes) {
        SetExpectedResult r = quorum.setExpected(votes);
        if (r instanceof SetExpectedResult.Rejected rej) {
            return rej.message() + " (" + rej.reason() + ")";
        }
        quorum = ((SetExpectedResult.Accepted) r).quorum();
        LoggerFactory.getLogger("quorum").info("expected votes set to {} - node {}quorate", votes,
                quorate() ? "" : "not ");
        statusDfsm.post(StatusMessages.EXPECTED, StatusMessages.encodeExpected(votes));
        return null;
    }

    /**
     * A member's links as corosync-cfgtool shows them: its address on each link, and whether this
     * node hears it there (the link pings; with one link, whether it is a member).
     */
    private void putLinks(ArrayNode out, NodeEntry n, boolean member, Map<Integer, Map<Integer, Boolean>> status) {
        boolean local = n.nodeid() == self.nodeid();
        Map<Integer, Boolean> peer = status.get((int) n.nodeid());
        for (Map.Entry<Integer, String> e : n.ringAddrs().entrySet()) {
            ObjectNode l = out.addObject();
            l.put("link", e.getKey());
            l.put("address", e.getValue());
            l.put("connected", local || (peer != null ? peer.getOrDefault(e.getKey(), false) : member));
        }
    }

    /** Another member set the expected votes; refused here only if our own view says so. */
    private synchronized void applyExpected(long votes) {
        SetExpectedResult r = quorum.setExpected(votes);
        if (r instanceof SetExpectedResult.Accepted a) {
            quorum = a.quorum();
            LoggerFactory.getLogger("quorum").info("expected votes set to {} by another node", votes);
        } else {
            LoggerFactory.getLogger("quorum").warn("ignoring expected votes {} from another node: {}", votes,
                    ((SetExpectedResult.Rejected) r).reason());
        }
    }

    @Override
    public JsonNode quorumStatus() {
        VoteQuorum q = quorum;
        QuorumStatus st = q.status();
        ObjectNode o = JSON.objectNode();
        CorosyncConf c = conf;
        o.put("cluster_name", c.clusterName());
        o.put("config_version", c.configVersion().orElse(0));
        o.put("node_id", self.nodeid());
        o.put("node_name", self.name());
        o.put("secauth", c.totem().secauthEnabled());
        o.put("quorate", quorate());
        o.put("expected_votes", st.expectedVotes());
        o.put("highest_expected", st.highestExpected());
        o.put("total_votes", st.totalVotes());
        o.put("quorum", st.quorum());
        o.put("flags", st.flagsText().trim());
        // corosync's "<representative nodeid>.<ring sequence>", both hex
        o.put("ring_id", lastView.isEmpty() ? ""
                : Integer.toHexString(lastView.get(0).nodeId()) + "." + Long.toHexString(transport.viewNumber()));
        Map<Integer, Map<Integer, Boolean>> linkStatus = transport.linkStatus();
        ArrayNode members = o.putArray("members");
        Set<Integer> online = new TreeSet<>();
        if (!expelled) {
            lastView.forEach(m -> online.add(m.nodeId()));
        }
        for (NodeEntry n : c.nodes()) {
            ObjectNode m = members.addObject();
            m.put("nodeid", n.nodeid());
            m.put("name", n.name());
            m.put("votes", n.quorumVotes());
            m.put("ip", n.ringAddr(0).orElse(""));
            m.put("online", online.contains((int) n.nodeid()));
            m.put("local", n.nodeid() == self.nodeid());
            putLinks(m.putArray("links"), n, online.contains((int) n.nodeid()), linkStatus);
        }
        return o;
    }

    /**
     * Quorum of the dfsm's current view. Evaluated from the view itself, not by the tick: the
     * dfsm asks before it applies each message, and a message of a new view must already see
     * that view's quorum (a node cut off must not apply writes in its singleton view).
     */
    public boolean quorate() {
        if (expelled) {
            return false;
        }
        List<MemberId> view = dfsm.members();
        if (view != quorumView) {
            refreshQuorum(view);
        }
        return quorum.status().quorate();
    }

    private synchronized void refreshQuorum(List<MemberId> view) {
        if (view == quorumView) {
            return;
        }
        Set<Long> online = new TreeSet<>();
        view.forEach(m -> online.add((long) m.nodeId()));
        Set<Long> members = inNodelist(conf, online);
        VoteQuorum q = quorum.withOnline(members);
        // wait_for_all: quorate only once every node was seen together (since start-up or
        // since quorum was lost); with the flag off this input is ignored
        if (members.size() == conf.nodes().size()) {
            q = q.withWaitForAllSatisfied(true);
        } else if (!q.status().quorate()) {
            q = q.withWaitForAllSatisfied(false);
        }
        quorum = q;
        quorumView = view;
        if (log.isDebugEnabled()) {
            QuorumStatus st = q.status();
            LoggerFactory.getLogger("quorum").debug("view {}: nodes {} in the nodelist, {} of {} expected votes,"
                    + " quorum {} - {}", view, members, st.totalVotes(), st.expectedVotes(), st.quorum(),
                    st.quorate() ? "quorate" : "not quorate");
        }
    }

    /**
     * The {@code .members} view: the nodelist, online = member of the status group (its pmxcfs
     * runs and is reachable), ip = what the node announced.
     */
    public ClusterMembers members() {
        Set<Integer> online = new TreeSet<>();
        if (!expelled) {
            statusDfsm.members().forEach(m -> online.add(m.nodeId()));
        }
        List<ClusterMembers.Node> nodes = new ArrayList<>();
        for (NodeEntry n : conf.nodes()) {
            boolean up = online.contains((int) n.nodeid());
            nodes.add(new ClusterMembers.Node(n.name(), n.nodeid(), up, kv.nodeIp(n.name()).orElse(null)));
        }
        return new ClusterMembers(conf.clusterName(), conf.configVersion().orElse(0), quorate(), nodes);
    }

    public ClusterApplier applier() {
        return applier;
    }

    /** Sends {@code set_status} and {@code log_cluster_msg} to the other nodes, without waiting. */
    public IpcService.Listener statusListener() {
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

    /** Votes only count for nodes in the nodelist: a removed node stays in the view until it leaves. */
    private static Set<Long> inNodelist(CorosyncConf c, Set<Long> online) {
        Set<Long> ids = new TreeSet<>();
        c.nodes().forEach(n -> ids.add(n.nodeid()));
        ids.retainAll(online);
        return ids;
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
        quorum = VoteQuorum.of(nextQuorum, inNodelist(next, quorum.online()));
        quorumView = null; // recompute for the current view with the new votes
        counters.bumpClinfo();
        if (next.node(settings.nodename()).isEmpty()) {
            log.error("this node ('{}') was removed from the cluster's nodelist - leaving the cluster, read-only"
                    + " from now on; rejoin with 'pvecm add <member> --force'", settings.nodename());
            expelled = true;
            // no votes and no membership: status output and the others' .members must not show
            // a node that is out as online or quorate (it leaves the status group too)
            quorum = VoteQuorum.of(nextQuorum, Set.of());
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
        statusPublisher.close();
        statusDfsm.stop();
        dfsm.stop();
        db.flush();
    }
}
