package org.pmxcfs.joinapi;

import org.pmxcfs.join.AddNode;
import org.pmxcfs.join.FakeCluster;
import org.pmxcfs.join.NodeKeyManager;
import org.pmxcfs.join.Pem;
import org.pmxcfs.join.TestCerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pmxcfs.web.ClusterRoutes;
import org.pmxcfs.web.Tasks;
import org.pmxcfs.web.WebPages;

/**
 * The web page's API over real HTTPS: cluster status, create and join as tasks running a real
 * child process (a stand-in script for pvecm that prints what it got), and the page's files.
 */
class WebApiTest {

    /** Prints its arguments and its standard input; "fail" as cluster name fails, "slow" sleeps. */
    private static final String FAKE_PVECM = """
            #!/bin/sh
            echo "args: $*"
            while IFS= read -r line; do echo "stdin: $line"; done
            case "$*" in
              *" create fail"*) echo "cluster config '/etc/pve/corosync.conf' already exists" >&2; exit 255 ;;
              *" create slow"*) sleep 3 ;;
            esac
            echo done
            """;

    @TempDir
    static Path certDir;
    static TestCerts certs;

    @TempDir
    Path dir;
    private FakeCluster cluster;
    private JoinApiServer server;
    private ApiClient client;

    @BeforeAll
    static void generate() throws Exception {
        certs = TestCerts.generate(certDir, "pve1");
    }

    @BeforeEach
    void start() throws Exception {
        cluster = new FakeCluster(dir);
        Files.writeString(dir.resolve("shadow"), "root:" + ApiServerTest.ROOT_YESCRYPT + ":19000::::::\n");
        Path pvecm = dir.resolve("pvecm");
        Files.writeString(pvecm, FAKE_PVECM);
        Files.setPosixFilePermissions(pvecm, PosixFilePermissions.fromString("rwx------"));
        NodeKeyManager keys = new NodeKeyManager();
        keys.set(Pem.privateKey(certs.pkcs1Pem()), new java.security.cert.X509Certificate[] {certs.cert});
        ClusterRoutes routes = new ClusterRoutes(new ClusterRoutes.Settings(cluster.mount, "pve1", dir.resolve("run"),
                17701, pvecm.toString()), new Tasks("pve1", System::currentTimeMillis));
        ApiHandler api = new ApiHandler(cluster, new Credentials(new SystemPassword(dir.resolve("shadow")), cluster.mount),
                routes, new AddNode(cluster, cluster.lock(new CopyOnWriteArrayList<>()), h -> java.util.Optional.empty()),
                new LoginThrottle(System::currentTimeMillis), new Tickets(System::currentTimeMillis),
                (ms, task) -> task.run(), System::currentTimeMillis);
        server = JoinApiServer.start(new InetSocketAddress("127.0.0.1", 0), keys, new WebPages(api));
        client = new ApiClient(certs.cert, server.address().getPort());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Map<String, String> login() throws Exception {
        ApiClient.Reply r = client.post("/access/ticket",
                Map.of("username", "root@pam", "password", ApiServerTest.ROOT_PASSWORD), Map.of());
        assertEquals(200, r.status(), r.body().toString());
        JsonNode d = r.body().get("data");
        return Map.of("Cookie", "PVEAuthCookie=" + d.get("ticket").asText(),
                "CSRFPreventionToken", d.get("CSRFPreventionToken").asText());
    }

    /** Polls the task until it has stopped (at most 10 s); its log lines. */
    private List<String> finish(String upid, Map<String, String> auth, String expectedExit) throws Exception {
        String path = "/nodes/pve1/tasks/" + URLEncoder.encode(upid, StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + 10_000_000_000L;
        JsonNode st;
        do {
            assertTrue(System.nanoTime() < deadline, "task still running after 10 s");
            Thread.sleep(50);
            st = client.get(path + "/status", auth).body().get("data");
        } while (st.get("status").asText().equals("running"));
        assertEquals(expectedExit, st.get("exitstatus").asText());
        List<String> lines = new ArrayList<>();
        client.get(path + "/log?start=0", auth).body().get("data").forEach(l -> lines.add(l.get("t").asText()));
        return lines;
    }

    @Test
    void statusShowsTheClusterAndItsNodes() throws Exception {
        Files.writeString(cluster.mount.resolve(".members"), """
                {
                "nodename": "pve1",
                "version": 4,
                "cluster": { "name": "prod", "version": 1, "nodes": 1, "quorate": 1 },
                "nodelist": {
                  "pve1": { "id": 1, "online": 1, "ip": "10.0.0.1"}
                  }
                }
                """);
        JsonNode d = client.get("/cluster/status", login()).body().get("data");
        assertEquals("cluster", d.get(0).get("type").asText());
        assertEquals("prod", d.get(0).get("name").asText());
        assertEquals(1, d.get(0).get("quorate").asInt());
        assertEquals(1, d.get(0).get("expected_votes").asInt());
        JsonNode n = d.get(1);
        assertEquals("pve1", n.get("name").asText());
        assertEquals(1, n.get("online").asInt());
        assertEquals(1, n.get("local").asInt());
        assertEquals("10.0.0.1", n.get("links").get("0").asText());
    }

    @Test
    void createRunsPvecmAsATaskAndStreamsItsLog() throws Exception {
        Map<String, String> auth = login();
        ApiClient.Reply r = client.post("/cluster/config", Map.of("clustername", "try", "link0", "10.0.0.9,priority=5"), auth);
        assertEquals(200, r.status(), r.body().toString());
        String upid = r.body().get("data").asText();
        assertTrue(upid.startsWith("UPID:pve1:") && upid.contains(":clustercreate:try:root@pam:"), upid);
        List<String> log = finish(upid, auth, "OK");
        assertEquals("args: --run-dir " + dir.resolve("run") + " create try --link0 10.0.0.9,priority=5", log.get(0));
        assertEquals(List.of("done", "TASK OK"), log.subList(1, 3));
    }

    @Test
    void joinPassesThePasswordOnStandardInputOnly() throws Exception {
        Map<String, String> auth = login();
        String fp = "AB:" .repeat(31) + "CD";
        ApiClient.Reply r = client.post("/cluster/config/join", Map.of("hostname", "10.0.0.1", "fingerprint", fp,
                "password", "peer secret", "link0", "10.0.0.2"), auth);
        assertEquals(200, r.status(), r.body().toString());
        List<String> log = finish(r.body().get("data").asText(), auth, "OK");
        assertEquals("args: --run-dir " + dir.resolve("run") + " add 10.0.0.1 --fingerprint " + fp
                + " --api-port 17701 --link0 10.0.0.2", log.get(0));
        assertEquals("stdin: peer secret", log.get(1));
    }

    @Test
    void aFailedTaskEndsWithItsErrorAndOneTaskRunsAtATime() throws Exception {
        Map<String, String> auth = login();
        String upid = client.post("/cluster/config", Map.of("clustername", "fail"), auth).body().get("data").asText();
        List<String> log = finish(upid, auth, "cluster config '/etc/pve/corosync.conf' already exists");
        assertEquals("TASK ERROR: cluster config '/etc/pve/corosync.conf' already exists", log.get(log.size() - 1));

        String slow = client.post("/cluster/config", Map.of("clustername", "slow"), auth).body().get("data").asText();
        ApiClient.Reply second = client.post("/cluster/config", Map.of("clustername", "other"), auth);
        assertEquals(500, second.status());
        assertTrue(second.body().get("message").asText().startsWith("another cluster task is still running"));
        finish(slow, auth, "OK");
    }

    @Test
    void badParametersAreNamedAndNothingRuns() throws Exception {
        Map<String, String> auth = login();
        ApiClient.Reply r = client.post("/cluster/config", Map.of("clustername", "bad_name", "link0", "no address!"), auth);
        assertEquals(400, r.status());
        assertEquals("Parameter verification failed.", r.body().get("message").asText());
        assertTrue(r.body().get("errors").has("clustername"), r.body().toString());
        assertTrue(r.body().get("errors").has("link0"), r.body().toString());
        r = client.post("/cluster/config/join", Map.of("hostname", "10.0.0.1", "fingerprint", "nope"), auth);
        assertEquals(400, r.status());
        assertTrue(r.body().get("errors").has("fingerprint"));
        assertTrue(r.body().get("errors").has("password"));
    }

    @Test
    void changesNeedTicketAndCsrfToken() throws Exception {
        Map<String, String> auth = login();
        assertEquals(401, client.get("/cluster/status", Map.of()).status());
        ApiClient.Reply r = client.post("/cluster/config", Map.of("clustername", "try"), Map.of("Cookie", auth.get("Cookie")));
        assertEquals(401, r.status());
        assertEquals("Permission denied - invalid csrf token", r.body().get("message").asText());
        assertEquals(401, client.post("/cluster/config/join", Map.of(), Map.of("Cookie", auth.get("Cookie"))).status());
        assertFalse(Files.exists(dir.resolve("run")), "nothing ran");
    }

    @Test
    void thePageComesFromTheJarWithoutLogin() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(ApiClient.trusting(certs.cert)).build();
        String base = "https://127.0.0.1:" + server.address().getPort();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.body().contains("Create Cluster") && page.body().contains("/pve-web/app.js"));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
        for (String file : List.of("/pve-web/app.js", "/pve-web/app.css")) {
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + file)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), file);
        }
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/etc/passwd")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }
}
