package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package built by {@code scripts/package}, as an admin meets it: its contents, its
 * systemd unit, and install, start through its own launcher and unit settings, stop, upgrade,
 * remove and purge in a {@link ThrowawayRoot} (a copy-on-write copy of this machine, whose Java
 * and FUSE packages satisfy the package's dependencies as on a fresh Debian).
 */
class PackageTest {

    static final String UNIT = "/lib/systemd/system/pve-cluster.service";
    static final String DB = "/var/lib/pve-cluster/config.db";

    @TempDir
    static Path build;
    static Path deb;

    @TempDir
    Path tmp;
    private ThrowawayRoot root;

    @BeforeAll
    static void buildPackage() throws Exception {
        Path script = Path.of(System.getProperty("repo.root"), "scripts", "package").toAbsolutePath().normalize();
        Command.Result r = exec(List.of(script.toString(), "--no-build", "--out", build.toString()));
        assertEquals(0, r.code(), "scripts/package:\n" + r.out());
        String[] lines = r.out().strip().split("\n");
        deb = Path.of(lines[lines.length - 1]);
        assertTrue(Files.isRegularFile(deb), "scripts/package names the .deb it built: " + r.out());
    }

    @AfterEach
    void stopWhatRuns() throws IOException {
        if (root == null) {
            return;
        }
        long pid = daemonPid();
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(h -> {
                h.destroy();
                if (!Daemon.poll(10_000, 50, () -> Daemon.gone(pid))) {
                    h.destroyForcibly();
                }
            });
        }
        root.close();
    }

    @Test
    void packageHoldsProgramsJarsAndUnitAndDeclaresWhatItNeeds() throws Exception {
        Map<String, String> entries = new HashMap<>();
        for (String l : exec(List.of("dpkg-deb", "-c", deb.toString())).out().split("\n")) {
            String[] f = l.trim().split("\\s+");
            if (f.length >= 6) {
                assertEquals("root/root", f[1], "owner of " + f[5]);
                entries.put(f[5], f[0]);
            }
        }
        assertEquals("-rwxr-xr-x", entries.get("./usr/bin/pmxcfs"), "pmxcfs on PATH");
        assertEquals("-rwxr-xr-x", entries.get("./usr/bin/pvecm"), "pvecm on PATH");
        assertEquals("-rwxr-xr-x", entries.get("./usr/bin/pmxcfs-ctl"), "pmxcfs-ctl on PATH");
        assertEquals("-rw-r--r--", entries.get("." + UNIT));
        assertEquals("-rw-r--r--", entries.get("./usr/share/pmxcfs-java/pmxcfs.classpath"));
        assertTrue(entries.keySet().stream().anyMatch(p -> p.matches("\\./usr/share/pmxcfs-java/lib/pmxcfs-.*\\.jar")),
                "the daemon's jar under /usr/share: " + entries.keySet());
        assertTrue(entries.keySet().stream().anyMatch(p -> p.matches("\\./usr/share/pmxcfs-java/lib/jnr-ffi-.*\\.jar")),
                "its dependencies beside it");
        assertTrue(entries.containsKey("./var/lib/pve-cluster/"), "the data directory belongs to the package");
        assertFalse(entries.keySet().stream().anyMatch(p -> p.contains("config.db")),
                "no database in the package: dpkg would delete it on removal");

        String depends = exec(List.of("dpkg-deb", "-f", deb.toString(), "Depends")).out();
        for (String need : List.of("java17-runtime-headless", "fuse3")) {
            assertTrue(depends.contains(need), "Depends names " + need + ": " + depends);
        }
        assertEquals("pve-cluster", exec(List.of("dpkg-deb", "-f", deb.toString(), "Conflicts")).out().strip());
    }

    @Test
    void installedServiceRunsThroughItsLauncherAndKeepsTheDatabaseUntilPurge() throws Exception {
        root = ThrowawayRoot.create(tmp);
        Files.copy(deb, root.path("/tmp/pmxcfs-java.deb"));
        // a fresh Debian has no corosync.conf (this machine has corosync for its config checker)
        ok("rm -f /etc/corosync/corosync.conf && dpkg -i /tmp/pmxcfs-java.deb");
        assertTrue(Files.isSymbolicLink(root.path("/etc/systemd/system/multi-user.target.wants/pve-cluster.service")),
                "the install enables the service");
        Command.Result verify = root.run("systemd-analyze verify " + UNIT);
        assertEquals(0, verify.code(), verify.out());
        assertFalse(verify.out().contains("pve-cluster.service"), "systemd finds nothing to say about the unit:\n" + verify.out());

        Map<String, String> unit = unitSettings();
        assertEquals("forking", unit.get("Type"));
        start(unit);
        ok("echo 'keep: 1' > /etc/pve/keep.cfg");
        Command.Result pvecm = root.run("pvecm status");
        assertTrue(pvecm.out().contains("is this node part of a cluster?"), "pvecm runs through its launcher:\n" + pvecm.out());
        ok("mkdir -p /etc/pve/priv/lock/pkg-test");
        Command.Result locks = root.run("pmxcfs-ctl locks");
        assertTrue(locks.out().contains("pkg-test"), "pmxcfs-ctl runs through its launcher:\n" + locks.out());
        stop();
        String journal = Files.readString(root.path("/tmp/journal"));
        assertTrue(journal.contains("<5>[main] notice: mounted '/etc/pve'"), "journal lines with priority:\n" + journal);
        assertTrue(journal.contains("<5>[main] notice: exit proxmox configuration filesystem (0)"), journal);
        byte[] db = Files.readAllBytes(root.path(DB));

        ok("dpkg -i /tmp/pmxcfs-java.deb");
        assertArrayEquals(db, Files.readAllBytes(root.path(DB)), "an upgrade keeps config.db");
        start(unit);
        assertEquals("keep: 1\n", Files.readString(root.path("/etc/pve/keep.cfg")), "the upgraded service serves the kept tree");
        stop();
        db = Files.readAllBytes(root.path(DB));

        ok("dpkg -r pmxcfs-java");
        assertFalse(Files.exists(root.path("/usr/bin/pmxcfs")), "removed");
        assertArrayEquals(db, Files.readAllBytes(root.path(DB)), "a removal keeps config.db");

        ok("dpkg -i /tmp/pmxcfs-java.deb && dpkg -P pmxcfs-java");
        assertFalse(Files.exists(root.path("/var/lib/pve-cluster")), "a purge deletes config.db and its directory");
        assertFalse(Files.exists(root.path("/etc/systemd/system/multi-user.target.wants/pve-cluster.service")),
                "a purge drops the enablement");
    }

    /** ExecStart as systemd would: stdout and stderr are the journal stream, named by JOURNAL_STREAM. */
    private void start(Map<String, String> unit) throws Exception {
        Command.Result r = root.run("exec >>/tmp/journal 2>&1; JOURNAL_STREAM=$(stat -c %d:%i /tmp/journal);"
                + " export JOURNAL_STREAM; exec " + unit.get("ExecStart"));
        assertEquals(0, r.code(), "ExecStart failed: " + Files.readString(root.path("/tmp/journal")));
        // Type=forking: once ExecStart returns, the mount is up and PIDFile names the daemon
        assertEquals("/run/pve-cluster.pid", unit.get("PIDFile"));
        long pid = daemonPid();
        assertTrue(pid > 0 && !Daemon.gone(pid), "PIDFile names a running daemon");
        assertTrue(root.isMounted("/etc/pve"), "mounted when ExecStart returns");
        assertTrue(Files.readString(root.path("/etc/pve/.version")).contains("\"starttime\""));
    }

    /** What systemd does on stop with KillMode=mixed: SIGTERM to the main process, then wait. */
    private void stop() throws Exception {
        long pid = daemonPid();
        ProcessHandle.of(pid).orElseThrow().destroy();
        assertTrue(Daemon.poll(20_000, 50, () -> Daemon.gone(pid)), "the daemon stops within TimeoutStopSec");
        assertFalse(root.isMounted("/etc/pve"), "a clean stop unmounts");
        assertFalse(Files.exists(root.path("/run/pve-cluster.pid")), "and removes its pid file");
    }

    private long daemonPid() throws IOException {
        Path pidFile = root.path("/run/pve-cluster.pid");
        return Files.exists(pidFile) ? Long.parseLong(Files.readString(pidFile).trim()) : -1;
    }

    private Map<String, String> unitSettings() throws IOException {
        Map<String, String> s = new HashMap<>();
        for (String l : Files.readAllLines(root.path(UNIT))) {
            int eq = l.indexOf('=');
            if (eq > 0 && !l.startsWith("#")) {
                s.put(l.substring(0, eq), l.substring(eq + 1));
            }
        }
        return s;
    }

    private void ok(String script) throws Exception {
        Command.Result r = root.run(script);
        assertEquals(0, r.code(), script + ":\n" + r.out());
    }

    static Command.Result exec(List<String> cmd) throws Exception {
        return Command.run(cmd, ThrowawayRoot.COMMAND_TIMEOUT_MS);
    }
}
