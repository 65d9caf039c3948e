package org.pmxcfs.pvecm.commands;

import com.fasterxml.jackson.databind.JsonNode;
import org.pmxcfs.pvecm.StatusFormatter;
import picocli.CommandLine.Command;

/**
 * {@code pvecm links}: the state of every link to every node, in the layout of
 * {@code corosync-cfgtool -n} (which admins of the original run next to pvecm; ours has no
 * corosync to ask).
 */
@Command(name = "links", description = "Displays the state of the cluster links to every node (as corosync-cfgtool -n).")
public final class LinksCommand extends QuorumViewCommand {

    @Override
    String format(JsonNode quorumStatus) {
        return StatusFormatter.links(quorumStatus);
    }
}
