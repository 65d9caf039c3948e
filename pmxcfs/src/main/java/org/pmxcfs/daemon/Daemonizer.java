package org.pmxcfs.daemon;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Daemon mode without fork(2): start the same JVM command again in the foreground, in a new
 * session (setsid), stdin from /dev/null and output appended to the log file; return once the
 * child has mounted (its pid file names it) or report why it died. Started by systemd
 * ({@code Type=forking}), the child keeps the journal as its output instead of the log file.
 */
final class Daemonizer {

    static final String CHILD_ENV = "PMXCFS_DAEMON_CHILD";
    private static final long START_TIMEOUT_MILLIS = 60_000;

    private Daemonizer() {}

    static int spawn(Options o, String[] args) {
        boolean journal = JournalStream.isStderr();
        try {
            long logStart = 0;
            if (!journal) {
                Files.createDirectories(o.logFile.toAbsolutePath().getParent());
                logStart = Files.exists(o.logFile) ? Files.size(o.logFile) : 0;
            }
            List<String> cmd = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
                cmd.add("/usr/bin/setsid");
            }
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(Main.class.getName());
            cmd.add("--foreground");
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put(CHILD_ENV, "1");
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (journal) {
                pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
                pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            } else {
                pb.redirectOutput(ProcessBuilder.Redirect.appendTo(o.logFile.toFile()));
                pb.redirectErrorStream(true);
            }
            Process child = pb.start();
            Path pidFile = o.pidFile();
            long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
            while (System.currentTimeMillis() < deadline) {
                if (!child.isAlive()) {
                    if (journal) {
                        System.err.println("pmxcfs failed to start (exit code " + child.exitValue()
                                + ") - its messages are above (journalctl -u pve-cluster)");
                    } else {
                        System.err.println("pmxcfs failed to start (exit code " + child.exitValue() + "):");
                        System.err.print(tail(o.logFile, logStart));
                    }
                    return 255;
                }
                if (PidFile.read(pidFile) == child.pid()) {
                    return 0;
                }
                Thread.sleep(20);
            }
            System.err.println("pmxcfs did not become ready within " + START_TIMEOUT_MILLIS / 1000 + " s - see "
                    + (journal ? "journalctl -u pve-cluster" : o.logFile));
            child.destroy();
            return 255;
        } catch (IOException e) {
            System.err.println("unable to start pmxcfs: " + e.getMessage());
            return 255;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 255;
        }
    }

    private static String tail(Path log, long from) throws IOException {
        byte[] all = Files.readAllBytes(log);
        int start = (int) Math.min(from, all.length);
        return new String(all, start, all.length - start, StandardCharsets.UTF_8);
    }
}
