package org.pmxcfs.join;

import java.io.IOException;
import org.pmxcfs.corosync.NodeEntry;

/**
 * {@code pvecm delnode} (reference 4.5): not the local node, quorum, then under the cluster lock
 * find the node by name or ring0/ring1 address, log {@code deleting node <n> from cluster} and
 * write corosync.conf without it ({@code config_version + 1}). Every daemon applies the new
 * nodelist at once; the removed node's daemon leaves the group by itself (there is no
 * {@code corosync-cfgtool -k}). {@code nodes/<n>} stays, as in the original.
 */
public final class DelNode {

    private final ClusterAccess access;
    private final CfsLock lock;

    public DelNode(ClusterAccess access, CfsLock lock) {
        this.access = access;
        this.lock = lock;
    }

    /** @return the removed node */
    public NodeEntry run(String nameOrAddress) throws JoinException, IOException {
        DelNodeRules.checkNotSelf(nameOrAddress, access.nodename());
        if (!access.quorate()) {
            throw new JoinException("cluster not ready - no quorum?");
        }
        ClusterConfigFile file = new ClusterConfigFile(access.mountpoint());
        return lock.run(CfsLock.fileLockId(ClusterConfigFile.NAME), () -> {
            DelNodeRules.Plan plan = DelNodeRules.plan(file.read(), nameOrAddress, access.nodename());
            access.logCluster(AddNode.NOTICE, "deleting node " + plan.removed().name() + " from cluster");
            file.writeBumped(plan.conf());
            return plan.removed();
        });
    }
}
