package org.pmxcfs.pvecm.commands;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.pmxcfs.corosync.ConfItem;
import org.pmxcfs.corosync.ConfTree;
import org.pmxcfs.corosync.CorosyncConfException;
import org.pmxcfs.pvecm.Cfs;
import org.pmxcfs.pvecm.PvecmSubcommand;
import org.pmxcfs.pvecm.StatusFormatter;
import picocli.CommandLine.Command;

/**
 * {@code pvecm status} (reference 4.6): the cluster header from the tree's corosync.conf, then
 * what {@code corosync-quorumtool -siH} prints. Exit 0 quorate, 2 not quorate, 1 error.
 */
@Command(name = "status", description = "Displays the local view of the cluster status.")
public final class StatusCommand extends PvecmSubcommand {

    /** corosync-quorumtool's exit code without quorum. */
    public static final int EXIT_NOT_QUORATE = 2;
    /** What corosync-quorumtool prints when there is no quorum service (here: local mode). */
    static final String NO_QUORUM_SERVICE = "Cannot initialize QUORUM service";

    @Override
    protected int run() throws Exception {
        try (Cfs cfs = connect()) {
            byte[] conf = requireClusterConf(cfs);
            Optional<Map<String, String>> totem = totem(conf);
            out().print(StatusFormatter.clusterHeader(totem.orElse(null)));
            JsonNode q;
            try {
                q = cfs.quorumStatus();
            } catch (Cfs.NotClusteredException e) {
                err().print(NO_QUORUM_SERVICE + "\n");
                return 1;
            }
            out().print(StatusFormatter.status(q, ZonedDateTime.now(clock())));
            return q.path("quorate").asBoolean() ? 0 : EXIT_NOT_QUORATE;
        }
    }

    /**
     * The totem section's keys as pvecm reads them (the last of a repeated key wins); empty if
     * the file has no totem section. A file that does not parse is reported on stderr, and the
     * header is skipped, as pvecm does.
     */
    Optional<Map<String, String>> totem(byte[] conf) {
        ConfTree tree;
        try {
            tree = ConfTree.parse(conf);
        } catch (CorosyncConfException e) {
            err().print(e.getMessage() + "\n");
            return Optional.empty();
        }
        return totemOf(tree);
    }

    static Optional<Map<String, String>> totemOf(ConfTree tree) {
        Optional<ConfItem.Section> totem = tree.root().section("totem");
        if (totem.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> keys = new LinkedHashMap<>();
        for (ConfItem.Entry e : totem.get().entries()) {
            keys.put(e.key(), e.value());
        }
        return Optional.of(keys);
    }
}
