package org.pmxcfs.it;

import static jnr.constants.platform.Errno.ENOTEMPTY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.it.Sys.assertErrno;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.pmxcfs.ctl.PmxcfsCtl;
import org.pmxcfs.ipc.client.IpcClient;

/**
 * The operator's features on a real daemon: the metrics endpoint (off unless asked for), watch
 * over the IPC socket and {@code pmxcfs-ctl watch}, and lock introspection and release with
 * {@code pmxcfs-ctl locks} / {@code unlock}.
 */
class OperationsTest extends MountTestBase {

    /** This class's share of the hand-started ports (17800-17899). */
    static final int METRICS_PORT = 17810;

    /** Runs pmxcfs-ctl in this JVM; exit code, stdout and stderr. */
    record Ctl(int code, String out, String err) {}

    static Ctl ctl(Daemon d, String... args) {
        return ctl(d.run, args);
    }

    /** pmxcfs-ctl against the daemon of run directory {@code run}. */
    static Ctl ctl(java.nio.file.Path run, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        all[0] = "--run-dir";
        all[1] = run.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        int rc = new PmxcfsCtl(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(all);
        return new Ctl(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String scrape(int port) {
        HttpResponse<String> r;
        try {
            r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        return r.body();
    }

    static double sample(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), name + " in\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void metricsCountWritesByResultAndShowTheTreeAgainstItsCaps() throws Exception {
        Daemon d = started("--metrics-port", Integer.toString(METRICS_PORT), "--max-total-size", "1000000");
        String before = scrape(METRICS_PORT);
        double okBefore = sample(before, "pmxcfs_writes_total{result=\"ok\"}");
        put(d.path("a.cfg"), "x".repeat(1000));
        mkdirs(d.mnt, "dir/sub");
        assertErrno(ENOTEMPTY, Sys.rmdir(d.path("dir")), "rmdir of a directory that is not empty");

        String after = scrape(METRICS_PORT);
        assertTrue(sample(after, "pmxcfs_writes_total{result=\"ok\"}") >= okBefore + 4, "create, write, 2 mkdir:\n" + after);
        assertEquals(1, sample(after, "pmxcfs_writes_total{result=\"ENOTEMPTY\"}"), "the refused rmdir, by its errno");
        double count = sample(after, "pmxcfs_write_duration_seconds_count");
        assertEquals(count, sample(after, "pmxcfs_write_duration_seconds_bucket{le=\"+Inf\"}"));
        assertEquals(count, sample(after, "pmxcfs_writes_total{result=\"ok\"}")
                + sample(after, "pmxcfs_writes_total{result=\"ENOTEMPTY\"}"), "every write in the histogram once");
        assertTrue(sample(after, "pmxcfs_tree_bytes") >= 1000);
        assertEquals(1_000_000, sample(after, "pmxcfs_tree_bytes_limit"));
        assertTrue(sample(after, "pmxcfs_tree_entries") >= 4, "root, a.cfg, dir, dir/sub");
        assertEquals(1, sample(after, "pmxcfs_quorate"), "local mode is quorate");
        assertEquals(0, sample(after, "pmxcfs_cluster_mode"));
        assertEquals(0, sample(after, "pmxcfs_divergence_backups"));
    }

    @Test
    void metricsAreOffByDefault() throws Exception {
        Daemon d = started();
        put(d.path("a.cfg"), "x");
        Command.Result ss = Command.run(List.of("ss", "-Htlnp"), 30_000);
        assertFalse(ss.out().contains("pid=" + d.daemonPid() + ","),
                "the daemon listens on no TCP port without --metrics-port:\n" + ss.out());
        assertFalse(d.allOutput().contains("metrics on"), d.allOutput());
    }

    @Test
    void aBadOrBusyMetricsPortStopsTheStartWithAClearError() throws Exception {
        Daemon.Exit bad = daemon().startExpectingExit("--metrics-port", "70000");
        assertEquals(255, bad.code());
        assertTrue(bad.output().contains("--metrics-port must be a TCP port (1-65535), or 0 for no metrics, not 70000"),
                bad.output());
        try (java.net.ServerSocket busy = new java.net.ServerSocket(METRICS_PORT + 1, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            Daemon.Exit taken = daemon().startExpectingExit("--metrics-port", Integer.toString(METRICS_PORT + 1));
            assertEquals(255, taken.code());
            assertTrue(taken.output().contains("cannot serve metrics on 127.0.0.1:" + (METRICS_PORT + 1)), taken.output());
        }
    }

    @Test
    void watchPrintsOneLineForEachChangeUnderThePath() throws Exception {
        Daemon d = started();
        mkdirs(d.mnt, "watched");
        long rev;
        try (IpcClient c = IpcClient.connect(d.run)) {
            rev = c.call("watch", Map.of("timeout_ms", 0)).resultOrThrow().path("revision").asLong();
        }
        mkdirs(d.mnt, "watched/b");
        put(d.path("other.cfg"), "not watched");
        mkdirs(d.mnt, "watched/c");

        Ctl w = ctl(d, "watch", "/etc/pve/watched", "--since", Long.toString(rev), "--count", "2");
        assertEquals(0, w.code(), w.err());
        String[] lines = w.out().split("\n");
        assertEquals(2, lines.length, w.out());
        assertTrue(lines[0].matches("\\S+Z \\d+ watched/b"), lines[0]);
        assertTrue(lines[1].matches("\\S+Z \\d+ watched/c"), lines[1]);
    }

    @Test
    void watchWaitsForTheNextChangeAndReportsLostOnes() throws Exception {
        Daemon d = started();
        try (IpcClient c = IpcClient.connect(d.run)) {
            long rev = c.call("watch", Map.of("timeout_ms", 0)).resultOrThrow().path("revision").asLong();
            CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(() -> {
                try (IpcClient w = IpcClient.connect(d.run)) {
                    return w.call("watch", Map.of("path", "x", "since", rev, "timeout_ms", 20_000)).resultOrThrow();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            assertFalse(waiting.isDone(), "no change under x yet: the poll waits");
            put(d.path("y.cfg"), "elsewhere");
            long t0 = System.nanoTime();
            mkdirs(d.mnt, "x");
            JsonNode r = waiting.get(10, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "woken by the change, not the timeout");
            assertEquals(1, r.path("events").size(), r.toString());
            assertEquals("x", r.path("events").get(0).path("path").asText());

            JsonNode future = c.call("watch", Map.of("since", rev + 1_000_000, "timeout_ms", 0)).resultOrThrow();
            assertTrue(future.path("compacted").asBoolean(), "a revision of an earlier run: re-read, " + future);
            assertEquals("EINVAL", c.call("watch", Map.of("timeout_ms", 60_000)).errno());
        }
    }

    @Test
    void locksShowHolderAndTimeLeftAndOnlyStaleOnesAreReleased() throws Exception {
        Daemon d = started("--lock-lifetime", "2");
        mkdirs(d.mnt, "priv/lock/backup-100");
        Ctl held = ctl(d, "locks");
        assertEquals(0, held.code(), held.err());
        assertTrue(held.out().matches("(?s)NAME +HOLDER +AGE +UNCHANGED +EXPIRES-IN +STATE\n"
                + "backup-100 +" + Daemon.NODENAME + " +\\d+s +[01]s +[12]s +held\n"), held.out());

        Ctl young = ctl(d, "unlock", "backup-100");
        assertEquals(1, young.code());
        assertTrue(young.err().contains("is not stale") && young.err().contains("(EACCES)"), young.err());
        assertTrue(Files.isDirectory(d.path("priv/lock/backup-100")), "a held lock stays");

        assertTrue(Daemon.poll(10_000, 200, () -> ctl(d, "locks").out().contains(" stale\n")), "stale after 2 s");
        Ctl released = ctl(d, "unlock", "backup-100");
        assertEquals(0, released.code(), released.err());
        assertEquals("released lock 'backup-100'\n", released.out());
        assertFalse(Files.exists(d.path("priv/lock/backup-100")));
        assertEquals("no locks\n", ctl(d, "locks").out());

        Ctl missing = ctl(d, "unlock", "nope");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("(ENOENT)"), missing.err());
        assertTrue(ctl(d, "unlock", "../x").err().contains("(EINVAL)"));
    }
}
