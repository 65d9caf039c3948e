package org.pmxcfs.cluster;

import org.pmxcfs.status.ClusterLogEntry;
import org.pmxcfs.status.StatusListener;

/**
 * Sends this node's status changes ({@code set_status}, {@code log_cluster_msg}) to the other
 * nodes while it is a cluster member; in local mode and outside the nodelist there is nobody to
 * tell.
 */
public final class StatusForwarder implements StatusListener {

    private final NodeMode mode;

    public StatusForwarder(NodeMode mode) {
        this.mode = mode;
    }

    @Override
    public void statusSet(String name, byte[] value) {
        ClusterNode n = mode.node();
        if (n != null) {
            n.statusListener().statusSet(name, value);
        }
    }

    @Override
    public void clusterLogged(ClusterLogEntry entry) {
        ClusterNode n = mode.node();
        if (n != null) {
            n.statusListener().clusterLogged(entry);
        }
    }
}
