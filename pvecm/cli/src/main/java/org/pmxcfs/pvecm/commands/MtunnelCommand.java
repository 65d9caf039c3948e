package org.pmxcfs.pvecm.commands;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.pmxcfs.pvecm.Cfs;
import org.pmxcfs.pvecm.ClusterSetup;
import org.pmxcfs.pvecm.MigrationNetwork;
import org.pmxcfs.pvecm.Params;
import org.pmxcfs.pvecm.PvecmException;
import org.pmxcfs.pvecm.PvecmSubcommand;
import org.pmxcfs.pvecm.SocketCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pvecm mtunnel} (reference 4.1), the migration helper the migrating node runs here over
 * SSH: without quorum it prints {@code no quorum}; {@code --get_migration_ip} prints this node's
 * address in the migration network ({@code --migration_network}, else datacenter.cfg's
 * {@code migration: ...,network=<cidr>}) as {@code ip: '<ip>'}, or {@code no ip};
 * {@code --run-command} runs the extra arguments as a command on a TCP connection
 * ({@link SocketCommand}); otherwise it prints {@code tunnel online} and waits for a line
 * {@code quit}.
 */
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
    protected int run() throws Exception {
        Params p = new Params();
        boolean getIp = Boolean.TRUE.equals(p.bool("get_migration_ip", getMigrationIp));
        boolean command = Boolean.TRUE.equals(p.bool("run-command", runCommand));
        p.check();
        try (Cfs cfs = connect()) {
            Cfs.Paths paths = cfs.paths();
            if (!Cfs.cfsQuorate(paths.mountpoint())) {
                out().print("no quorum\n");
                return 0;
            }
            if (getIp) {
                if (command) {
                    throw new PvecmException("cannot use --run-command with --get_migration_ip");
                }
                Optional<String> ip = migrationIp(cfs);
                out().print(ip.map(a -> "ip: '" + a + "'\n").orElse("no ip\n"));
                return 0;
            }
            if (command) {
                if (extraArgs == null || extraArgs.isEmpty()) {
                    throw new PvecmException("missing command");
                }
                String ip = migrationNetwork != null
                        ? migrationIp(cfs).orElseThrow(() -> new PvecmException(
                                "failed to get migration IP address to listen on"))
                        : ClusterSetup.nodeIp(cfs, paths.nodename(), ClusterSetup.ring0Addr(cfs, paths.nodename()));
                SocketCommand.run(extraArgs, ip, out());
                return 0;
            }
        }
        out().print("tunnel online\n");
        out().flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
            // the migrating side keeps the tunnel open until it says quit
        }
        return 0;
    }

    /** The local address in the migration network, if one is configured. */
    private Optional<String> migrationIp(Cfs cfs) throws java.io.IOException {
        Optional<String> cidr = Optional.ofNullable(migrationNetwork);
        if (cidr.isEmpty()) {
            cidr = cfs.config("datacenter.cfg").flatMap(MigrationNetwork::fromDatacenterCfg);
        }
        return cidr.map(c -> MigrationNetwork.parse(c).localAddress());
    }
}
