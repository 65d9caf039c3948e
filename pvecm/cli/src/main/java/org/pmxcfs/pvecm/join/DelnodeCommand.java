package org.pmxcfs.pvecm.join;

import org.pmxcfs.corosync.NodeEntry;
import org.pmxcfs.join.CfsLock;
import org.pmxcfs.join.DelNode;
import org.pmxcfs.join.JoinException;
import org.pmxcfs.join.MountClusterAccess;
import org.pmxcfs.pvecm.Cfs;
import org.pmxcfs.pvecm.PvecmSubcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code pvecm delnode <node>} (reference 4.5): removes a node, given by name or ring0/ring1
 * address, from the cluster's corosync.conf. The daemons apply the new nodelist at once and the
 * removed node's daemon leaves the group by itself; {@code nodes/<node>} stays, as in the
 * original.
 */
@Command(name = "delnode", description = "Removes a node from the cluster configuration.")
public final class DelnodeCommand extends PvecmSubcommand {

    @Parameters(index = "0", paramLabel = "<node>", description = "The cluster node name.")
    String nodeName;

    @Override
    protected int run() throws Exception {
        try (Cfs cfs = connect()) {
            Cfs.Paths paths = cfs.paths();
            // the original's first check, even before it looks for a cluster
            try {
                org.pmxcfs.join.DelNodeRules.checkNotSelf(nodeName, paths.nodename());
            } catch (JoinException e) {
                throw AddnodeCommand.failure(e);
            }
            requireClusterConf(cfs);
            MountClusterAccess access = AddnodeCommand.access(paths);
            withLocalLock(() -> {
                try {
                    NodeEntry removed = new DelNode(access, CfsLock.of(access, m -> err().print(m + "\n"))).run(nodeName);
                    // the original's corosync-cfgtool -k says this; here the node leaves by itself
                    out().print("Killing node " + removed.nodeid() + "\n");
                } catch (JoinException e) {
                    throw AddnodeCommand.failure(e);
                }
                return null;
            });
        }
        return 0;
    }
}
