package org.pmxcfs.pvecm.commands;

import org.pmxcfs.pvecm.PvecmSubcommand;
import picocli.CommandLine.Command;

/** {@code pvecm apiver}: the cluster join API version this node speaks (reference 0: 1). */
@Command(name = "apiver", description = "Return the version of the cluster join API available on this node.")
public final class ApiverCommand extends PvecmSubcommand {

    /** {@code JOIN_API_VERSION} of {@code PVE::Cluster::Setup}. */
    public static final int JOIN_API_VERSION = 1;

    @Override
    protected int run() {
        out().print(JOIN_API_VERSION + "\n");
        return 0;
    }
}
