package org.pmxcfs.pvecm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pvecm mtunnel} (issue 14 point 9): the migration IP and the command on a TCP connection. */
class MtunnelTest {

    @TempDir
    Path dir;
    FakeDaemon daemon;
    Path mnt;
    String run;

    @BeforeEach
    void start() throws Exception {
        mnt = dir.resolve("mnt");
        Files.createDirectories(mnt);
        daemon = new FakeDaemon(dir.resolve("run")).paths(mnt, "pve1");
        run = "--run-dir=" + dir.resolve("run");
        datacenterCfg(null);
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
    }

    /** The write bit of {@code <mnt>/local} is the quorum test: a symlink has every bit. */
    private void quorate() throws Exception {
        Files.createSymbolicLink(mnt.resolve("local"), Path.of("nodes/pve1"));
    }

    private void datacenterCfg(String text) {
        daemon.ops.put("get_config", r -> r.path("path").asText().equals("datacenter.cfg") && text != null
                ? FakeDaemon.ok(FakeDaemon.JSON.createObjectNode().put("data_b64",
                        java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))))
                : FakeDaemon.error("ENOENT", "no such file"));
    }

    @Test
    void withoutQuorumItSaysSo() {
        assertEquals(new Run(0, "no quorum\n", ""), Run.of(run, "mtunnel", "--get_migration_ip"));
    }

    @Test
    void migrationIpFromTheOptionOrDatacenterCfg() throws Exception {
        quorate();
        assertEquals(new Run(0, "no ip\n", ""), Run.of(run, "mtunnel", "--get_migration_ip"));
        assertEquals(new Run(0, "ip: '127.0.0.1'\n", ""),
                Run.of(run, "mtunnel", "--get_migration_ip", "--migration_network", "127.0.0.0/8"));
        datacenterCfg("keyboard: en-us\nmigration: secure,network=127.0.0.0/24\n");
        assertEquals(new Run(0, "ip: '127.0.0.1'\n", ""), Run.of(run, "mtunnel", "--get_migration_ip"));
        assertEquals(new Run(1, "", "could not get migration ip: no IP address configured on local node for network"
                + " '203.0.113.0/24'\n"), Run.of(run, "mtunnel", "--get_migration_ip", "--migration_network", "203.0.113.0/24"));
        assertEquals(new Run(1, "", "cannot use --run-command with --get_migration_ip\n"),
                Run.of(run, "mtunnel", "--get_migration_ip", "--run-command"));
    }

    @Test
    void runCommandPipesTheConnectionThroughTheCommand() throws Exception {
        quorate();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        CompletableFuture<Integer> rc = CompletableFuture.supplyAsync(() -> new Pvecm(o,
                new PrintStream(err, true, StandardCharsets.UTF_8), Run.CLOCK, () -> 0)
                .execute(run, "mtunnel", "--run-command=1", "--migration_network", "127.0.0.0/8", "tr", "a-z", "A-Z"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String[] lines = new String[0];
        while (lines.length < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            lines = out.toString(StandardCharsets.UTF_8).split("\n");
        }
        assertEquals("127.0.0.1", lines[0], "the address to connect to");
        int port = Integer.parseInt(lines[1]);
        assertTrue(port >= 60000 && port <= 60050, "a migration port: " + port);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            assertEquals("HELLO\n", new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(0, rc.get(10, TimeUnit.SECONDS), err.toString(StandardCharsets.UTF_8));
    }
}
