package org.pmxcfs.pvecm.commands;

import org.pmxcfs.pvecm.Cfs;
import org.pmxcfs.pvecm.Params;
import org.pmxcfs.pvecm.PvecmException;
import org.pmxcfs.pvecm.PvecmSubcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code pvecm expected <n>}: the runtime override of the expected votes
 * ({@code corosync-quorumtool -e}); a refusal prints votequorum's message and exits 1.
 */
@Command(name = "expected", description = "Tells corosync a new value of expected votes.")
public final class ExpectedCommand extends PvecmSubcommand {

    @Parameters(index = "0", paramLabel = "<expected>", description = "Expected votes")
    String expected;

    @Override
    protected int run() throws Exception {
        Params p = new Params();
        Long votes = p.integer("expected", expected, 1L, null);
        p.check();
        try (Cfs cfs = connect()) {
            requireClusterConf(cfs);
            try {
                cfs.quorumStatus();
            } catch (Cfs.NotClusteredException e) {
                throw new PvecmException(StatusCommand.NO_QUORUM_SERVICE);
            }
            String refused = cfs.setExpected(votes);
            if (refused != null) {
                throw new PvecmException(refused);
            }
            return 0;
        }
    }
}
