package org.pmxcfs.status;

import java.util.List;
import java.util.Objects;

/**
 * What the clustered {@code .members} shows: the corosync cluster and its node list.
 *
 * @param clusterName   {@code totem.cluster_name}
 * @param configVersion {@code totem.config_version}
 * @param quorate       whether this node's partition has quorum
 * @param nodes         the corosync nodelist entries with a non-zero node id, in nodelist order
 *                      (the order the original inserted them into its table)
 */
public record ClusterMembers(String clusterName, long configVersion, boolean quorate, List<Node> nodes) {

    /**
     * One nodelist entry.
     *
     * @param name   node name ({@code ring0_addr} when the entry has no name)
     * @param id     corosync node id
     * @param online whether the node's pmxcfs is in the status CPG group
     * @param ip     the IP the node announced for itself, or null before it did
     */
    public record Node(String name, long id, boolean online, String ip) {
        public Node {
            Objects.requireNonNull(name, "name");
        }
    }

    public ClusterMembers {
        Objects.requireNonNull(clusterName, "clusterName");
        nodes = List.copyOf(nodes);
    }
}
