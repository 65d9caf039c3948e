package org.pmxcfs.cluster;

import org.pmxcfs.status.ClusterMembers;

/**
 * What this node is right now: in local mode, a cluster member ({@link ClusterNode}), or outside
 * the nodelist it runs from (read-only, in no membership). The daemon's mode switch is the only
 * writer; the write path, the quorum answers, status broadcasts and {@code .members} read it. One
 * field holds the whole state, so no reader sees a member that is also outside.
 */
public final class NodeMode {

    /** At most one of {@code node} and {@code outside} is set. */
    private record State(ClusterNode node, NotInNodelistException outside, String startError) {}

    private volatile State state = new State(null, null, null);

    /** The cluster member this node is, or null (local mode, or outside the nodelist). */
    public ClusterNode node() {
        return state.node();
    }

    /** Why this node is outside the nodelist it runs from, or null. */
    public NotInNodelistException outside() {
        return state.outside();
    }

    /** Why cluster mode could not start yet (its next try is scheduled); null if it was not tried, or started. */
    public String startError() {
        State s = state;
        return s.node() == null ? s.startError() : null;
    }

    /** The {@code .members} data: the cluster's, or the nodelist with nobody online when outside; null in local mode. */
    public ClusterMembers members() {
        State s = state;
        if (s.node() != null) {
            return s.node().members();
        }
        return s.outside() == null ? null : s.outside().members();
    }

    /** Cluster mode from now on. */
    public synchronized void clustered(ClusterNode node) {
        state = new State(node, null, null);
    }

    /** Not in the nodelist this node runs from. */
    public synchronized void outside(NotInNodelistException why) {
        state = new State(null, why, null);
    }

    /** Local mode again: a join leaves the membership it had, if any, and starts over. */
    public synchronized void local() {
        state = new State(null, null, null);
    }

    /** A try to start cluster mode failed (its next one is scheduled); the mode stays as it is. */
    public synchronized void startFailed(String why) {
        State s = state;
        state = new State(s.node(), s.outside(), why);
    }
}
