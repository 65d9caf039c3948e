package org.pmxcfs.pvecm;

import java.util.List;
import org.pmxcfs.pvecm.commands.ApiverCommand;
import org.pmxcfs.pvecm.commands.CreateCommand;
import org.pmxcfs.pvecm.commands.ExpectedCommand;
import org.pmxcfs.pvecm.commands.HelpCommand;
import org.pmxcfs.pvecm.commands.KeygenCommand;
import org.pmxcfs.pvecm.commands.LinksCommand;
import org.pmxcfs.pvecm.commands.MtunnelCommand;
import org.pmxcfs.pvecm.commands.NodesCommand;
import org.pmxcfs.pvecm.commands.QdeviceCommand;
import org.pmxcfs.pvecm.commands.StatusCommand;
import org.pmxcfs.pvecm.commands.UpdatecertsCommand;

/**
 * <b>The one place where pvecm's subcommands are registered.</b>
 *
 * <p>To add a subcommand:
 * <ol>
 *   <li>write a class annotated with picocli's {@code @Command(name = "...", description = "...")}
 *       that extends {@link PvecmSubcommand} (which gives it the output streams, the daemon
 *       connection, the clock, the local lock and parameter checking) and implements
 *       {@link PvecmSubcommand#run()};</li>
 *   <li>add a new instance of it to {@link #all()} below.</li>
 * </ol>
 * The order of the list does not matter: {@code pvecm help} sorts by name (with {@code help}
 * last), as the original does. Nested commands (like {@code qdevice setup}) are picocli
 * subcommands of their group command.
 *
 * <p>Declare options as {@code String} fields and check them in {@code run()} with
 * {@link Params} so that mistakes are reported the original's way
 * ({@code 400 Parameter verification failed.} plus {@code <param>: <reason>}); picocli itself
 * only reports missing or unknown arguments ({@code 400 not enough arguments},
 * {@code 400 unable to parse option}). {@code --run-dir} is inherited from {@link Pvecm}.
 */
public final class PvecmCommands {

    private PvecmCommands() {
    }

    /** New instances of every top-level subcommand. */
    public static List<Object> all() {
        return List.of(
                new ApiverCommand(),
                new CreateCommand(),
                new ExpectedCommand(),
                new HelpCommand(),
                new KeygenCommand(),
                new LinksCommand(),
                new MtunnelCommand(),
                new NodesCommand(),
                new QdeviceCommand(),
                new StatusCommand(),
                new UpdatecertsCommand(),
                new org.pmxcfs.pvecm.join.AddCommand(),
                new org.pmxcfs.pvecm.join.AddnodeCommand(),
                new org.pmxcfs.pvecm.join.DelnodeCommand(),
                new org.pmxcfs.pvecm.join.JoinpasswordCommand()
        );
    }
}
