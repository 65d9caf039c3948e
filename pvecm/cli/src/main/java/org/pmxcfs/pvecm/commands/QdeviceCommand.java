package org.pmxcfs.pvecm.commands;

import java.util.List;
import java.util.OptionalInt;
import org.pmxcfs.pvecm.Cfs;
import org.pmxcfs.pvecm.Help;
import org.pmxcfs.pvecm.Params;
import org.pmxcfs.pvecm.PvecmException;
import org.pmxcfs.pvecm.PvecmSubcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.pmxcfs.pvecm.qdevice.QdeviceConfig;
import picocli.CommandLine.Parameters;

/**
 * {@code pvecm qdevice setup|remove} (reference 4.7); the steps are in {@link QdeviceConfig}.
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

        @Option(names = "--port", paramLabel = "<integer>",
                description = "TCP port corosync-qnetd listens on, if not its default 5403 (not in the original)")
        Integer port;

        @Override
        protected int run() throws Exception {
            Params p = new Params();
            boolean forced = Boolean.TRUE.equals(p.bool("force", force));
            if (port != null && (port < 1 || port > 65535)) {
                p.error("port", "value must have a minimum value of 1 and a maximum value of 65535");
            }
            p.check();
            try (Cfs cfs = connect()) {
                requireClusterConf(cfs);
                withLocalLock(() -> {
                    new QdeviceConfig(cfs, out(), err()).setup(address,
                            port == null ? OptionalInt.empty() : OptionalInt.of(port), forced);
                    return null;
                });
            }
            return 0;
        }
    }

    /** {@code pvecm qdevice remove}. */
    @Command(name = "remove", description = "Remove a configured QDevice")
    public static final class Remove extends PvecmSubcommand {

        @Override
        protected int run() throws Exception {
            try (Cfs cfs = connect()) {
                requireClusterConf(cfs);
                withLocalLock(() -> {
                    new QdeviceConfig(cfs, out(), err()).remove();
                    return null;
                });
            }
            return 0;
        }
    }
}
