package org.pmxcfs.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real corosync-qnetd (Debian's corosync-qnetd package) for one test, listening on one
 * address and port, in the host's network namespace or a test namespace. Its NSS database is the
 * test's own: {@code corosync-qnetd-certutil} (whose directory is fixed to
 * {@code /etc/corosync/qnetd}) runs in a mount namespace of its own where the test's directory is
 * bind-mounted there, so the host's qnetd database is never touched; {@link #withItsCertutil}
 * does the same for {@code pvecm qdevice setup}, which calls the tool. {@link #close()} kills
 * the process this fixture started, and nothing else.
 */
final class Qnetd implements AutoCloseable {

    private static final String CONFIG_DIR = "/etc/corosync/qnetd";

    final String address;
    final int port;
    private final Path dir;
    private final List<String> enter;
    private Process process;

    /**
     * @param dir   directory for its database, pid file, socket and log (created)
     * @param enter the prefix that runs a command where it must listen (empty, or nsenter into a
     *              test namespace)
     */
    Qnetd(Path dir, String address, int port, List<String> enter) {
        this.dir = dir;
        this.address = address;
        this.port = port;
        this.enter = List.copyOf(enter);
        if (!Files.isDirectory(Path.of(CONFIG_DIR))) {
            throw new AssertionError("corosync-qnetd is not installed (" + CONFIG_DIR + " is missing) - run scripts/setup");
        }
        try {
            Files.createDirectories(dir.resolve("qnetd"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(withItsCertutil(List.of("corosync-qnetd-certutil", "-i")));
    }

    /** {@code cmd} run with this qnetd's directory as {@code /etc/corosync/qnetd}, in its namespace. */
    List<String> withItsCertutil(List<String> cmd) {
        List<String> out = new ArrayList<>(enter);
        out.addAll(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind \"$0\" " + CONFIG_DIR + " && exec \"$@\"", dir.resolve("qnetd").toString()));
        out.addAll(cmd);
        return out;
    }

    /** Starts corosync-qnetd in the foreground and waits (10 s) until it accepts connections. */
    Qnetd start() {
        List<String> cmd = new ArrayList<>(enter);
        cmd.addAll(List.of("corosync-qnetd", "-f", "-d", "-l", address, "-p", Integer.toString(port), "-S",
                "nss_db_dir=" + dir.resolve("qnetd/nssdb") + ",lock_file=" + dir.resolve("qnetd.pid")
                        + ",local_socket_file=" + dir.resolve("qnetd.sock")));
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("qnetd.log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Cluster.await("corosync-qnetd listening on " + address + ":" + port, 10_000, () -> {
            if (!process.isAlive()) {
                throw new AssertionError("corosync-qnetd exited: " + log());
            }
            return listening();
        });
        return this;
    }

    private boolean listening() {
        List<String> cmd = new ArrayList<>(enter);
        cmd.addAll(List.of("ss", "-Hltn", "src", address + ":" + port));
        return !run(cmd).isBlank();
    }

    /** SIGKILL: the server is gone (its clients' connections close). */
    void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    String log() {
        try {
            return Files.readString(dir.resolve("qnetd.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no qnetd log: " + e + ")";
        }
    }

    /**
     * Kills the server and keeps its log in target/cluster-logs (the test's directory goes away),
     * appended to the logs of earlier servers on this port, so a failed run's log survives reruns.
     */
    @Override
    public void close() {
        kill();
        try {
            Path dest = Path.of("target", "cluster-logs");
            Files.createDirectories(dest);
            Files.writeString(dest.resolve("qnetd-" + port + ".log"), "==== qnetd stopped " + java.time.Instant.now()
                    + "\n" + log(), java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("could not keep the qnetd log: " + e);
        }
    }

    private static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
