package org.pmxcfs.cluster;

import java.io.IOException;
import java.util.List;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.status.ClusterMembers;

/**
 * This node is not in the nodelist of the corosync.conf the engine runs from: it was removed
 * from the cluster ({@code pvecm delnode}), or its name is wrong. The daemon still mounts the
 * tree, read-only, so the admin can read and repair it.
 */
public final class NotInNodelistException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String nodename;
    private final transient CorosyncConf conf;

    NotInNodelistException(String nodename, RunningConf running) {
        super("node '" + nodename + "' is not in the nodelist of " + running.source());
        this.nodename = nodename;
        this.conf = running.conf();
    }

    /**
     * What {@code .members} shows meanwhile: the cluster's nodelist as this node knows it, nobody
     * online (it is in no membership), not quorate.
     */
    public ClusterMembers members() {
        List<ClusterMembers.Node> nodes = conf.nodes().stream()
                .map(n -> new ClusterMembers.Node(n.name(), n.nodeid(), false, null)).toList();
        return new ClusterMembers(conf.clusterName(), conf.configVersion().orElse(0), false, nodes);
    }

    /** The node name that was looked for. */
    public String nodename() {
        return nodename;
    }
}
