package org.pmxcfs.pvecm.commands;

import com.fasterxml.jackson.databind.JsonNode;
import org.pmxcfs.pvecm.StatusFormatter;
import picocli.CommandLine.Command;

/** {@code pvecm nodes}: what {@code corosync-quorumtool -l} prints (reference 4.6). */
@Command(name = "nodes", description = "Displays the local view of the cluster nodes.")
public final class NodesCommand extends QuorumViewCommand {

    @Override
    String format(JsonNode quorumStatus) {
        return StatusFormatter.nodes(quorumStatus);
    }
}
