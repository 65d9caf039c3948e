package org.pmxcfs.it;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One pmxcfs daemon of a multi-node fixture ({@link Cluster}, {@link PvecmNodes}): a foreground
 * JVM whose output is copied, time-stamped, to {@code base/log} (every start appends), with its
 * mount at {@code base/mnt} and pid file at {@code base/pid}. Every wait is bounded; only the
 * process this object started is ever signalled, and a JVM exit kills whatever is still alive.
 *
 * @param <N> the concrete node type, returned by the chaining methods
 */
abstract class DaemonNode<N extends DaemonNode<N>> {

    static final long START_TIMEOUT_MS = 30_000;
    static final long STOP_TIMEOUT_MS = 10_000;

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        // a test JVM that dies (or is interrupted) must not leave daemons behind
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "daemon-reaper"));
    }

    final String name;
    final Path base;
    final Path mnt;
    final Path pidFile;
    final Path log;
    private Process process;
    private int starts;

    DaemonNode(String name, Path base) {
        this.name = name;
        this.base = base;
        this.mnt = base.resolve("mnt");
        this.pidFile = base.resolve("pid");
        this.log = base.resolve("log");
    }

    /** The daemon's command line for one start, {@code extra} appended. */
    abstract List<String> command(String... extra);

    /** The working directory of the daemon (outside every mount). */
    abstract Path workDir();

    @SuppressWarnings("unchecked")
    private N self() {
        return (N) this;
    }

    Path path(String rel) {
        return mnt.resolve(rel);
    }

    /** Starts the daemon and returns without waiting. */
    N launch(String... extra) {
        if (alive()) {
            throw new IllegalStateException(name + " is already running");
        }
        starts++;
        try {
            Files.createDirectories(base);
            Files.writeString(log, LocalTime.now() + " ==== start " + starts + " " + String.join(" ", extra) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(command(extra));
            pb.redirectErrorStream(true);
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.directory(workDir().toFile());
            Process started = pb.start();
            process = started;
            LIVE.add(started);
            started.onExit().thenRun(() -> LIVE.remove(started));
            pump(started.getInputStream(), log, "log-" + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return self();
    }

    /** Waits until the latest launch wrote its pid file and is mounted (a dead old mount does not count). */
    N awaitMounted() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with code " + process.exitValue()
                        + " before it was ready; output:\n" + output());
            }
            if (readPid() == process.pid() && Daemon.isMounted(mnt) && Files.isDirectory(mnt)) {
                return self();
            }
            Daemon.sleep(30);
        }
        throw new AssertionError(name + " not mounted within " + START_TIMEOUT_MS / 1000 + " s; output:\n" + output());
    }

    /** launch + awaitMounted. */
    N start(String... extra) {
        return launch(extra).awaitMounted();
    }

    long readPid() {
        try {
            return Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGTERM and wait (10 s) for a clean exit; returns the exit code. Fails if it does not stop. */
    int stop() {
        signalTerm();
        if (!waitFor(STOP_TIMEOUT_MS)) {
            process.destroyForcibly();
            waitFor(STOP_TIMEOUT_MS);
            unmountLazy();
            throw new AssertionError(name + " did not stop within 10 s of SIGTERM; output:\n" + output());
        }
        return process.exitValue();
    }

    /** SIGKILL (Process.destroyForcibly) and wait until it is gone; the dead mount stays. */
    void kill9() {
        if (alive()) {
            process.destroyForcibly();
            if (!waitFor(STOP_TIMEOUT_MS)) {
                throw new AssertionError(name + " survived SIGKILL for 10 s");
            }
        }
    }

    void signalTerm() {
        if (alive()) {
            process.destroy();
        }
    }

    /** Waits for a SIGTERMed process; kills it after 10 s. */
    void reap() {
        if (alive() && !waitFor(STOP_TIMEOUT_MS)) {
            process.destroyForcibly();
            waitFor(STOP_TIMEOUT_MS);
        }
    }

    private boolean waitFor(long ms) {
        try {
            return process.waitFor(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** umount -l of this node's mount point while anything is mounted there (at most 5 times). */
    void unmountLazy() {
        Daemon.unmountLazy(mnt);
    }

    /** The daemon's output (all starts). */
    String output() {
        return Daemon.read(log);
    }

    /** How many dcdb membership changes the daemon has logged so far (all starts). */
    long membershipChanges() {
        return output().lines().filter(l -> l.contains("[dcdb] notice: members:")).count();
    }

    /** The output of the latest start only. */
    String lastOutput() {
        String all = output();
        int i = all.lastIndexOf("==== start ");
        return i < 0 ? all : all.substring(i);
    }

    @Override
    public String toString() {
        return name;
    }

    /** java + the options every fixture JVM gets + the classpath snapshot + {@code main}. */
    static List<String> java(String main) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(classpathSnapshot());
        cmd.add(main);
        return cmd;
    }

    private static String snapshot;

    /**
     * The daemon classpath (pvecm included), its jars copied once per test JVM to a private
     * directory: a {@code mvn install} running elsewhere rewrites the jars in ~/.m2 in place, and
     * a JVM that loads a class lazily from a half-rewritten jar dies with NoClassDefFoundError.
     */
    static synchronized String classpathSnapshot() {
        if (snapshot == null) {
            try {
                Path dir = Files.createTempDirectory("pmxcfs-it-cp-");
                dir.toFile().deleteOnExit(); // deleted last: files registered later go first
                List<String> out = new ArrayList<>();
                int i = 0;
                for (String entry : Daemon.classpath().split(File.pathSeparator)) {
                    Path p = Path.of(entry);
                    if (Files.isRegularFile(p)) {
                        Path copy = dir.resolve((i++) + "-" + p.getFileName());
                        Files.copy(p, copy);
                        copy.toFile().deleteOnExit();
                        out.add(copy.toString());
                    } else {
                        out.add(entry);
                    }
                }
                snapshot = String.join(File.pathSeparator, out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return snapshot;
    }

    /** Copies a daemon's output to {@code log} with a time stamp per line, until it closes. */
    private static void pump(InputStream in, Path log, String threadName) {
        Thread t = new Thread(() -> {
            DateTimeFormatter f = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT);
            try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
                 java.io.Writer w = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                         StandardOpenOption.APPEND)) {
                String line;
                while ((line = r.readLine()) != null) {
                    w.write(LocalTime.now().format(f) + " " + line + "\n");
                    w.flush();
                }
            } catch (IOException e) {
                // the process is gone; nothing more to copy
            }
        }, threadName);
        t.setDaemon(true);
        t.start();
    }
}
