package org.pmxcfs.pvecm.commands;

import java.util.List;
import org.pmxcfs.pvecm.PvecmException;
import org.pmxcfs.pvecm.PvecmSubcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pvecm mtunnel} (the migration helper): accepted, not implemented ({@code not supported yet}). */
@Command(name = "mtunnel", description = "Used by VM/CT migration - do not use manually.")
public final class MtunnelCommand extends PvecmSubcommand {

    @Parameters(paramLabel = "[<extra-args>]", arity = "0..*", description = "Extra arguments as array")
    List<String> extraArgs;

    @Option(names = "--get_migration_ip", arity = "0..1", fallbackValue = "", paramLabel = "<boolean>",
            description = "return the migration IP, if configured")
    String getMigrationIp;

    @Option(names = "--migration_network", paramLabel = "<string>",
            description = "the migration network used to detect the local migration IP")
    String migrationNetwork;

    @Option(names = "--run-command", arity = "0..1", fallbackValue = "", paramLabel = "<boolean>",
            description = "Run a command with a tcp socket as standard input.")
    String runCommand;

    @Override
    protected int run() {
        throw new PvecmException(QdeviceCommand.NOT_SUPPORTED);
    }
}
