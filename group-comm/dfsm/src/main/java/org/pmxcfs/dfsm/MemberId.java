package org.pmxcfs.dfsm;

/**
 * A member of a process group: the node id (corosync nodeid) and the process incarnation on
 * that node (the original uses the pid). Ordered by node id, then incarnation, as the original
 * orders its member table.
 */
public record MemberId(int nodeId, long pid) implements Comparable<MemberId> {

    @Override
    public int compareTo(MemberId o) {
        int c = Integer.compareUnsigned(nodeId, o.nodeId);
        return c != 0 ? c : Long.compare(pid, o.pid);
    }

    @Override
    public String toString() {
        return nodeId + "/" + pid;
    }
}
