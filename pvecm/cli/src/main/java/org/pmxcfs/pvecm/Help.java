package org.pmxcfs.pvecm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Usage texts in the shape of PVE's CLI handler: short usage lines
 * ({@code pvecm create <clustername> [OPTIONS]}), the command list of {@code pvecm help}, and the
 * longer description of {@code pvecm help <command>}.
 */
public final class Help {

    private static final int WIDTH = 80;
    private static final String INDENT = " ".repeat(7);

    private Help() {
    }

    /**
     * The short usage of one command: {@code pvecm <name> <args>} plus {@code [OPTIONS]} when it
     * has options of its own. Positional parameters print their label
     * ({@code <clustername>}, {@code [<extra-args>]}).
     */
    public static String shortUsage(CommandSpec spec) {
        StringBuilder sb = new StringBuilder(spec.qualifiedName());
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden()) {
                sb.append(' ').append(p.paramLabel());
            }
        }
        if (!visibleOptions(spec).isEmpty()) {
            sb.append(" [OPTIONS]");
        }
        return sb.toString();
    }

    /** {@code pvecm help}: every command's short usage, sorted, {@code help} last. */
    public static String commandList(CommandLine root) {
        StringBuilder sb = new StringBuilder();
        sb.append("USAGE: ").append(root.getCommandName()).append(" <COMMAND> [ARGS] [OPTIONS]\n\n");
        List<CommandSpec> leaves = leaves(root.getCommandSpec());
        CommandSpec help = null;
        for (CommandSpec c : leaves) {
            if (c.qualifiedName().equals(root.getCommandName() + " help")) {
                help = c;
                continue;
            }
            sb.append(INDENT).append(shortUsage(c)).append('\n');
        }
        if (help != null) {
            sb.append('\n').append(INDENT).append(shortUsage(help)).append('\n');
        }
        // ours: several daemons on one host (test clusters) each have their own run directory
        sb.append("\nOPTIONS (every command):\n").append(INDENT)
                .append("--run-dir DIR   run directory of the pmxcfs to talk to (env PMXCFS_RUN_DIR,"
                        + " default /run/pve-cluster)\n").append(INDENT)
                .append("--root-dir DIR  the root under which the host's /root/.ssh and /etc/ssh are (env"
                        + " PVECM_ROOT_DIR, default /)\n");
        return sb.toString();
    }

    /** {@code pvecm help --verbose}: the long form of every command. */
    public static String allVerbose(CommandLine root) {
        StringBuilder sb = new StringBuilder();
        for (CommandSpec c : leaves(root.getCommandSpec())) {
            sb.append(verbose(c)).append('\n');
        }
        return sb.toString();
    }

    /** The commands below {@code spec} that do something (groups like {@code qdevice} are expanded), sorted. */
    public static List<CommandSpec> leaves(CommandSpec spec) {
        List<CommandSpec> result = new ArrayList<>();
        for (CommandLine sub : spec.subcommands().values()) {
            CommandSpec s = sub.getCommandSpec();
            if (result.stream().anyMatch(r -> r == s) || s.usageMessage().hidden()) {
                continue;
            }
            if (s.subcommands().isEmpty()) {
                result.add(s);
            } else {
                result.addAll(leaves(s));
            }
        }
        result.sort(Comparator.comparing(CommandSpec::qualifiedName));
        return result;
    }

    /** The long help of one command: usage line, description, arguments and options. */
    public static String verbose(CommandSpec spec) {
        StringBuilder sb = new StringBuilder();
        sb.append("USAGE: ").append(shortUsage(spec)).append("\n\n");
        String description = String.join(" ", spec.usageMessage().description());
        if (!description.isBlank()) {
            wrap(sb, description, "  ");
            sb.append('\n');
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.hidden()) {
                continue;
            }
            sb.append("  ").append(p.paramLabel()).append(":\n");
            wrap(sb, String.join(" ", p.description()), " ".repeat(13));
            sb.append('\n');
        }
        for (OptionSpec o : visibleOptions(spec)) {
            String name = o.longestName();
            if (name.equals("--link0")) {
                name = "--link[n]"; // --link1..7 are hidden copies, as PVE documents them once
            }
            sb.append("  ").append(name);
            if (!o.paramLabel().isEmpty() && o.arity().max() > 0) {
                sb.append(' ').append(o.paramLabel());
            }
            sb.append('\n');
            wrap(sb, String.join(" ", o.description()), " ".repeat(13));
            sb.append('\n');
        }
        return sb.toString();
    }

    private static List<OptionSpec> visibleOptions(CommandSpec spec) {
        List<OptionSpec> result = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (!o.hidden() && !o.inherited() && !o.usageHelp() && !o.versionHelp()) {
                result.add(o);
            }
        }
        result.sort(Comparator.comparing(OptionSpec::longestName));
        return result;
    }

    private static void wrap(StringBuilder sb, String text, String indent) {
        StringBuilder line = new StringBuilder(indent);
        boolean empty = true;
        for (String word : text.split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            if (!empty && line.length() + 1 + word.length() > WIDTH) {
                sb.append(line).append('\n');
                line = new StringBuilder(indent);
                empty = true;
            }
            if (!empty) {
                line.append(' ');
            }
            line.append(word);
            empty = false;
        }
        if (!empty) {
            sb.append(line).append('\n');
        }
    }
}
