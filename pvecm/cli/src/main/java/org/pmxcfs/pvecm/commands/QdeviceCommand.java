package org.pmxcfs.pvecm.commands;

import java.util.List;
import org.pmxcfs.pvecm.Help;
import org.pmxcfs.pvecm.PvecmException;
import org.pmxcfs.pvecm.PvecmSubcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pvecm qdevice setup|remove} (reference 4.7): accepted on the command line, not
 * implemented ({@code not supported yet}, exit 1).
 */
@Command(name = "qdevice", description = "Manage the QDevice of the cluster.",
        subcommands = {QdeviceCommand.Setup.class, QdeviceCommand.Remove.class})
public final class QdeviceCommand extends PvecmSubcommand {

    static final String NOT_SUPPORTED = "not supported yet";

    @Override
    protected int run() {
        List<String> usages = Help.leaves(spec).stream().map(Help::shortUsage).toList();
        err().print("ERROR: no command specified\nUSAGE: " + String.join("\n       ", usages) + "\n");
        return 1;
    }

    /** {@code pvecm qdevice setup <address> [--force] [--network <CIDR>]}. */
    @Command(name = "setup", description = "Setup the use of a QDevice")
    public static final class Setup extends PvecmSubcommand {

        @Parameters(index = "0", paramLabel = "<address>",
                description = "Specifies the network address of an external corosync QDevice")
        String address;

        @Option(names = "--force", arity = "0..1", fallbackValue = "", paramLabel = "<boolean>",
                description = "Do not throw error on possible dangerous operations.")
        String force;

        @Option(names = "--network", paramLabel = "<string>",
                description = "The network which should be used to connect to the external qdevice")
        String network;

        @Override
        protected int run() {
            throw new PvecmException(NOT_SUPPORTED);
        }
    }

    /** {@code pvecm qdevice remove}. */
    @Command(name = "remove", description = "Remove a configured QDevice")
    public static final class Remove extends PvecmSubcommand {

        @Override
        protected int run() {
            throw new PvecmException(NOT_SUPPORTED);
        }
    }
}
