package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * systemd's view (Type=forking, PIDFile=): the launcher exits 0 once the mount is ready and the
 * pid file names the daemon; SIGTERM unmounts and removes the pid file; after a kill -9 the next
 * start clears the dead mount.
 */
class DaemonModeTest extends MountTestBase {

    @Test
    void launcherReturnsWhenReadyAndSigtermUnmounts() {
        Daemon d = daemon();
        Daemon.Exit e = d.launchDaemonized();
        assertEquals(0, e.code(), "launcher exit code; output:\n" + e.output() + d.allOutput());
        // ready when the launcher returns: no waiting here
        assertTrue(d.isMounted(), "mounted when the launcher exits");
        long pid = d.readPid();
        assertTrue(pid > 0, "pid file written: " + d.pidFile);
        assertEquals(pid, d.daemonPid(), "pid file names a running pmxcfs on our mount point");
        assertTrue(d.daemonAlive(), "daemon process alive");
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                uncheckedPerms(d.pidFile)), "pid file mode 0644");
        assertEquals("0\n", readString(d.path(".debug")), "mount serves requests");
        put(d.path("kept.cfg"), "kept\n");

        assertTrue(d.terminateDaemonized(), "daemon gone within 10 s of SIGTERM; log:\n" + d.allOutput());
        assertFalse(d.isMounted(), "mountinfo no longer lists the mount after SIGTERM");
        assertFalse(Files.exists(d.pidFile), "pid file removed on exit");
        String log = Daemon.read(d.daemonLog);
        assertTrue(log.contains("notice: "), "daemon log written to --log-file:\n" + log);

        // kill -9 leaves a dead mount; the next start clears it and mounts again
        Daemon.Exit e2 = d.launchDaemonized();
        assertEquals(0, e2.code(), "second launch; output:\n" + e2.output() + d.allOutput());
        assertEquals("kept\n", readString(d.path("kept.cfg")));
        assertTrue(d.killDaemonized(), "daemon gone after SIGKILL");
        assertTrue(d.isMounted(), "kill -9 leaves the mount in mountinfo");
        Sys.assertDeadMount(Sys.lstatErrno(d.path("probe-" + System.nanoTime())));

        Daemon.Exit e3 = d.launchDaemonized();
        assertEquals(0, e3.code(), "launch over a dead mount; output:\n" + e3.output() + d.allOutput());
        assertEquals("kept\n", readString(d.path("kept.cfg")), "served again after clearing the dead mount");
        assertTrue(d.terminateDaemonized(), "stop");
        assertFalse(d.isMounted());
    }

    @Test
    void launcherReportsStartUpFailures() throws Exception {
        Daemon d = daemon();
        Files.createDirectories(d.data);
        Files.write(d.db(), pattern(7, 8192));
        Daemon.Exit e = d.launchDaemonized();
        assertNotEquals(0, e.code(), "launcher exit code with a corrupt DB");
        assertTrue(e.stderr().contains("crit: "), "launcher stderr carries the error:\n" + e.stderr());
        assertFalse(d.isMounted());
        assertFalse(Files.exists(d.pidFile), "no pid file");
    }

    @Test
    void foregroundSigtermExitsCleanly() {
        Daemon d = started();
        put(d.path("a.cfg"), "a\n");
        assertEquals(0, d.stop(), "exit code after SIGTERM");
        assertFalse(d.isMounted(), "unmounted");
        assertFalse(Files.exists(d.pidFile), "pid file removed");
        assertTrue(d.output().contains("[main] notice: "), "log lines in '[main] notice:' form:\n" + d.output());
    }

    /**
     * SIGTERM at any moment of start-up stops the daemon cleanly: exit 0 (or the JVM's own 143 if
     * the signal came before the daemon's code ran), no mount left, no pid file, the database
     * closed (its WAL file checkpointed away); and the next start works. Half of the runs spread
     * the signal over the start-up time, half aim at the moment the mount appears.
     */
    @Test
    void sigtermDuringStartUpLeavesNothingBehind() throws Exception {
        Daemon d = daemon();
        long t0 = System.nanoTime();
        d.start();
        long startUpMs = (System.nanoTime() - t0) / 1_000_000;
        put(d.path("kept.cfg"), "kept\n");
        assertEquals(0, d.stop());
        java.util.Random random = new java.util.Random();
        int runs = 12;
        for (int run = 0; run < runs; run++) {
            long t = System.nanoTime();
            d.launch();
            long delayMs;
            if (run % 2 == 0) {
                delayMs = startUpMs * run / runs + random.nextInt(50);
                Daemon.sleep(delayMs);
            } else {
                Daemon.poll(Daemon.START_TIMEOUT_MS, 1, () -> d.isMounted() || !d.alive());
                delayMs = (System.nanoTime() - t) / 1_000_000;
                Daemon.sleep(random.nextInt(100));
            }
            d.process().destroy();
            String what = "SIGTERM " + delayMs + " ms into a start-up of about " + startUpMs + " ms";
            assertTrue(d.process().waitFor(Daemon.STOP_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS),
                    what + ": process still running");
            int rc = d.process().exitValue();
            String out = d.output();
            assertTrue(rc == 0 || rc == 143 && !out.contains("[main]"), what + ": exit code " + rc + "\n" + out);
            assertFalse(d.isMounted(), what + ": mount left behind\n" + out);
            assertFalse(Files.exists(d.pidFile), what + ": pid file left behind");
            assertFalse(Files.exists(Path.of(d.db() + "-wal")), what + ": database not closed\n" + out);
        }
        d.start();
        assertEquals("kept\n", readString(d.path("kept.cfg")), "a normal start afterwards");
    }

    static java.util.Set<java.nio.file.attribute.PosixFilePermission> uncheckedPerms(Path p) {
        try {
            return Files.getPosixFilePermissions(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
