package org.pmxcfs.pvecm.commands;

import com.fasterxml.jackson.databind.JsonNode;
import org.pmxcfs.pvecm.Cfs;
import org.pmxcfs.pvecm.PvecmSubcommand;
import org.pmxcfs.pvecm.StatusFormatter;
import picocli.CommandLine.Command;

/**
 * {@code pvecm links}: the state of every link to every node, in the layout of
 * {@code corosync-cfgtool -n} (which admins of the original run next to pvecm; ours has no
 * corosync to ask).
 */
@Command(name = "links", description = "Displays the state of the cluster links to every node (as corosync-cfgtool -n).")
public final class LinksCommand extends PvecmSubcommand {

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
            out().print(StatusFormatter.links(q));
            return 0;
        }
    }
}
