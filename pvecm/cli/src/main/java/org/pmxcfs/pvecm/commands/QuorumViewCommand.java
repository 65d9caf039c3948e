package org.pmxcfs.pvecm.commands;

import com.fasterxml.jackson.databind.JsonNode;
import org.pmxcfs.pvecm.Cfs;
import org.pmxcfs.pvecm.PvecmSubcommand;

/**
 * A command that prints one view of the daemon's quorum status ({@code nodes}, {@code links}):
 * refused outside a cluster, and with corosync-quorumtool's message in local mode.
 */
abstract class QuorumViewCommand extends PvecmSubcommand {

    /** The text of this view. */
    abstract String format(JsonNode quorumStatus);

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
            out().print(format(q));
            return 0;
        }
    }
}
