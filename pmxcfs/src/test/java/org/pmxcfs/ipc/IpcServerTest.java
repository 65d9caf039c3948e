package org.pmxcfs.ipc;

import org.pmxcfs.ipc.client.IpcClient;
import org.pmxcfs.ipc.client.IpcException;
import org.pmxcfs.ipc.client.Json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The socket server and {@link IpcClient} together, in-process, on a temporary run directory. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IpcServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;
    private Path runDir;
    private Fixture f;
    private int www;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        runDir = Files.createDirectory(tmp.resolve("run"));
        f = new Fixture(Files.createDirectory(tmp.resolve("data")));
        www = Fixture.wwwDataGid();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
        f.close();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        cleanup.add(c);
        return c;
    }

    private IpcServer start(IpcServer.Config config) throws IOException {
        return closeLater(IpcServer.start(IpcClient.socketPath(runDir), f.service, www, config));
    }

    private IpcServer startAs(Peer peer, IpcServer.Config config) throws IOException {
        return closeLater(IpcServer.start(IpcClient.socketPath(runDir), f.service, www, config, ch -> peer));
    }

    private IpcClient client() throws IOException {
        return closeLater(IpcClient.connect(runDir, TIMEOUT));
    }

    private Raw raw() throws IOException {
        return closeLater(new Raw(IpcClient.socketPath(runDir)));
    }

    // ---------------------------------------------------------------- socket file

    @Test
    void socketFileModeAndGroup() throws Exception {
        assumeTrue(Fixture.isRoot(), "chown to www-data needs root");
        IpcServer s = start(IpcServer.Config.DEFAULT);
        Path sock = runDir.resolve("pmxcfs.sock");
        assertEquals(sock, s.socket());
        assertTrue((int) Files.getAttribute(sock, "unix:mode", LinkOption.NOFOLLOW_LINKS) == (0140000 | 0660),
                () -> Integer.toOctalString(attr(sock, "unix:mode")));
        assertEquals(0, attr(sock, "unix:uid"));
        assertEquals(www, attr(sock, "unix:gid"));
        s.close();
        assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "close removes the socket");
    }

    private static int attr(Path p, String name) {
        try {
            return (int) Files.getAttribute(p, name, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void staleSocketFileIsReplaced() throws Exception {
        Path sock = IpcClient.socketPath(runDir);
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(sock));
        }
        assertTrue(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "closing a channel leaves the file");
        start(IpcServer.Config.DEFAULT);
        assertTrue(client().getFsVersion().contains("\"starttime\": " + Fixture.START));
    }

    @Test
    void directoryInTheWayIsAClearError() throws Exception {
        Files.createDirectory(IpcClient.socketPath(runDir));
        IOException e = assertThrows(IOException.class, () -> start(IpcServer.Config.DEFAULT));
        assertTrue(e.getMessage().contains("cannot create IPC socket"), e.getMessage());
    }

    // ---------------------------------------------------------------- every op through the socket

    @Test
    void everyOpThroughTheSocketAsRoot() throws Exception {
        assumeTrue(Fixture.isRoot(), "the real SO_PEERCRED of this process must say root");
        start(IpcServer.Config.DEFAULT);
        f.write("nodes/pve1/qemu-server/100.conf", "lock: backup\nmemory: 512\n");
        f.write("priv/authkey.key", "secret");
        IpcClient c = client();

        assertEquals(new String(f.status.render(".version"), StandardCharsets.UTF_8), c.getFsVersion());
        assertEquals(new String(f.status.render(".members"), StandardCharsets.UTF_8), c.getClusterInfo());
        assertTrue(c.getGuestList().contains("\"100\": { \"node\": \"pve1\", \"type\": \"qemu\""), c.getGuestList());

        c.setStatus("tasklist", "[]".getBytes(StandardCharsets.UTF_8));
        c.setStatus("tasklist", "[1]".getBytes(StandardCharsets.UTF_8));
        assertEquals("[1]", new String(c.getStatus("tasklist", null).orElseThrow(), StandardCharsets.UTF_8));
        assertEquals("[1]", new String(c.getStatus("tasklist", "pve1").orElseThrow(), StandardCharsets.UTF_8));
        assertTrue(c.getStatus("tasklist", "pve2").isEmpty());
        assertTrue(c.getFsVersion().contains("\"kvstore\": {\n\"pve1\": {\n\"tasklist\": 1}\n}\n"), c.getFsVersion());
        c.setStatus("tasklist", new byte[0]);
        assertTrue(c.getStatus("tasklist", null).isEmpty());

        c.logClusterMsg(5, "root@pam", "pvecm", "node pve2 added");
        JsonNode log = Json.MAPPER.readTree(c.getClusterLog(0, null)).get("data");
        assertEquals("node pve2 added", log.get(0).get("msg").asText());
        assertEquals(ProcessHandle.current().pid(), log.get(0).get("pid").asLong(), "the client declares its pid");
        assertEquals(5, log.get(0).get("pri").asInt());
        assertEquals(1, Json.MAPPER.readTree(c.getClusterLog(0, "root@pam")).get("data").size());
        assertEquals(1, Json.MAPPER.readTree(c.getClusterLog(1, null)).get("data").size());

        assertEquals("secret", new String(c.getConfig("priv/authkey.key").orElseThrow(), StandardCharsets.UTF_8));
        assertTrue(c.getConfig("nope.cfg").isEmpty());

        c.setStatus("rrd/pve2-node/pve1", "1700000000:1:2\0".getBytes(StandardCharsets.UTF_8));
        assertEquals("pve2-node/pve1:1700000000:1:2\n", c.getRrdDump());

        assertEquals("{\n\"100\":{\"lock\": \"backup\"}\n}\n", c.getGuestConfigProperty(100, "lock"));
        assertEquals("{\n\"100\":{\"memory\": \"512\"}\n}\n", c.getGuestConfigProperty(0, "memory"));

        IpcException e = assertThrows(IpcException.class, () -> c.setStatus("big", new byte[32 * 1024 + 1]));
        assertEquals("EFBIG", e.errno());
        e = assertThrows(IpcException.class, () -> c.getGuestConfigProperty(42, "lock"));
        assertEquals("EINVAL", e.errno());
        e = assertThrows(IpcException.class, () -> c.getGuestConfigProperty(4242, "lock"));
        assertEquals("ENOENT", e.errno());

        IpcClient.Response r = c.call("no_such_op", Map.of());
        assertFalse(r.ok());
        assertEquals("EINVAL", r.errno());
        assertTrue(r.error().contains("unknown op 'no_such_op'"), r.error());
        assertNotNullId(r);
        // the connection is still fine
        assertTrue(c.call("get_rrd_dump", null).ok());
    }

    private static void assertNotNullId(IpcClient.Response r) {
        assertTrue(r.id() != null && r.id() > 0, String.valueOf(r));
    }

    @Test
    void getConfigOfExactlyOneMebibyteThroughTheSocket() throws Exception {
        start(IpcServer.Config.DEFAULT);
        byte[] data = new byte[1 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i ^ (i >>> 8));
        }
        f.write("big.bin", data);
        assertArrayEquals(data, client().getConfig("big.bin").orElseThrow());
    }

    @Test
    void readOnlyClientGetsEperm() throws Exception {
        startAs(Peer.of(33, www, www), IpcServer.Config.DEFAULT);
        f.write("priv/authkey.key", "secret");
        f.write("nodes/pve1/priv/known_hosts", "k");
        f.write("storage.cfg", "s");
        f.kv.set("tasklist", new byte[] {'x'});
        IpcClient c = client();
        assertEquals("EPERM", assertThrows(IpcException.class, () -> c.setStatus("a", new byte[] {1})).errno());
        assertEquals("EPERM", assertThrows(IpcException.class, () -> c.logClusterMsg(6, "a", "b", "c")).errno());
        assertEquals("EPERM", assertThrows(IpcException.class, () -> c.getConfig("priv/authkey.key")).errno());
        assertEquals("EPERM", assertThrows(IpcException.class, () -> c.getConfig("nodes/pve1/priv/known_hosts")).errno());
        assertEquals("s", new String(c.getConfig("storage.cfg").orElseThrow(), StandardCharsets.UTF_8));
        assertArrayEquals(new byte[] {'x'}, c.getStatus("tasklist", null).orElseThrow());
        assertTrue(c.getFsVersion().startsWith("{\n\"starttime\""));
        assertEquals(1, f.clusterLog.newest(10).size());
    }

    @Test
    void rejectedPeerGetsEaccesAndIsDisconnected() throws Exception {
        startAs(Peer.of(1000, 1000, www), IpcServer.Config.DEFAULT);
        IpcClient c = client();
        IpcClient.Response r = c.call("get_fs_version", Map.of());
        assertFalse(r.ok());
        assertNull(r.id());
        assertEquals("EACCES", r.errno());
        assertTrue(r.error().contains("uid 1000 gid 1000"), r.error());
        Raw raw = raw();
        JsonNode line = raw.readJson();
        assertEquals("EACCES", line.get("errno").asText());
        assertTrue(raw.atEof(), "the server hangs up");
    }

    // ---------------------------------------------------------------- malformed input

    @Test
    void malformedLinesGetErrorsAndTheConnectionStaysUsable() throws Exception {
        start(IpcServer.Config.DEFAULT);
        Raw r = raw();
        r.send("this is not json\n");
        JsonNode resp = r.readJson();
        assertEquals("EINVAL", resp.get("errno").asText());
        assertTrue(resp.get("id").isNull());
        r.send(new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe, '\n'});
        assertEquals("EINVAL", r.readJson().get("errno").asText());
        r.send("\n   \r\n"); // blank lines are ignored: no response
        // two requests in one write, the second split over two writes, CRLF tolerated
        r.send("{\"id\":1,\"op\":\"get_rrd_dump\"}\r\n{\"id\":2,\"op\":\"get_cl");
        r.send("uster_log\",\"max\":1}\n");
        JsonNode a = r.readJson();
        JsonNode b = r.readJson();
        assertEquals(1, a.get("id").asInt());
        assertTrue(a.get("ok").asBoolean());
        assertEquals(2, b.get("id").asInt());
        assertTrue(b.get("result").asText().contains("starting cluster log"));
    }

    @Test
    void oversizedLineIsRefusedAndOthersAreStillServed() throws Exception {
        start(IpcServer.Config.DEFAULT);
        IpcClient other = client();
        assertTrue(other.getFsVersion().length() > 0);
        Raw r = raw();
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            byte[] big = new byte[IpcServer.MAX_REQUEST_BYTES + 1];
            Arrays.fill(big, (byte) 'x');
            Future<?> w = ex.submit(() -> {
                try {
                    r.send(big);
                } catch (IOException ignored) {
                    // the server hangs up before reading everything
                }
                return null;
            });
            JsonNode resp = r.readJson();
            assertEquals("EMSGSIZE", resp.get("errno").asText());
            assertTrue(resp.get("id").isNull());
            w.get(10, TimeUnit.SECONDS);
            assertTrue(r.atEof());
        } finally {
            ex.shutdownNow();
        }
        assertTrue(other.getFsVersion().length() > 0, "the other connection is unaffected");
        assertTrue(client().getClusterInfo().contains("pve1"), "new connections still work");
    }

    @Test
    void lineOfExactlyTheLimitIsParsed() throws Exception {
        start(IpcServer.Config.DEFAULT);
        Raw r = raw();
        String head = "{\"id\":1,\"op\":\"get_rrd_dump\"}";
        byte[] line = new byte[IpcServer.MAX_REQUEST_BYTES + 1];
        Arrays.fill(line, (byte) ' ');
        System.arraycopy(head.getBytes(StandardCharsets.UTF_8), 0, line, 0, head.length());
        line[line.length - 1] = '\n';
        r.send(line);
        assertTrue(r.readJson().get("ok").asBoolean());
    }

    // ---------------------------------------------------------------- limits

    @Test
    void concurrentClients() throws Exception {
        start(IpcServer.Config.DEFAULT);
        f.write("storage.cfg", "dir: local\n");
        int threads = 16;
        int rounds = 40;
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> results = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int me = t;
                results.add(ex.submit(() -> {
                    go.await();
                    try (IpcClient c = IpcClient.connect(runDir, TIMEOUT)) {
                        for (int i = 0; i < rounds; i++) {
                            byte[] v = ("t" + me + "-" + i).getBytes(StandardCharsets.UTF_8);
                            c.setStatus("key" + me, v);
                            assertArrayEquals(v, c.getStatus("key" + me, null).orElseThrow());
                            assertEquals("dir: local\n",
                                    new String(c.getConfig("storage.cfg").orElseThrow(), StandardCharsets.UTF_8));
                            c.logClusterMsg(6, "user" + me, "test", "msg " + i);
                            assertTrue(c.getFsVersion().contains("\"key" + me + "\": "));
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> r : results) {
                r.get(60, TimeUnit.SECONDS);
            }
        } finally {
            ex.shutdownNow();
        }
        Map<String, Map<String, Long>> versions = f.kv.versions();
        for (int t = 0; t < threads; t++) {
            assertEquals(rounds - 1, versions.get("pve1").get("key" + t));
            assertEquals(rounds, f.clusterLog.newest(10_000, "user" + t).size());
        }
    }

    @Test
    void tooManyConnectionsGetEagain() throws Exception {
        IpcServer s = start(new IpcServer.Config(2, Duration.ofMinutes(1)));
        IpcClient a = client();
        IpcClient b = client();
        assertTrue(a.getRrdDump().isEmpty());
        assertTrue(b.getRrdDump().isEmpty());
        assertEquals(2, s.connectionCount());
        IpcClient c = client();
        IpcClient.Response r = c.call("get_rrd_dump", Map.of());
        assertFalse(r.ok());
        assertEquals("EAGAIN", r.errno());
        assertNull(r.id());
        a.close();
        waitFor(() -> s.connectionCount() == 1);
        assertTrue(c.call("get_rrd_dump", Map.of()).ok(), "a slot is free again; the client reconnects");
    }

    @Test
    void idleConnectionsAreClosedAndTheClientReconnects() throws Exception {
        IpcServer s = start(new IpcServer.Config(64, Duration.ofMillis(300)));
        Raw r = raw();
        IpcClient c = client();
        assertTrue(c.getRrdDump().isEmpty());
        waitFor(() -> s.connectionCount() == 0);
        assertTrue(r.atEof(), "the server closed the idle raw connection");
        assertTrue(c.getFsVersion().contains("starttime"), "the client reconnected transparently");
    }

    @Test
    void partialLineDoesNotKeepAConnectionAlive() throws Exception {
        IpcServer s = start(new IpcServer.Config(64, Duration.ofMillis(300)));
        Raw r = raw();
        try {
            for (int i = 0; i < 8; i++) {
                r.send("{");
                Thread.sleep(100);
            }
        } catch (IOException expected) {
            // closed while we were still trickling
        }
        waitFor(() -> s.connectionCount() == 0);
        assertTrue(r.atEof());
    }

    // ---------------------------------------------------------------- client errors

    @Test
    void clientSaysWhenTheDaemonIsNotRunning() throws Exception {
        IpcClient.NotRunningException e = assertThrows(IpcClient.NotRunningException.class,
                () -> IpcClient.connect(runDir, TIMEOUT));
        assertTrue(e.getMessage().startsWith("pmxcfs is not running (no socket at " + runDir.resolve("pmxcfs.sock")
                + ") - start it with 'pmxcfs --run-dir " + runDir + "'"), e.getMessage());

        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(IpcClient.socketPath(runDir)));
        }
        e = assertThrows(IpcClient.NotRunningException.class, () -> IpcClient.connect(runDir, TIMEOUT));
        assertTrue(e.getMessage().contains("stale socket"), e.getMessage());
    }

    @Test
    void clientNamesTheDefaultStartCommand() {
        // the real default run dir: nothing listens there in the test environment
        assumeTrue(!Files.exists(IpcClient.DEFAULT_RUN_DIR.resolve("pmxcfs.sock")));
        IOException e = assertThrows(IOException.class, () -> IpcClient.connect(IpcClient.DEFAULT_RUN_DIR));
        assertTrue(e.getMessage().contains("start it with 'pmxcfs' (or 'systemctl start pve-cluster')"),
                e.getMessage());
    }

    @Test
    void clientTimesOutOnASilentServer() throws Exception {
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.bind(UnixDomainSocketAddress.of(IpcClient.socketPath(runDir)));
            try (IpcClient c = IpcClient.connect(runDir, Duration.ofMillis(300))) {
                long t0 = System.nanoTime();
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class, c::getFsVersion);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(ms >= 250 && ms < 5000, "took " + ms + " ms");
                assertTrue(e.getMessage().contains("no response from pmxcfs"), e.getMessage());
            }
        }
    }

    @Test
    void clientSurvivesADaemonRestart() throws Exception {
        IpcServer s = start(IpcServer.Config.DEFAULT);
        IpcClient c = client();
        c.setStatus("k", new byte[] {1});
        s.close();
        start(IpcServer.Config.DEFAULT);
        assertArrayEquals(new byte[] {1}, c.getStatus("k", null).orElseThrow(), "reconnected to the new server");
    }

    @Test
    void serverCloseDisconnectsClients() throws Exception {
        IpcServer s = start(IpcServer.Config.DEFAULT);
        Raw r = raw();
        r.send("{\"id\":1,\"op\":\"get_rrd_dump\"}\n");
        assertTrue(r.readJson().get("ok").asBoolean());
        s.close();
        assertTrue(r.atEof());
        assertThrows(IpcClient.NotRunningException.class, () -> IpcClient.connect(runDir, TIMEOUT));
    }

    // ---------------------------------------------------------------- a real www-data process

    /**
     * A separate JVM running as www-data (uid 33, gid www-data) and as an unrelated user, through
     * the real SO_PEERCRED path. Needs root and setpriv.
     */
    @Test
    void realWwwDataProcessIsReadOnly() throws Exception {
        assumeTrue(Fixture.isRoot(), "switching users needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(runDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path src = tmp.resolve("RawClient.java");
        Files.writeString(src, RAW_CLIENT);
        Files.setPosixFilePermissions(src, PosixFilePermissions.fromString("rw-r--r--"));
        start(IpcServer.Config.DEFAULT);
        f.write("priv/authkey.key", "secret");
        f.write("storage.cfg", "s");
        Path sock = IpcClient.socketPath(runDir);

        List<String> out = runAs(java, src, sock, 33, www,
                "{\"id\":1,\"op\":\"get_fs_version\"}",
                "{\"id\":2,\"op\":\"set_status\",\"name\":\"x\",\"value_b64\":\"AA==\"}",
                "{\"id\":3,\"op\":\"get_config\",\"path\":\"priv/authkey.key\"}",
                "{\"id\":4,\"op\":\"get_config\",\"path\":\"storage.cfg\"}");
        assertEquals(4, out.size(), out::toString);
        assertTrue(Json.MAPPER.readTree(out.get(0)).get("ok").asBoolean(), out.get(0));
        assertEquals("EPERM", Json.MAPPER.readTree(out.get(1)).get("errno").asText(), out.get(1));
        assertEquals("EPERM", Json.MAPPER.readTree(out.get(2)).get("errno").asText(), out.get(2));
        assertEquals("cw==", Json.MAPPER.readTree(out.get(3)).get("result").get("data_b64").asText(), out.get(3));

        // the socket is 0660 root:www-data, so an unrelated user cannot even connect
        out = runAs(java, src, sock, 12345, 54321, "{\"id\":1,\"op\":\"get_fs_version\"}");
        assertEquals(1, out.size(), out::toString);
        assertTrue(out.get(0).startsWith("connect failed"), out.get(0));
        // with the mode opened up, the credentials check turns it away
        Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-rw-rw-"));
        out = runAs(java, src, sock, 12345, 54321, "{\"id\":1,\"op\":\"get_fs_version\"}");
        assertEquals("EACCES", Json.MAPPER.readTree(out.get(0)).get("errno").asText(), out.toString());
        // root with primary group www-data is read-only too
        out = runAs(java, src, sock, 0, www, "{\"id\":1,\"op\":\"set_status\",\"name\":\"x\",\"value_b64\":\"AA==\"}");
        assertEquals("EPERM", Json.MAPPER.readTree(out.get(0)).get("errno").asText(), out.toString());
    }

    private static List<String> runAs(Path java, Path src, Path sock, int uid, int gid, String... lines)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + gid,
                "--clear-groups", java.toString(), "-XX:-UsePerfData", src.toString(), sock.toString()));
        cmd.addAll(List.of(lines));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "client process hangs");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> result = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (!l.isBlank()) {
                result.add(l);
            }
        }
        return result;
    }

    /** A dependency-free client: sends each argument as a line, prints each response line. */
    private static final String RAW_CLIENT = """
            import java.net.*;
            import java.nio.*;
            import java.nio.channels.*;
            import java.nio.charset.StandardCharsets;
            import java.nio.file.Path;

            public class RawClient {
                public static void main(String[] args) throws Exception {
                    SocketChannel ch;
                    try {
                        ch = SocketChannel.open(UnixDomainSocketAddress.of(Path.of(args[0])));
                    } catch (Exception e) {
                        System.out.println("connect failed: " + e);
                        return;
                    }
                    StringBuilder pending = new StringBuilder();
                    ByteBuffer in = ByteBuffer.allocate(1 << 20);
                    for (int i = 1; i < args.length; i++) {
                        try {
                            ch.write(ByteBuffer.wrap((args[i] + "\\n").getBytes(StandardCharsets.UTF_8)));
                        } catch (Exception e) {
                            // refused connection: the error line may be waiting
                        }
                        while (pending.indexOf("\\n") < 0) {
                            in.clear();
                            int n = ch.read(in);
                            if (n < 0) {
                                break;
                            }
                            pending.append(new String(in.array(), 0, n, StandardCharsets.UTF_8));
                        }
                        int nl = pending.indexOf("\\n");
                        if (nl < 0) {
                            System.out.println("eof");
                            return;
                        }
                        System.out.println(pending.substring(0, nl));
                        pending.delete(0, nl + 1);
                    }
                }
            }
            """;

    // ---------------------------------------------------------------- helpers

    private static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "condition not reached in 10 s");
            Thread.sleep(20);
        }
    }

    /** A plain blocking socket for byte-level tests. */
    static final class Raw implements AutoCloseable {
        private final SocketChannel ch;
        private final StringBuilder pending = new StringBuilder();

        Raw(Path socket) throws IOException {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        }

        void send(String s) throws IOException {
            send(s.getBytes(StandardCharsets.UTF_8));
        }

        void send(byte[] b) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }

        JsonNode readJson() throws IOException {
            ByteBuffer in = ByteBuffer.allocate(1 << 16);
            while (pending.indexOf("\n") < 0) {
                in.clear();
                int n = ch.read(in);
                if (n < 0) {
                    throw new IOException("eof; pending: " + pending);
                }
                pending.append(new String(in.array(), 0, n, StandardCharsets.UTF_8));
            }
            int nl = pending.indexOf("\n");
            String line = pending.substring(0, nl);
            pending.delete(0, nl + 1);
            return Json.MAPPER.readTree(line);
        }

        /** Reads until end of stream; true if nothing but EOF came. */
        boolean atEof() throws IOException {
            ByteBuffer in = ByteBuffer.allocate(1 << 16);
            try {
                return ch.read(in) < 0;
            } catch (IOException e) {
                return true; // connection reset counts as hung up
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
