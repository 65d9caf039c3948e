package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/cluster} as an admin runs it. Its daemons are daemonized (not our children):
 * clean-up finds them by their pid files and only signals a process whose command line names
 * that pid file.
 */
class ClusterScriptTest {

    /** ClusterTestBase's scheme (16000 + 10 * class index), index 6: no other class on loopback uses it. */
    static final int BASE_PORT = 16060;
    static final long SCRIPT_TIMEOUT_MS = 120_000;

    @TempDir
    Path tmp;

    private Path dir;

    static Path script() {
        return Path.of(System.getProperty("repo.root"), "scripts", "cluster").toAbsolutePath().normalize();
    }

    /** Runs scripts/cluster with {@code args}; returns its exit code, its output in {@code out}. */
    static int cluster(List<String> args, StringBuilder out) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(script().toString()));
        cmd.addAll(args);
        Command.Result r = Command.run(cmd, SCRIPT_TIMEOUT_MS);
        out.append(r.out());
        return r.code();
    }

    Path node(int k) {
        return dir.resolve("node" + k);
    }

    @Test
    void downAfterKill9LeavesNoMount() throws Exception {
        dir = tmp.resolve("c");
        StringBuilder out = new StringBuilder();
        assertEquals(0, cluster(List.of("up", "2", dir.toString(), "--base-port", Integer.toString(BASE_PORT)), out),
                "cluster up:\n" + out);
        long pid1 = Long.parseLong(Files.readString(node(1).resolve("pid")).trim());
        long pid2 = Long.parseLong(Files.readString(node(2).resolve("pid")).trim());
        ProcessHandle.of(pid1).orElseThrow().destroyForcibly();
        assertTrue(Daemon.poll(10_000, 20, () -> Daemon.gone(pid1)), "node1 gone after SIGKILL");
        assertTrue(Daemon.isMounted(node(1).resolve("mnt")), "kill -9 left node1's dead mount");
        // the kernel may answer from its attribute cache (1 s) until it notices the server is gone
        Path mnt1 = node(1).resolve("mnt");
        Daemon.poll(5_000, 50, () -> Sys.lstatErrno(mnt1) != 0);
        Sys.assertDeadMount(Sys.lstatErrno(mnt1));

        out.setLength(0);
        assertEquals(0, cluster(List.of("down", dir.toString()), out), "cluster down:\n" + out);
        for (int k = 1; k <= 2; k++) {
            assertFalse(Daemon.isMounted(node(k).resolve("mnt")), "node" + k + " still mounted after down:\n" + out);
        }
        assertTrue(Daemon.gone(pid2), "node2 stopped");
        assertFalse(Files.exists(node(2).resolve("pid")), "node2 stopped cleanly (pid file removed)");
        // what the tester could not do: remove the directory
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * The try-out issue 8 promises: three nodes in namespaces of their own on two links; cut
     * link 0 of node2 and it keeps writing; {@code down} leaves no namespace and no mount.
     */
    @Test
    void netnsClusterKeepsWritingWithoutOneLinkAndDownLeavesNothing() throws Exception {
        dir = tmp.resolve("n");
        StringBuilder out = new StringBuilder();
        assertEquals(0, cluster(List.of("up", "3", dir.toString(), "--base-port", Integer.toString(BASE_PORT),
                "--netns", "--links", "2"), out), "cluster up --netns:\n" + out);
        String tag = Files.readString(dir.resolve("netns")).split(" ")[0];
        assertTrue(Files.readString(node(2).resolve("corosync.conf")).contains("ring1_addr: 10.214."),
                "two links in corosync.conf");
        out.setLength(0);
        assertEquals(0, cluster(List.of("cut", dir.toString(), "2", "0"), out), "cut:\n" + out);
        Daemon.sleep(1_500);
        assertEquals(0, ClusterFs.tryPut(node(2).resolve("mnt/after-cut.cfg"), "still here\n"),
                "node2 writes with link 0 cut");
        assertTrue(Daemon.poll(5_000, 50, () -> "still here\n".equals(
                ClusterFs.readOrNull(node(1).resolve("mnt/after-cut.cfg")))), "node2's write on node1");
        // netem without sch_netem: a delay line of ours, which heal and down end
        out.setLength(0);
        assertEquals(2, cluster(List.of("netem", dir.toString(), "3", "1", "jitter 5ms"), out), "netem jitter:\n" + out);
        assertTrue(out.toString().contains("'delay MS', 'loss P%' and 'limit FRAMES' only"), out.toString());
        out.setLength(0);
        assertEquals(0, cluster(List.of("netem", dir.toString(), "3", "1", "loss 10% delay 50ms"), out), "netem:\n" + out);
        long healed = Long.parseLong(Files.readString(dir.resolve("delayline-3-1.pid")).trim());
        assertFalse(Daemon.gone(healed), "the delay line runs");
        out.setLength(0);
        assertEquals(0, cluster(List.of("heal", dir.toString()), out), "heal:\n" + out);
        assertTrue(Daemon.gone(healed), "heal ended the delay line");
        assertEquals(0, cluster(List.of("netem", dir.toString(), "1", "0", "delay 20ms"), out), "netem:\n" + out);
        long downed = Long.parseLong(Files.readString(dir.resolve("delayline-1-0.pid")).trim());
        out.setLength(0);
        assertEquals(0, cluster(List.of("down", dir.toString()), out), "down:\n" + out);
        assertTrue(Daemon.gone(downed), "down ended the delay line");
        for (int k = 1; k <= 3; k++) {
            assertFalse(Daemon.isMounted(node(k).resolve("mnt")), "node" + k + " still mounted after down");
        }
        Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        String namespaces = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertFalse(namespaces.contains(tag + "-"), "namespaces left after down: " + namespaces);
    }

    /** If the test failed half-way: stop our nodes and unmount, never touching anything else. */
    @AfterEach
    void cleanUp() throws IOException, InterruptedException {
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        for (int k = 1; k <= 3; k++) {
            Path pidFile = node(k).resolve("pid");
            if (!Files.exists(node(k))) {
                continue;
            }
            long pid = Files.exists(pidFile) ? Long.parseLong(Files.readString(pidFile).trim()) : -1;
            if (pid > 0 && !Daemon.gone(pid) && Files.readString(Path.of("/proc/" + pid + "/cmdline"))
                    .contains(pidFile.toString())) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                Daemon.poll(10_000, 20, () -> Daemon.gone(pid));
            }
            Daemon.unmountLazy(node(k).resolve("mnt"));
        }
        if (Files.exists(dir.resolve("netns"))) {
            cluster(List.of("down", dir.toString()), new StringBuilder()); // removes the namespaces
        }
    }
}
