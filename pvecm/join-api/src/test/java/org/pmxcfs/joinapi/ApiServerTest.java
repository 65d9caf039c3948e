package org.pmxcfs.joinapi;

import org.pmxcfs.join.AddNode;
import org.pmxcfs.join.FakeCluster;
import org.pmxcfs.join.Fingerprint;
import org.pmxcfs.join.JoinPassword;
import org.pmxcfs.join.NodeKeyManager;
import org.pmxcfs.join.Pem;
import org.pmxcfs.join.TestCerts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pmxcfs.corosync.CorosyncConf;
import org.slf4j.LoggerFactory;

/** The join API over real HTTPS with a self-signed test certificate. */
class ApiServerTest {

    static final String PASSWORD = "join-secret-1";
    /** root's system password; hashes made with {@code mkpasswd -m yescrypt} and {@code openssl passwd -6}. */
    static final String ROOT_PASSWORD = "secret-root-1";
    static final String ROOT_YESCRYPT = "$y$j9T$M7lRMNRz97mg5D1FtVwTW/$9Bc9dAjFjwznOjCHL03u2.8YVjxEwM7jWT1XaxLk3nA";
    static final String ALICE_YESCRYPT = "$y$j9T$SfugxejzT7PiOckx5QpDT0$JoXbgydgTbT5JnWqjw0O2zCWgz7b9lO5n77raF8dwG3";

    @TempDir
    static Path certDir;
    static TestCerts certs;

    @TempDir
    Path dir;
    private Path shadow;

    private FakeCluster cluster;
    private JoinApiServer server;
    private ApiClient client;
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<Long> delays = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeAll
    static void generate() throws Exception {
        certs = TestCerts.generate(certDir, "pve1");
    }

    @BeforeEach
    void start() throws Exception {
        cluster = new FakeCluster(dir);
        shadow = dir.resolve("shadow");
        Files.writeString(shadow, "daemon:*:19000:0:99999:7:::\nroot:" + ROOT_YESCRYPT
                + ":19000:0:99999:7:::\nalice:" + ALICE_YESCRYPT + ":19000:0:99999:7:::\n");
        certs.install(cluster.mount, "pve1");
        Files.writeString(cluster.mount.resolve(JoinPassword.FILE),
                JoinPassword.hash(PASSWORD.toCharArray(), 1000, new byte[16]));
        NodeKeyManager keys = new NodeKeyManager();
        keys.set(Pem.privateKey(certs.pkcs1Pem()), new java.security.cert.X509Certificate[] {certs.cert});
        // the delayer runs at once and notes the delay, so no test sleeps
        ApiHandler handler = new ApiHandler(cluster, new Credentials(new SystemPassword(shadow), cluster.mount), ApiRoutes.NONE,
                new AddNode(cluster, cluster.lock(new CopyOnWriteArrayList<>()),
                h -> java.util.Optional.empty()), new LoginThrottle(now::get), new Tickets(now::get),
                (ms, task) -> {
                    delays.add(ms);
                    task.run();
                }, now::get);
        server = JoinApiServer.start(new InetSocketAddress("127.0.0.1", 0), keys, handler);
        client = new ApiClient(certs.cert, server.address().getPort());
        logged.start();
        ((Logger) LoggerFactory.getLogger("join")).addAppender(logged);
    }

    @AfterEach
    void stop() {
        server.close();
        ((Logger) LoggerFactory.getLogger("join")).detachAppender(logged);
    }

    private Map<String, String> login() throws Exception {
        ApiClient.Reply r = client.post("/access/ticket", Map.of("username", "root@pam", "password", PASSWORD), Map.of());
        assertEquals(200, r.status(), r.body().toString());
        JsonNode d = r.body().get("data");
        return Map.of("Cookie", "PVEAuthCookie=" + d.get("ticket").asText(),
                "CSRFPreventionToken", d.get("CSRFPreventionToken").asText());
    }

    private List<String> messages() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void goodPasswordGivesATicket() throws Exception {
        ApiClient.Reply r = client.post("/access/ticket", Map.of("username", "root@pam", "password", PASSWORD), Map.of());
        assertEquals(200, r.status());
        JsonNode d = r.body().get("data");
        assertEquals("root@pam", d.get("username").asText());
        assertTrue(d.get("ticket").asText().startsWith("PVE:root@pam:"));
        assertTrue(d.get("CSRFPreventionToken").isTextual());
        assertTrue(delays.isEmpty());
    }

    @Test
    void wrongPasswordIs401AfterTheDelayAndLogged() throws Exception {
        ApiClient.Reply r = client.post("/access/ticket", Map.of("username", "root@pam", "password", "wrong"), Map.of());
        assertEquals(401, r.status());
        assertEquals("authentication failure", r.body().get("message").asText());
        assertTrue(r.body().get("data").isNull());
        assertEquals(List.of(3000L), delays);
        assertTrue(messages().contains("authentication failure; rhost=127.0.0.1 user=root@pam"), messages().toString());
    }

    @Test
    void secondAttemptOfTheSameAddressWaitsForItsCheck() throws Exception {
        client.post("/access/ticket", Map.of("username", "root@pam", "password", "wrong"), Map.of());
        client.post("/access/ticket", Map.of("username", "root@pam", "password", "wrong"), Map.of());
        // answer delay, then the second check waits 3 s behind the first, then its answer delay
        assertEquals(List.of(3000L, 3000L, 3000L), delays);
    }

    @Test
    void otherUsersAndAMissingPasswordFileFail() throws Exception {
        assertEquals(401, client.post("/access/ticket", Map.of("username", "admin@pve", "password", PASSWORD), Map.of()).status());
        assertTrue(messages().contains("authentication failure; rhost=127.0.0.1 user=admin@pve"));
        Files.delete(cluster.mount.resolve(JoinPassword.FILE));
        assertEquals(401, client.post("/access/ticket", Map.of("username", "root@pam", "password", PASSWORD), Map.of()).status());
    }

    @Test
    void rootLogsInWithTheSystemPassword() throws Exception {
        ApiClient.Reply r = client.post("/access/ticket", Map.of("username", "root@pam", "password", ROOT_PASSWORD), Map.of());
        assertEquals(200, r.status(), r.body().toString());
        assertEquals("root@pam", r.body().get("data").get("username").asText());
        // SHA-512 crypt, the scheme of older installations
        Files.writeString(shadow, "root:$6$0123456789abcdef$qAY5MVHurhFgtoqZdUt9tCFVnqMvaFmMKY2DIzP/LYBL8luFWGGZfcCqvzFFmYD4H9q5pJxfDRJ5NA.jBET36.:19000::::::\n");
        assertEquals(200, client.post("/access/ticket", Map.of("username", "root@pam", "password", "root-sha-2"), Map.of()).status());
        assertEquals(401, client.post("/access/ticket", Map.of("username", "root@pam", "password", ROOT_PASSWORD), Map.of()).status());
    }

    @Test
    void otherPamUsersAndLockedRootAreRefused() throws Exception {
        ApiClient.Reply r = client.post("/access/ticket", Map.of("username", "alice@pam", "password", "alice-pass-1"), Map.of());
        assertEquals(401, r.status());
        assertTrue(messages().contains("authentication failure; rhost=127.0.0.1 user=alice@pam"), messages().toString());
        Files.writeString(shadow, "root:!" + ROOT_YESCRYPT + ":19000::::::\n");
        assertEquals(401, client.post("/access/ticket", Map.of("username", "root@pam", "password", ROOT_PASSWORD), Map.of()).status());
        Files.delete(shadow);
        assertEquals(401, client.post("/access/ticket", Map.of("username", "root@pam", "password", ROOT_PASSWORD), Map.of()).status());
        // the join password still works without a readable shadow file
        assertEquals(200, client.post("/access/ticket", Map.of("username", "root@pam", "password", PASSWORD), Map.of()).status());
    }

    @Test
    void aTicketExpiresAfterTwoHours() throws Exception {
        Map<String, String> auth = login();
        now.addAndGet(Tickets.LIFETIME.toMillis() - 1);
        assertEquals(200, client.get("/cluster/config/apiversion", auth).status());
        now.addAndGet(1);
        ApiClient.Reply r = client.get("/cluster/config/apiversion", auth);
        assertEquals(401, r.status());
        assertEquals("No ticket", r.body().get("message").asText());
    }

    @Test
    void requestsNeedATicket() throws Exception {
        ApiClient.Reply r = client.get("/cluster/config/apiversion", Map.of());
        assertEquals(401, r.status());
        assertEquals(401, client.get("/cluster/config/apiversion", Map.of("Cookie", "PVEAuthCookie=PVE:root@pam:forged")).status());
    }

    @Test
    void apiVersion() throws Exception {
        ApiClient.Reply r = client.get("/cluster/config/apiversion", login());
        assertEquals(200, r.status());
        assertEquals(1, r.body().get("data").asInt());
    }

    @Test
    void joinInformation() throws Exception {
        cluster.ips.put("pve1", "192.0.2.1");
        ApiClient.Reply r = client.get("/cluster/config/join", login());
        assertEquals(200, r.status(), r.body().toString());
        JsonNode d = r.body().get("data");
        JsonNode n = d.get("nodelist").get(0);
        assertEquals("pve1", n.get("name").asText());
        assertEquals("1", n.get("nodeid").asText());
        assertEquals("1", n.get("quorum_votes").asText());
        assertEquals("10.0.0.1", n.get("ring0_addr").asText());
        assertEquals("192.0.2.1", n.get("pve_addr").asText());
        assertEquals(Fingerprint.of(certs.cert), n.get("pve_fp").asText());
        assertEquals("pve1", d.get("preferred_node").asText());
        assertEquals("prod", d.get("totem").get("cluster_name").asText());
        assertEquals("0", d.get("totem").get("interface").get("0").get("linknumber").asText());
        String sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(FakeCluster.CONF.getBytes()));
        assertEquals(sha1, d.get("config_digest").asText());
    }

    @Test
    void joinInformationErrors() throws Exception {
        Map<String, String> auth = login();
        ApiClient.Reply r = client.get("/cluster/config/join?node=pve9", auth);
        assertEquals(500, r.status());
        assertEquals("unknown node 'pve9'", r.body().get("message").asText());
        Files.delete(cluster.mount.resolve("corosync.conf"));
        r = client.get("/cluster/config/join", auth);
        assertEquals(424, r.status());
        assertEquals("node is not in a cluster, no join info available!", r.body().get("message").asText());
    }

    @Test
    void addNode() throws Exception {
        ApiClient.Reply r = client.post("/cluster/config/nodes/pve2",
                Map.of("new_node_ip", "10.0.0.2", "apiversion", "1"), login());
        assertEquals(200, r.status(), r.body().toString());
        JsonNode d = r.body().get("data");
        assertArrayEquals(new byte[] {1, 2, 3, (byte) 0xff}, Base64.getDecoder().decode(d.get("corosync_authkey").asText()));
        CorosyncConf conf = CorosyncConf.parse(d.get("corosync_conf").asText());
        assertEquals("10.0.0.2", conf.node("pve2").orElseThrow().ring0Addr());
        assertEquals(2, conf.configVersion().getAsLong());
        assertTrue(d.get("warnings").isArray());
        assertEquals(0, d.get("warnings").size());
        assertEquals(List.of("5 adding node pve2 to cluster"), cluster.clusterLog);
    }

    @Test
    void addNodeNeedsTheCsrfToken() throws Exception {
        Map<String, String> auth = login();
        ApiClient.Reply r = client.post("/cluster/config/nodes/pve2", Map.of("new_node_ip", "10.0.0.2"),
                Map.of("Cookie", auth.get("Cookie")));
        assertEquals(401, r.status());
        assertEquals(FakeCluster.CONF, cluster.conf());
    }

    @Test
    void addNodeErrorsCarryTheMessageAndDetails() throws Exception {
        Map<String, String> auth = login();
        ApiClient.Reply r = client.post("/cluster/config/nodes/pve1", Map.of("link0", "10.0.0.9"), auth);
        assertEquals(500, r.status());
        assertEquals("can't add existing node 'pve1'", r.body().get("message").asText());
        r = client.post("/cluster/config/nodes/pve2", Map.of("votes", "-1"), auth);
        assertEquals(400, r.status());
        assertEquals("Parameter verification failed.", r.body().get("message").asText());
        assertEquals("value must have a minimum value of 0", r.body().get("errors").get("votes").asText());
        cluster.quorate = false;
        r = client.post("/cluster/config/nodes/pve2", Map.of("link0", "10.0.0.2"), auth);
        assertEquals("cluster not ready - no quorum?", r.body().get("message").asText());
    }

    @Test
    void unknownMethodsAre501() throws Exception {
        ApiClient.Reply r = client.get("/nodes", login());
        assertEquals(501, r.status());
        assertEquals("Method 'GET /nodes' not implemented", r.body().get("message").asText());
        assertEquals(501, client.get("/cluster/config/nodes/pve2/x", login()).status());
    }
}
