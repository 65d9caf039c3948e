package org.pmxcfs.pvecm.commands;

import java.util.List;
import org.pmxcfs.pvecm.Help;
import org.pmxcfs.pvecm.Params;
import org.pmxcfs.pvecm.PvecmException;
import org.pmxcfs.pvecm.PvecmSubcommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pvecm help [<command>] [--verbose]}: without a command the list of short usages
 * ({@code --verbose}: every command in full); with one, its full help ({@code --verbose 0}: its
 * usage line only).
 */
@Command(name = "help", description = "Get help about specified command.")
public final class HelpCommand extends PvecmSubcommand {

    @Parameters(paramLabel = "[<extra-args>]", arity = "0..*", description = "Shows help for a specific command")
    List<String> command;

    @Option(names = "--verbose", arity = "0..1", fallbackValue = "", paramLabel = "<boolean>",
            description = "Verbose output format.")
    String verbose;

    @Override
    protected int run() {
        Params p = new Params();
        Boolean v = p.bool("verbose", verbose);
        p.check();
        CommandLine root = spec.root().commandLine();
        if (command == null || command.isEmpty()) {
            out().print(Boolean.TRUE.equals(v) ? Help.allVerbose(root) : Help.commandList(root));
            return 0;
        }
        CommandSpec target = root.getCommandSpec();
        for (String word : command) {
            CommandLine sub = target.subcommands().get(word);
            if (sub == null) {
                throw new PvecmException("no such command '" + String.join(" ", command) + "'");
            }
            target = sub.getCommandSpec();
        }
        boolean full = v == null || v;
        List<CommandSpec> targets = target.subcommands().isEmpty() ? List.of(target) : Help.leaves(target);
        StringBuilder sb = new StringBuilder();
        for (CommandSpec t : targets) {
            sb.append(full ? Help.verbose(t) : "USAGE: " + Help.shortUsage(t) + "\n");
        }
        out().print(sb);
        return 0;
    }
}
