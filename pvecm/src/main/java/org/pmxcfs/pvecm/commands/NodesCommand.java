package org.pmxcfs.pvecm.commands;

import com.fasterxml.jackson.databind.JsonNode;
import org.pmxcfs.pvecm.Cfs;
import org.pmxcfs.pvecm.PvecmSubcommand;
import org.pmxcfs.pvecm.StatusFormatter;
import picocli.CommandLine.Command;

/** {@code pvecm nodes}: what {@code corosync-quorumtool -l} prints (reference 4.6). */
@Command(name = "nodes", description = "Displays the local view of the cluster nodes.")
public final class NodesCommand extends PvecmSubcommand {

    @Override
    protected int run() throws Exception {
        try (Cfs cfs = connect()) {
            requireClusterConf(cfs);
            JsonNode q;
            try {
                q = cfs.quorumStatus();
            } catch (Cfs.NotClusteredException e) {
                err().print(StatusCommand.NO_QUORUM_SERVICE + "\n");
                return 1;
            }
            out().print(StatusFormatter.nodes(q));
            return 0;
        }
    }
}
