package org.pmxcfs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.ipc.IpcError;
import org.pmxcfs.ipc.QuorumControl;

/**
 * Quorum as the filesystem's write gate and {@code pvecm} see it in the node's current mode: a
 * cluster member's comes from its {@link ClusterQuorum}; local mode is always quorate and has no
 * quorum service; a node outside its nodelist is never quorate.
 */
public final class NodeQuorum implements QuorumControl {

    private final NodeMode mode;

    public NodeQuorum(NodeMode mode) {
        this.mode = mode;
    }

    /** Whether this node may change the tree now. */
    public boolean quorate() {
        ClusterNode n = mode.node();
        return n != null ? n.quorum().quorate() : mode.outside() == null;
    }

    @Override
    public JsonNode quorumStatus() {
        return member().quorumStatus();
    }

    @Override
    public String setExpected(long votes) {
        return member().setExpected(votes);
    }

    private QuorumControl member() {
        ClusterNode n = mode.node();
        if (n == null) {
            NotInNodelistException out = mode.outside();
            throw new IpcError(Errno.EINVAL, out != null ? out.getMessage() + " - this node is not a cluster member"
                    : "this node is not part of a cluster (local mode)");
        }
        return n.quorumControl();
    }
}
