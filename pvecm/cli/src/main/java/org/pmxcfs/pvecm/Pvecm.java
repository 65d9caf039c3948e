package org.pmxcfs.pvecm;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.IntSupplier;
import org.pmxcfs.ipc.client.IpcClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code pvecm}, the Proxmox VE cluster manager (reference section 4), talking to the Java
 * pmxcfs over its IPC socket. Subcommands are listed in {@link PvecmCommands}.
 *
 * <p>Exit codes: 0 success; 1 error (message on stderr); 2 {@code status} without quorum.
 *
 * <p>Beyond the original: {@code --run-dir DIR} (env {@code PMXCFS_RUN_DIR}, default
 * {@code /run/pve-cluster}) names the daemon's run directory; everything else (mount point,
 * authkey, node name) is asked from that daemon.
 */
@Command(name = "pvecm", description = "Proxmox VE cluster manager")
public final class Pvecm implements Callable<Integer> {

    /** Exit code of a failed command. */
    public static final int EXIT_ERROR = 1;

    @Option(names = "--run-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            defaultValue = "${env:PMXCFS_RUN_DIR:-/run/pve-cluster}",
            description = "Run directory of the pmxcfs to talk to (env PMXCFS_RUN_DIR, default ${DEFAULT-VALUE})")
    Path runDir;

    /** A configuration like a sysroot (a node image, or several test nodes on one host), listed by {@link Help}. */
    @Option(names = "--root-dir", scope = ScopeType.INHERIT, paramLabel = "DIR", hidden = true,
            defaultValue = "${env:PVECM_ROOT_DIR:-/}",
            description = "The root under which the host's /root/.ssh and /etc/ssh are (default /)")
    Path rootDir;

    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;
    private final IntSupplier euid;

    /**
     * @param out   standard output
     * @param err   standard error
     * @param clock the time (and zone) for dates and certificates
     * @param euid  the effective uid of the process ({@code keygen} needs 0)
     */
    public Pvecm(PrintStream out, PrintStream err, Clock clock, IntSupplier euid) {
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.euid = euid;
    }

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "pvecm-logback.xml");
        }
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true,
                StandardCharsets.UTF_8);
        int rc = new Pvecm(out, err, Clock.systemDefaultZone(), Pvecm::effectiveUid).execute(args);
        out.flush();
        err.flush();
        System.exit(rc);
    }

    /** Runs one command line and returns the exit code. */
    public int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The command tree with pvecm's error handling. */
    public CommandLine commandLine() {
        CommandLine cl = new CommandLine(this);
        for (Object sub : PvecmCommands.all()) {
            cl.addSubcommand(sub);
        }
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setParameterExceptionHandler(this::parameterError);
        cl.setExecutionExceptionHandler((e, line, parseResult) -> failure(e, line.getCommandSpec()));
        return cl;
    }

    /** Without a command: the command list on stderr, like the original. */
    @Override
    public Integer call() {
        err.print("ERROR: no command specified\n" + Help.commandList(spec.commandLine()));
        return EXIT_ERROR;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public Clock clock() {
        return clock;
    }

    public int euid() {
        return euid.getAsInt();
    }

    /** Where the host's {@code /root/.ssh} and {@code /etc/ssh} are: {@code /} but in tests. */
    public Path rootDir() {
        return rootDir == null ? Path.of("/") : rootDir;
    }

    public Path runDir() {
        return runDir == null ? IpcClient.DEFAULT_RUN_DIR : runDir;
    }

    /**
     * The local lock of create/add/addnode/delnode: {@code /var/lock/pvecm.lock} for the default
     * run directory, else {@code <run-dir>/pvecm.lock} (one per daemon, so several test nodes on
     * one host do not share it).
     */
    public Path lockFile() {
        Path rd = runDir();
        return rd.equals(IpcClient.DEFAULT_RUN_DIR) ? Path.of("/var/lock/pvecm.lock") : rd.resolve("pvecm.lock");
    }

    private int failure(Exception e, CommandSpec command) {
        if (e instanceof ParamException pe) {
            err.print(pe.text() + Help.shortUsage(command) + "\n");
            return EXIT_ERROR;
        }
        if (e instanceof PvecmException pe) {
            err.print(withNewline(pe.getMessage()));
            return pe.exitCode();
        }
        if (e instanceof IOException io) {
            err.print(withNewline(describe(io, euid())));
            return EXIT_ERROR;
        }
        err.print(withNewline("internal error: " + e));
        e.printStackTrace(err);
        return EXIT_ERROR;
    }

    private int parameterError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        CommandSpec command = cl.getCommandSpec();
        boolean isRoot = command.parent() == null;
        boolean isGroup = !command.subcommands().isEmpty();
        if (e instanceof CommandLine.UnmatchedArgumentException u && (isRoot || isGroup)) {
            List<String> unmatched = u.getUnmatched();
            String name = command.qualifiedName() + (unmatched.isEmpty() ? "" : " " + unmatched.get(0));
            err.print("ERROR: unknown command '" + name + "'\n" + (isRoot ? Help.commandList(cl)
                    : "USAGE: " + String.join("\n       ", Help.leaves(command).stream().map(Help::shortUsage).toList())
                    + "\n"));
            return EXIT_ERROR;
        }
        String usage = Help.shortUsage(command) + "\n";
        if (e instanceof CommandLine.UnmatchedArgumentException u) {
            String first = u.getUnmatched().isEmpty() ? "" : u.getUnmatched().get(0);
            if (first.startsWith("-")) {
                err.print("Unknown option: " + first.replaceFirst("^--?", "") + "\n400 unable to parse option\n" + usage);
            } else {
                err.print("400 too many arguments\n" + usage);
            }
            return EXIT_ERROR;
        }
        if (e instanceof CommandLine.MissingParameterException m) {
            if (m.getMissing() != null && !m.getMissing().isEmpty() && m.getMissing().get(0).isOption()) {
                String opt = ((CommandLine.Model.OptionSpec) m.getMissing().get(0)).longestName().replaceFirst("^--?", "");
                err.print("Option " + opt + " requires an argument\n400 unable to parse option\n" + usage);
            } else {
                err.print("400 not enough arguments\n" + usage);
            }
            return EXIT_ERROR;
        }
        err.print("400 unable to parse option: " + e.getMessage() + "\n" + usage);
        return EXIT_ERROR;
    }

    /**
     * An I/O error for the admin: the JDK's file errors carry only the path as their message
     * (a lock file a non-root user may not open printed as just {@code /var/lock/pvecm.lock}).
     */
    static String describe(IOException e, int euid) {
        if (!(e instanceof java.nio.file.FileSystemException f) || f.getFile() == null) {
            return e.getMessage() == null ? e.toString() : e.getMessage();
        }
        String reason = f.getReason() != null ? f.getReason()
                : e instanceof java.nio.file.AccessDeniedException ? "Permission denied"
                : e instanceof java.nio.file.NoSuchFileException ? "No such file or directory"
                : e.getClass().getSimpleName();
        String msg = "unable to use '" + f.getFile() + "' - " + reason;
        return e instanceof java.nio.file.AccessDeniedException && euid != 0 ? msg + " - pvecm must be run as root" : msg;
    }

    private static String withNewline(String s) {
        return s.endsWith("\n") ? s : s + "\n";
    }

    /** The effective uid of this process (from {@code /proc/self/status}); -1 if unknown. */
    public static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }
}
