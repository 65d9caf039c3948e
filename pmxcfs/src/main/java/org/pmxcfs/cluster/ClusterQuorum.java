package org.pmxcfs.cluster;

import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.quorum.QDeviceState;
import org.pmxcfs.quorum.QuorumConfig;
import org.pmxcfs.quorum.QuorumStatus;
import org.pmxcfs.quorum.SetExpectedResult;
import org.pmxcfs.quorum.VoteQuorum;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of this node's quorum, as votequorum is next to corosync: the votes of the
 * nodelist in force, the group's current view, the QDevice's vote for that view, expected votes
 * set by {@code pvecm expected} (here or on another node), wait_for_all, and expulsion from the
 * nodelist. The filesystem's
 * write gate, the dfsm (before it applies each message), {@code .members} and the IPC quorum
 * answer all read it; nothing else keeps quorum state.
 *
 * <p>Quorum is evaluated for the view the dfsm has installed right now, not for the view of the
 * last tick: a message of a new view must already see that view's quorum (a node cut off must not
 * apply writes in its singleton view).
 */
public final class ClusterQuorum {

    private static final Logger log = LoggerFactory.getLogger("quorum");

    private final Supplier<List<MemberId>> currentView;
    private final Function<List<MemberId>, QDeviceState> deviceState;
    /** Counts the device's vote changes (its own thread); {@link #seenDeviceChanges}: the count {@link #quorum} saw. */
    private final AtomicLong deviceChanges = new AtomicLong();
    private long seenDeviceChanges;
    private CorosyncConf conf;
    private VoteQuorum quorum;
    /**
     * The view {@link #quorum} was computed for, null when it must be recomputed; identity marks
     * a new view (the dfsm installs a new list with each).
     */
    private List<MemberId> view;
    private boolean expelled;
    private boolean announcedQuorate;

    /**
     * @param currentView the members of the group's installed view, sorted
     * @param deviceState the QDevice's state for a view (whether it casts its vote for that membership)
     */
    public ClusterQuorum(CorosyncConf conf, Supplier<List<MemberId>> currentView,
                         Function<List<MemberId>, QDeviceState> deviceState) {
        this.conf = conf;
        this.currentView = currentView;
        this.deviceState = deviceState;
        this.quorum = VoteQuorum.of(QuorumConfig.from(conf), List.of());
    }

    /** Quorate in the installed view (false once expelled). */
    public synchronized boolean quorate() {
        refresh();
        return !expelled && quorum.status().quorate();
    }

    /** The votequorum numbers and flags for the installed view. */
    public synchronized QuorumStatus status() {
        refresh();
        return quorum.status();
    }

    /** The members of the view the numbers are for (none once expelled). */
    public synchronized List<MemberId> view() {
        refresh();
        return expelled ? List.of() : view;
    }

    /** The members of the installed view that are in the nodelist (what votes, and what the QDevice is told). */
    public synchronized SortedSet<Long> members() {
        refresh();
        if (expelled) {
            return new TreeSet<>();
        }
        SortedSet<Long> online = new TreeSet<>();
        view.forEach(m -> online.add((long) m.nodeId()));
        return new TreeSet<>(inNodelist(conf, online));
    }

    /** The votes of the QDevice configured in corosync.conf (0 without one). */
    public synchronized int deviceVotes() {
        return quorum.config().qdeviceVotes();
    }

    /** The QDevice's vote changed (from its thread, without waiting): quorum is computed again. */
    public void deviceVoteChanged() {
        deviceChanges.incrementAndGet();
    }

    /**
     * Takes in a new view or device vote if one came since the last call and logs a change of
     * quorum (corosync's "node has quorum"). Returns whether anything changed.
     */
    public synchronized boolean poll() {
        boolean changed = refresh();
        boolean now = !expelled && quorum.status().quorate();
        if (now != announcedQuorate) {
            announcedQuorate = now;
            log.info("node has {}quorum", now ? "" : "lost ");
            changed = true;
        }
        return changed;
    }

    private boolean refresh() {
        List<MemberId> v = currentView.get();
        long changes = deviceChanges.get(); // read first: a vote arriving meanwhile is seen next time
        if (v == view && changes == seenDeviceChanges) {
            return false;
        }
        Set<Long> online = new TreeSet<>();
        v.forEach(m -> online.add((long) m.nodeId()));
        Set<Long> members = inNodelist(conf, online);
        VoteQuorum q = quorum.withOnline(members).withQDevice(quorum.config().qdevice().isEmpty()
                ? QDeviceState.NOT_REGISTERED : deviceState.apply(v));
        // wait_for_all: quorate only once every node was seen together (since start-up or
        // since quorum was lost); with the flag off this input is ignored
        if (members.size() == conf.nodes().size()) {
            q = q.withWaitForAllSatisfied(true);
        } else if (!q.status().quorate()) {
            q = q.withWaitForAllSatisfied(false);
        }
        quorum = q;
        view = v;
        seenDeviceChanges = changes;
        if (log.isDebugEnabled()) {
            QuorumStatus st = q.status();
            log.debug("view {}: nodes {} in the nodelist, {} of {} expected votes, quorum {} - {}", v, members,
                    st.totalVotes(), st.expectedVotes(), st.quorum(), st.quorate() ? "quorate" : "not quorate");
        }
        return true;
    }

    /**
     * {@code pvecm expected} on this node: null if votequorum's rules accept it (then applied
     * here; the caller tells the others), else the error text for the user.
     */
    public synchronized String setExpected(long votes) {
        refresh();
        SetExpectedResult r = quorum.setExpected(votes);
        if (r instanceof SetExpectedResult.Rejected rej) {
            return rej.message() + " (" + rej.reason() + ")";
        }
        quorum = ((SetExpectedResult.Accepted) r).quorum();
        log.info("expected votes set to {} - node {}quorate", votes, quorate() ? "" : "not ");
        return null;
    }

    /** Another member set the expected votes; refused here only if our own view says so. */
    public synchronized void expectedFromPeer(long votes) {
        refresh();
        SetExpectedResult r = quorum.setExpected(votes);
        if (r instanceof SetExpectedResult.Accepted a) {
            quorum = a.quorum();
            log.info("expected votes set to {} by another node", votes);
        } else {
            log.warn("ignoring expected votes {} from another node: {}", votes, ((SetExpectedResult.Rejected) r).reason());
        }
    }

    /** A new corosync.conf in force: the votes follow its nodelist, for the members online now. */
    public synchronized void nodelist(CorosyncConf next, QuorumConfig nextQuorum) {
        conf = next;
        quorum = VoteQuorum.of(nextQuorum, inNodelist(next, quorum.online()));
        view = null; // recomputed for the installed view with the new votes
    }

    /** This node was removed from the nodelist: no votes, no members, never quorate again in this run. */
    public synchronized void expel() {
        expelled = true;
        quorum = VoteQuorum.of(quorum.config(), List.of());
    }

    public synchronized boolean expelled() {
        return expelled;
    }

    /** Votes only count for nodes in the nodelist: a removed node stays in the view until it leaves. */
    private static Set<Long> inNodelist(CorosyncConf c, Set<Long> online) {
        Set<Long> ids = new TreeSet<>();
        c.nodes().forEach(n -> ids.add(n.nodeid()));
        ids.retainAll(online);
        return ids;
    }
}
