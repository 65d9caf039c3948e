package org.pmxcfs.join;

import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.CorosyncConfException;
import org.pmxcfs.corosync.NodeEntry;

/** The decisions of {@code delnode} (reference 4.5) as a pure function, with the original's messages. */
public final class DelNodeRules {

    /** The config without the node ({@code config_version} not yet bumped) and the node removed. */
    public record Plan(CorosyncConf conf, NodeEntry removed) {}

    private DelNodeRules() {}

    /** The original's first check, before quorum and lock: a node cannot remove itself by name. */
    public static void checkNotSelf(String nameOrAddress, String localNode) throws JoinException {
        if (nameOrAddress.equals(localNode)) {
            throw new JoinException("Cannot delete myself from cluster!");
        }
    }

    /**
     * @param nameOrAddress node name, or its ring0/ring1 address
     * @throws JoinException {@code Node/IP: <x> is not a known host of the cluster.}, or
     *                       {@code Cannot delete myself from cluster!} also when the address is this node's
     */
    public static Plan plan(CorosyncConf conf, String nameOrAddress, String localNode) throws JoinException {
        checkNotSelf(nameOrAddress, localNode);
        NodeEntry node = conf.findNode(nameOrAddress).orElseThrow(() ->
                new JoinException("Node/IP: " + nameOrAddress + " is not a known host of the cluster."));
        // the original only compares names; removing ourselves by address would cut this node off just the same
        checkNotSelf(node.name(), localNode);
        try {
            return new Plan(conf.withNodeRemoved(node.name()), node);
        } catch (CorosyncConfException e) {
            throw new JoinException(e.getMessage());
        }
    }
}
