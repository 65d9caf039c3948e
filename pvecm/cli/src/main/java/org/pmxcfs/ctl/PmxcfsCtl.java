package org.pmxcfs.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.pmxcfs.ipc.client.IpcClient;
import org.pmxcfs.ipc.client.IpcException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code pmxcfs-ctl}, the operator's tool beside pvecm (not in the original): {@code watch}
 * prints changes under a path as they happen, {@code locks} lists the cluster locks, and
 * {@code unlock} releases a stale one. Talks to the daemon over its IPC socket.
 *
 * <p>Exit codes: 0 success; 1 error (message on stderr, with the daemon's errno).
 */
@Command(name = "pmxcfs-ctl", description = "Operator's tool for pmxcfs: watch changes, list and release locks.",
        mixinStandardHelpOptions = true, subcommands = {WatchCommand.class, LocksCommand.class, UnlockCommand.class})
public final class PmxcfsCtl implements Runnable {

    /** Exit code of a failed command. */
    static final int EXIT_ERROR = 1;

    @Option(names = "--run-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            defaultValue = "${env:PMXCFS_RUN_DIR:-/run/pve-cluster}",
            description = "Run directory of the pmxcfs to talk to (env PMXCFS_RUN_DIR, default ${DEFAULT-VALUE})")
    Path runDir;

    final PrintStream out;
    final PrintStream err;

    /** A tool writing to {@code out} and {@code err}. */
    public PmxcfsCtl(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // pvecm's logging configuration: library messages only from warnings on, to stderr
        System.setProperty("logback.configurationFile", System.getProperty("logback.configurationFile",
                "pvecm-logback.xml"));
        System.exit(new PmxcfsCtl(utf8(FileDescriptor.out), utf8(FileDescriptor.err)).execute(args));
    }

    private static PrintStream utf8(FileDescriptor fd) {
        return new PrintStream(new FileOutputStream(fd), true, StandardCharsets.UTF_8);
    }

    /** Runs one command line and returns the exit code. */
    public int execute(String... args) {
        CommandLine cl = new CommandLine(this);
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, line, parse) -> {
            err.println(e instanceof IpcException ie ? "error: " + ie.getMessage() + " (" + ie.errno() + ")"
                    : e instanceof IOException ? "error: " + e.getMessage() : "internal error: " + e);
            return EXIT_ERROR;
        });
        return cl.execute(args);
    }

    /** Without a command: the usage. */
    @Override
    public void run() {
        new CommandLine(this).usage(err);
    }

    /** One call to the daemon on a fresh connection; the result, or the daemon's error thrown. */
    JsonNode call(String op, Map<String, ?> args) throws IOException {
        try (IpcClient c = IpcClient.connect(runDir, Duration.ofSeconds(30))) {
            return c.call(op, args).resultOrThrow();
        }
    }

    /** A connection for several calls (watch). */
    IpcClient connect() throws IOException {
        return IpcClient.connect(runDir, Duration.ofSeconds(30));
    }
}
