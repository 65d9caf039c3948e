package org.pmxcfs.cluster;

import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.pmxcfs.dfsm.MemberId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who joined, left or failed, by name, as corosync and pmxcfs tell it (the dfsm's
 * {@code members:} line only lists nodeid/pid pairs). A member gone without leaving was
 * suspected by the failure detection: failed. Called on one thread (the cluster tick).
 */
final class MembershipLog {

    private static final Logger log = LoggerFactory.getLogger("dcdb");

    private final long selfId;
    private final IntFunction<String> nodeName;
    private final Predicate<MemberId> failed;
    /** The view whose joins and departures were logged last. */
    private List<MemberId> logged = List.of();

    /**
     * @param nodeName a node id's name in the nodelist, or null
     * @param failed   whether a member that is gone was suspected (rather than leaving)
     */
    MembershipLog(long selfId, IntFunction<String> nodeName, Predicate<MemberId> failed) {
        this.selfId = selfId;
        this.nodeName = nodeName;
        this.failed = failed;
    }

    /** The installed view now (a new list with each view); logs what changed since the last one. */
    void view(List<MemberId> view) {
        if (view == logged) {
            return;
        }
        List<MemberId> before = logged;
        logged = view;
        if (view.isEmpty()) {
            return; // this node left: said where it leaves
        }
        for (MemberId m : before) {
            if (!view.contains(m)) {
                if (failed.test(m)) {
                    log.warn("node '{}' (nodeid {}) failed - it stopped answering", displayName(m), m.nodeId());
                } else {
                    log.info("node '{}' (nodeid {}) left", displayName(m), m.nodeId());
                }
            }
        }
        for (MemberId m : view) {
            if (!before.contains(m) && m.nodeId() != selfId) {
                log.info("node '{}' (nodeid {}) joined", displayName(m), m.nodeId());
            }
        }
    }

    private String displayName(MemberId m) {
        String name = nodeName.apply(m.nodeId());
        return name != null ? name : "nodeid " + m.nodeId();
    }
}
