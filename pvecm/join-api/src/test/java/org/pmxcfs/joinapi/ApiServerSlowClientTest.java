package org.pmxcfs.joinapi;

import org.pmxcfs.join.AddNode;
import org.pmxcfs.join.FakeCluster;
import org.pmxcfs.join.JoinPassword;
import org.pmxcfs.join.NodeKeyManager;
import org.pmxcfs.join.Pem;
import org.pmxcfs.join.TestCerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15.3: clients that connect and then send nothing, or a byte now and then, must neither
 * keep a correct request waiting nor stay connected past the deadlines. Real sockets on 127.0.0.1.
 */
class ApiServerSlowClientTest {

    static final String PASSWORD = "join-secret-1";
    static final int SLOW = 100;

    @TempDir
    static Path certDir;
    static TestCerts certs;

    @TempDir
    Path dir;

    private JoinApiServer server;
    private ApiClient client;
    private SSLContext trust;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeAll
    static void generate() throws Exception {
        certs = TestCerts.generate(certDir, "pve1");
    }

    @BeforeEach
    void start() throws Exception {
        FakeCluster cluster = new FakeCluster(dir);
        certs.install(cluster.mount, "pve1");
        Files.writeString(cluster.mount.resolve(JoinPassword.FILE),
                JoinPassword.hash(PASSWORD.toCharArray(), 1000, new byte[16]));
        NodeKeyManager keys = new NodeKeyManager();
        keys.set(Pem.privateKey(certs.pkcs1Pem()), new java.security.cert.X509Certificate[] {certs.cert});
        AtomicLong now = new AtomicLong(1_000_000);
        ApiHandler handler = new ApiHandler(cluster,
                new Credentials(new SystemPassword(dir.resolve("shadow")), cluster.mount), ApiRoutes.NONE,
                new AddNode(cluster, cluster.lock(new CopyOnWriteArrayList<>()),
                h -> java.util.Optional.empty()), new LoginThrottle(now::get), new Tickets(now::get),
                (ms, task) -> task.run(), now::get);
        server = JoinApiServer.start(new InetSocketAddress("127.0.0.1", 0), keys, handler);
        client = new ApiClient(certs.cert, server.address().getPort());
        trust = ApiClient.trusting(certs.cert);
    }

    @AfterEach
    void stop() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closed already
            }
        }
        server.close();
    }

    private Socket plain(String from) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress(from, 0));
        s.connect(server.address(), 2000);
        return s;
    }

    private SSLSocket tls(String from) throws IOException {
        SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket(plain(from), "127.0.0.1",
                server.address().getPort(), true);
        sockets.add(s);
        s.setSoTimeout(5000);
        s.startHandshake();
        return s;
    }

    private long timedLogin() throws Exception {
        long t0 = System.nanoTime();
        ApiClient.Reply r = client.post("/access/ticket", Map.of("username", "root@pam", "password", PASSWORD),
                Map.of());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(200, r.status(), r.body().toString());
        return ms;
    }

    /** True once the server closed {@code s} (end of stream or reset), waiting at most {@code ms}. */
    private static boolean closedByServer(Socket s, long ms) {
        long deadline = System.currentTimeMillis() + ms;
        try {
            InputStream in = s.getInputStream();
            while (System.currentTimeMillis() < deadline) {
                s.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
                try {
                    if (in.read() < 0) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    return false;
                }
            }
            return false;
        } catch (IOException e) {
            return true; // reset, or TLS torn down under the read
        }
    }

    /** The first line of the answer to a raw request written on {@code s}. */
    private static String statusLine(Socket s, String request) throws IOException {
        s.setSoTimeout(5000);
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        return all.lines().findFirst().orElse("");
    }

    @Test
    void aCorrectRequestIsAnsweredWhileAHundredSlowClientsAreConnected() throws Exception {
        long cold = timedLogin(); // the client's first request pays for its own start-up
        System.out.println("[join-api] first login, no slow connections: " + cold + " ms");
        List<Socket> idle = new ArrayList<>();
        List<Socket> oneByte = new ArrayList<>();
        List<SSLSocket> dripping = new ArrayList<>();
        for (int i = 0; i < SLOW; i++) {
            switch (i % 3) {
                case 0 -> idle.add(plain("127.0.0.1"));
                case 1 -> {
                    Socket s = plain("127.0.0.1");
                    s.getOutputStream().write(0x16); // the first byte of a TLS ClientHello
                    oneByte.add(s);
                }
                default -> dripping.add(tls("127.0.0.1"));
            }
        }
        long opened = System.currentTimeMillis();
        byte[] head = "POST /api2/json/access/ticket HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.ISO_8859_1);
        Thread drip = new Thread(() -> {
            for (int b = 0; b < head.length && !Thread.currentThread().isInterrupted(); b++) {
                for (SSLSocket s : dripping) {
                    try {
                        s.getOutputStream().write(head[b]);
                        s.getOutputStream().flush();
                    } catch (IOException closed) {
                        // the server gave up on it: what the test wants
                    }
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "drip");
        drip.setDaemon(true);
        drip.start();
        try {
            Thread.sleep(1500); // the slow clients are in place, the drippers have sent a byte or two
            long ms = timedLogin();
            System.out.println("[join-api] login answered in " + ms + " ms with " + SLOW + " slow connections open");
            assertTrue(ms < 2000, "login took " + ms + " ms");
            long second = timedLogin();
            System.out.println("[join-api] second login answered in " + second + " ms");
            assertTrue(second < 2000, "second login took " + second + " ms");

            // handshake deadline 5 s, request deadline 5 s after the handshake; allow for a loaded machine
            long budget = JoinApiServer.HANDSHAKE_TIMEOUT.plus(JoinApiServer.REQUEST_TIMEOUT).toMillis() + 5000;
            List<Socket> all = new ArrayList<>(idle);
            all.addAll(oneByte);
            all.addAll(dripping);
            int open = 0;
            for (Socket s : all) {
                if (!closedByServer(s, Math.max(1, opened + budget - System.currentTimeMillis()))) {
                    open++;
                }
            }
            System.out.println("[join-api] slow connections closed by the server after "
                    + (System.currentTimeMillis() - opened) + " ms");
            assertEquals(0, open, "slow connections still open after " + budget + " ms");
        } finally {
            drip.interrupt();
        }
    }

    @Test
    void connectionsBeyondTheBoundPerAddressAreClosedAtOnceAndOtherAddressesStillGetIn() throws Exception {
        for (int i = 0; i < JoinApiServer.MAX_PER_SOURCE; i++) {
            plain("127.0.0.1");
        }
        Socket extra = plain("127.0.0.1");
        long t0 = System.currentTimeMillis();
        assertTrue(closedByServer(extra, 2000), "connection over the bound per address is closed");
        System.out.println("[join-api] connection " + (JoinApiServer.MAX_PER_SOURCE + 1) + " from one address closed"
                + " after " + (System.currentTimeMillis() - t0) + " ms");
        // another source address is not affected (a 401 is an answer: the request was read and handled)
        String status = statusLine(tls("127.0.0.2"),
                "GET /api2/json/cluster/config/apiversion HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals("HTTP/1.1 401 Unauthorized", status);
    }

    @Test
    void malformedOrOversizedRequestsGetAnErrorStatus() throws Exception {
        // each request is sent whole and nothing follows it, so the server has read everything when it closes
        assertEquals("HTTP/1.1 411 Length Required", statusLine(tls("127.0.0.1"),
                "POST /api2/json/access/ticket HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
        assertEquals("HTTP/1.1 413 Payload Too Large", statusLine(tls("127.0.0.1"),
                "POST /api2/json/access/ticket HTTP/1.1\r\nContent-Length: 999999\r\n\r\n"));
        String prefix = "GET / HTTP/1.1\r\nX: ";
        assertEquals("HTTP/1.1 431 Request Header Fields Too Large", statusLine(tls("127.0.0.1"),
                prefix + "a".repeat(HttpRequestReader.MAX_HEADER_BYTES + 1 - prefix.length())));
        assertEquals("HTTP/1.1 400 Bad Request", statusLine(tls("127.0.0.1"), "nonsense\r\n\r\n"));
    }
}
