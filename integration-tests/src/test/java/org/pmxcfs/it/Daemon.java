package org.pmxcfs.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One pmxcfs daemon under test, as a separate JVM, on directories below a test's temp dir.
 * Every wait is bounded (start 30 s, stop 10 s); a daemon that does not stop is killed and its
 * mount point lazily unmounted. Only processes this fixture started (or whose pid file it
 * owns and whose command line names its mount point) are ever signalled.
 */
final class Daemon implements AutoCloseable {

    static final String MAIN = "org.pmxcfs.daemon.Main";
    static final String NODENAME = "testnode";
    static final long START_TIMEOUT_MS = 30_000;
    static final long STOP_TIMEOUT_MS = 10_000;

    final Path base;
    final Path mnt;
    final Path data;
    final Path run;
    final Path pidFile;
    final Path daemonLog;
    private final List<String> extraArgs = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private final java.util.Map<String, String> env = new java.util.HashMap<>();
    private final List<Path> logs = new ArrayList<>();
    private Process process;          // foreground daemon (our child)
    private long daemonPid = -1;      // daemonized daemon (not our child)
    private int starts;
    private static final java.util.concurrent.atomic.AtomicInteger IDS = new java.util.concurrent.atomic.AtomicInteger();
    private final int id = IDS.incrementAndGet();

    /** Start-up outcome of a run that was expected to end by itself. */
    record Exit(int code, String output, String stderr) {}

    Daemon(Path base, String... extraArgs) {
        this(base, base.resolve("data"), extraArgs);
    }

    /** A daemon with its own mount and run dir below {@code base}, on the given data dir. */
    Daemon(Path base, Path dataDir, String... extraArgs) {
        this.base = base;
        this.mnt = base.resolve("mnt");
        this.data = dataDir;
        this.run = base.resolve("run");
        this.pidFile = run.resolve("pmxcfs.pid");
        this.daemonLog = base.resolve("daemonized.log");
        this.extraArgs.addAll(List.of(extraArgs));
    }

    /** JVM options for the next starts, e.g. a smaller heap. */
    Daemon jvm(String... options) {
        jvmOptions.addAll(List.of(options));
        return this;
    }

    Path db() {
        return data.resolve("config.db");
    }

    Path path(String rel) {
        return mnt.resolve(rel);
    }

    static String classpath() {
        String cp = System.getProperty("daemon.classpath");
        if (cp == null || cp.isBlank()) {
            throw new IllegalStateException("system property daemon.classpath is not set; run through maven"
                    + " (integration-tests/pom.xml sets it)");
        }
        return cp;
    }

    private List<String> command(boolean foreground, String... more) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.addAll(jvmOptions); // after the defaults: the last -Xmx wins
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add(MAIN);
        if (foreground) {
            cmd.add("-f");
        }
        cmd.addAll(List.of("-l", "--mountpoint", mnt.toString(), "--data-dir", data.toString(),
                "--run-dir", run.toString(), "--nodename", NODENAME));
        if (!foreground) {
            cmd.addAll(List.of("--log-file", daemonLog.toString()));
        }
        cmd.addAll(extraArgs);
        cmd.addAll(List.of(more));
        return cmd;
    }

    private Path nextLog() {
        try {
            Files.createDirectories(base);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        starts++;
        Path log = base.resolve("daemon-" + id + "-" + starts + ".log");
        logs.add(log);
        return log;
    }

    /** Sets an environment variable for the foreground runs that follow. */
    Daemon env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Starts a foreground daemon and waits until it is mounted and has written its pid file. */
    Daemon start(String... more) {
        launch(more);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("daemon exited with code " + process.exitValue()
                        + " before it was ready; output:\n" + output());
            }
            if (readPid() == process.pid() && isMounted()) {
                return this;
            }
            sleep(30);
        }
        String out = output();
        kill9();
        unmountLazy();
        throw new AssertionError("daemon not ready within " + START_TIMEOUT_MS / 1000 + " s; output:\n" + out);
    }

    /** Starts a foreground daemon and returns at once. */
    Daemon launch(String... more) {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        process = spawn(command(true, more), nextLog());
        return this;
    }

    /** Starts {@code cmd} with our environment, its output (stdout and stderr) appended to {@code log}. */
    private Process spawn(List<String> cmd, Path log) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(env);
            pb.redirectErrorStream(true);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a foreground daemon that is expected to exit by itself (a start-up failure). */
    Exit startExpectingExit(String... more) {
        return startExpectingExit(List.of(), more);
    }

    /** As {@link #startExpectingExit(String...)}, with the command prefixed by {@code wrapper}. */
    Exit startExpectingExit(List<String> wrapper, String... more) {
        Path log = nextLog();
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(command(true, more));
        Process p = spawn(cmd, log);
        if (!waitFor(p, START_TIMEOUT_MS)) {
            p.destroyForcibly();
            waitFor(p, STOP_TIMEOUT_MS);
            unmountLazy();
            throw new AssertionError("daemon expected to exit did not within " + START_TIMEOUT_MS / 1000
                    + " s; output:\n" + read(log));
        }
        String out = read(log);
        return new Exit(p.exitValue(), out, out);
    }

    /**
     * Launches without -f (daemon mode) and waits for the launcher to exit. On exit code 0 the
     * daemon's pid is taken from the pid file and tracked for clean-up.
     */
    Exit launchDaemonized(String... more) {
        Path out = nextLog();
        Path err = base.resolve("launcher-" + id + "-" + starts + ".stderr");
        logs.add(err);
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(command(false, more));
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
            pb.redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()));
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!waitFor(p, START_TIMEOUT_MS)) {
            p.destroyForcibly();
            waitFor(p, STOP_TIMEOUT_MS);
            adoptDaemonFromPidFile();
            throw new AssertionError("launcher did not exit within " + START_TIMEOUT_MS / 1000 + " s; output:\n"
                    + read(out) + read(err));
        }
        if (p.exitValue() == 0) {
            adoptDaemonFromPidFile();
        }
        return new Exit(p.exitValue(), read(out) + read(err), read(err));
    }

    private void adoptDaemonFromPidFile() {
        long pid = readPid();
        if (pid > 0 && isOurs(pid)) {
            daemonPid = pid;
        }
    }

    /** True if {@code pid} is a live pmxcfs whose command line names our mount point. */
    private boolean isOurs(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            String cmdline = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
            return cmdline.contains(MAIN) && cmdline.contains(mnt.toString());
        } catch (IOException e) {
            return false;
        }
    }

    long daemonPid() {
        return daemonPid;
    }

    boolean daemonAlive() {
        return daemonPid > 0 && !gone(daemonPid);
    }

    /** SIGTERM to the daemonized process; waits (bounded) until it is gone. Returns whether it went. */
    boolean terminateDaemonized() {
        return signalDaemonized(false);
    }

    /** SIGKILL to the daemonized process. */
    boolean killDaemonized() {
        return signalDaemonized(true);
    }

    private boolean signalDaemonized(boolean force) {
        if (daemonPid <= 0) {
            return true;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(daemonPid);
        if (h.isEmpty() || !isOurs(daemonPid)) {
            daemonPid = -1;
            return true;
        }
        if (force) {
            h.get().destroyForcibly();
        } else {
            h.get().destroy();
        }
        boolean gone = waitGone(h.get(), STOP_TIMEOUT_MS);
        if (gone) {
            daemonPid = -1;
        }
        return gone;
    }

    /**
     * Forces a full garbage collection in the foreground daemon ({@code jcmd <pid> GC.run}),
     * bounded to 20 s. Anything the daemon keeps only weakly (native callbacks!) is gone after it.
     */
    void forceGc() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!waitFor(p, 20_000)) {
                p.destroyForcibly();
                throw new AssertionError("jcmd GC.run did not finish");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("jcmd GC.run failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The foreground process, for tests that signal it themselves. */
    Process process() {
        return process;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /**
     * SIGTERM, then up to 10 s for a clean exit. Returns the exit code; if it did not exit, kills
     * it, unmounts lazily and throws.
     */
    int stop() {
        if (process == null) {
            throw new IllegalStateException("not started");
        }
        process.destroy();
        if (!waitFor(process, STOP_TIMEOUT_MS)) {
            String out = output();
            kill9();
            unmountLazy();
            throw new AssertionError("daemon did not stop within " + STOP_TIMEOUT_MS / 1000
                    + " s of SIGTERM; output:\n" + out);
        }
        return process.exitValue();
    }

    /** SIGKILL to the foreground daemon; leaves its (dead) mount in place. */
    void kill9() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            waitFor(process, STOP_TIMEOUT_MS);
        }
    }

    /** Output of the latest start (foreground: stdout+stderr; daemonized: launcher output). */
    String output() {
        return logs.isEmpty() ? "" : read(logs.get(logs.size() - 1));
    }

    /** Every log this fixture captured, for failure messages. */
    String allOutput() {
        StringBuilder sb = new StringBuilder();
        for (Path p : logs) {
            sb.append("---- ").append(p.getFileName()).append('\n').append(read(p));
        }
        if (Files.exists(daemonLog)) {
            sb.append("---- ").append(daemonLog.getFileName()).append('\n').append(read(daemonLog));
        }
        return sb.toString();
    }

    long readPid() {
        try {
            return Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    boolean isMounted() {
        return isMounted(mnt);
    }

    /**
     * True if /proc/self/mountinfo lists a mount exactly at {@code dir}, the parent's symlinks
     * resolved (the table lists real paths; a dead mount itself cannot be resolved).
     */
    static boolean isMounted(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        String target;
        try {
            target = abs.getParent().toRealPath().resolve(abs.getFileName()).toString();
        } catch (IOException parentMissing) {
            return false;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && unescape(f[4]).equals(target)) {
                    return true;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return false;
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    /** umount -l on our own mount point, bounded; loops while stacked mounts remain (at most 5). */
    void unmountLazy() {
        unmountLazy(mnt);
    }

    /** umount -l on {@code mnt}, bounded; loops while stacked mounts remain (at most 5). */
    static void unmountLazy(Path mnt) {
        for (int i = 0; i < 5 && isMounted(mnt); i++) {
            try {
                Process p = new ProcessBuilder("umount", "-l", mnt.toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!waitFor(p, STOP_TIMEOUT_MS)) {
                    p.destroyForcibly();
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Waits until the condition holds, polling every {@code stepMs}; false on time-out. */
    static boolean poll(long timeoutMs, long stepMs, java.util.function.BooleanSupplier cond) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            if (cond.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            sleep(stepMs);
        }
    }

    @Override
    public void close() {
        try {
            if (process != null && process.isAlive()) {
                process.destroy();
                if (!waitFor(process, STOP_TIMEOUT_MS)) {
                    process.destroyForcibly();
                    waitFor(process, STOP_TIMEOUT_MS);
                }
            }
            if (daemonPid > 0 && !terminateDaemonized()) {
                killDaemonized();
            }
        } finally {
            unmountLazy();
        }
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "<unreadable " + p + ": " + e + ">";
        }
    }

    private static boolean waitFor(Process p, long ms) {
        try {
            return p.waitFor(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    /** Waits until the (non-child) process is gone or a zombie; its parent reaps it, not us. */
    private static boolean waitGone(ProcessHandle h, long ms) {
        return poll(ms, 20, () -> gone(h.pid()));
    }

    /** True if {@code pid} no longer runs (no /proc entry, or a zombie waiting to be reaped). */
    static boolean gone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && stat.length() > close + 2 && stat.charAt(close + 2) == 'Z';
        } catch (IOException e) {
            return true;
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
