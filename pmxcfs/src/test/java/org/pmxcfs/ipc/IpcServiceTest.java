package org.pmxcfs.ipc;

import org.pmxcfs.status.StatusListener;
import org.pmxcfs.ipc.client.Json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pmxcfs.status.ClusterLogEntry;

/** Every op and error through {@link IpcService#handleLine}, without a socket. */
class IpcServiceTest {

    private static final Peer ROOT = Peer.of(0, 0, 33);
    private static final Peer WWW = Peer.of(33, 33, 33);

    @TempDir
    java.nio.file.Path dir;
    private Fixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new Fixture(dir);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private JsonNode call(Peer peer, String line) throws Exception {
        return call(f.service, peer, line.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode call(IpcService s, Peer peer, byte[] line) throws Exception {
        byte[] out = s.handleLine(peer, line);
        for (byte b : out) {
            assertTrue(b != '\n', "a response is one line");
        }
        return Json.MAPPER.readTree(out);
    }

    private static JsonNode ok(JsonNode r) {
        assertTrue(r.get("ok").asBoolean(), () -> "expected success: " + r);
        assertFalse(r.has("errno"));
        return r.get("result");
    }

    private static void fails(String errno, JsonNode r) {
        assertFalse(r.get("ok").asBoolean(), () -> "expected " + errno + ": " + r);
        assertEquals(errno, r.get("errno").asText(), r::toString);
        assertFalse(r.get("error").asText().isEmpty());
        assertFalse(r.has("result"));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(JsonNode n) {
        return new String(Base64.getDecoder().decode(n.asText()), StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- text ops

    @Test
    void statusTextOpsReturnTheStatusFilesVerbatim() throws Exception {
        f.write("nodes/pve1/qemu-server/100.conf", "memory: 512\n");
        JsonNode r = call(ROOT, "{\"id\": 7, \"op\": \"get_fs_version\"}");
        assertEquals(7, r.get("id").asInt());
        assertEquals(new String(f.status.render(".version"), StandardCharsets.UTF_8), ok(r).asText());
        assertEquals(new String(f.status.render(".members"), StandardCharsets.UTF_8),
                ok(call(ROOT, "{\"id\": 8, \"op\": \"get_cluster_info\"}")).asText());
        String vmlist = ok(call(WWW, "{\"id\": 9, \"op\": \"get_guest_list\"}")).asText();
        assertEquals(new String(f.status.render(".vmlist"), StandardCharsets.UTF_8), vmlist);
        assertEquals("qemu", Json.MAPPER.readTree(vmlist).get("ids").get("100").get("type").asText());
        assertEquals("pve1", Json.MAPPER.readTree(ok(call(WWW, "{\"id\": 1, \"op\": \"get_cluster_info\"}")).asText())
                .get("nodename").asText());
    }

    @Test
    void idIsEchoedAndOptional() throws Exception {
        assertEquals(-5, call(ROOT, "{\"op\": \"get_rrd_dump\", \"id\": -5}").get("id").asInt());
        assertEquals(9007199254740993L, call(ROOT, "{\"id\": 9007199254740993, \"op\": \"get_rrd_dump\"}").get("id")
                .asLong());
        JsonNode r = call(ROOT, "{\"op\": \"get_rrd_dump\"}");
        assertTrue(r.get("id").isNull());
        assertEquals("", ok(r).asText());
        assertTrue(call(ROOT, "{\"id\": null, \"op\": \"get_rrd_dump\"}").get("id").isNull());
    }

    // ---------------------------------------------------------------- status

    @Test
    void setAndGetStatusAndTheVersionFile() throws Exception {
        ok(call(ROOT, "{\"id\":1,\"op\":\"set_status\",\"name\":\"tasklist\",\"value_b64\":\"" + b64("[1]") + "\"}"));
        JsonNode set = call(ROOT, "{\"id\":1,\"op\":\"set_status\",\"name\":\"tasklist\",\"value_b64\":\"" + b64("[2]")
                + "\"}");
        assertTrue(set.has("result") && set.get("result").isNull());
        call(ROOT, "{\"id\":1,\"op\":\"set_status\",\"name\":\"kv/ceph-versions\",\"value_b64\":\"" + b64("{}") + "\"}");
        assertEquals("[2]", unb64(ok(call(ROOT, "{\"id\":2,\"op\":\"get_status\",\"name\":\"tasklist\"}")).get("value_b64")));
        assertEquals("[2]", unb64(ok(call(WWW, "{\"id\":2,\"op\":\"get_status\",\"name\":\"tasklist\",\"node\":\"pve1\"}"))
                .get("value_b64")));
        assertEquals("[2]", unb64(ok(call(WWW, "{\"id\":2,\"op\":\"get_status\",\"name\":\"tasklist\",\"node\":\"\"}"))
                .get("value_b64")));
        fails("ENOENT", call(ROOT, "{\"id\":2,\"op\":\"get_status\",\"name\":\"tasklist\",\"node\":\"pve2\"}"));
        fails("ENOENT", call(ROOT, "{\"id\":2,\"op\":\"get_status\",\"name\":\"nope\"}"));

        JsonNode version = Json.MAPPER.readTree(ok(call(ROOT, "{\"id\":3,\"op\":\"get_fs_version\"}")).asText());
        assertEquals(1, version.get("kvstore").get("pve1").get("tasklist").asInt());
        assertEquals(0, version.get("kvstore").get("pve1").get("kv/ceph-versions").asInt());

        // empty value deletes
        ok(call(ROOT, "{\"id\":4,\"op\":\"set_status\",\"name\":\"tasklist\",\"value_b64\":\"\"}"));
        fails("ENOENT", call(ROOT, "{\"id\":5,\"op\":\"get_status\",\"name\":\"tasklist\"}"));
        version = Json.MAPPER.readTree(ok(call(ROOT, "{\"id\":3,\"op\":\"get_fs_version\"}")).asText());
        assertFalse(version.get("kvstore").get("pve1").has("tasklist"));
    }

    @Test
    void binaryStatusValuesSurvive() throws Exception {
        byte[] v = new byte[256];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) i;
        }
        String enc = Base64.getEncoder().encodeToString(v);
        ok(call(ROOT, "{\"id\":1,\"op\":\"set_status\",\"name\":\"bin\",\"value_b64\":\"" + enc + "\"}"));
        assertArrayEquals(v, Base64.getDecoder().decode(
                ok(call(ROOT, "{\"id\":2,\"op\":\"get_status\",\"name\":\"bin\"}")).get("value_b64").asText()));
    }

    @Test
    void quorumOpsNeedClusterModeAndSetExpectedNeedsWriteAccess() throws Exception {
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"get_quorum_status\"}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"set_expected\",\"votes\":1}"));
        fails("EPERM", call(WWW, "{\"id\":1,\"op\":\"set_expected\",\"votes\":1}"));
    }

    @Test
    void statusLimits() throws Exception {
        String max = Base64.getEncoder().encodeToString(new byte[32 * 1024]);
        String over = Base64.getEncoder().encodeToString(new byte[32 * 1024 + 1]);
        ok(call(ROOT, "{\"id\":1,\"op\":\"set_status\",\"name\":\"big\",\"value_b64\":\"" + max + "\"}"));
        fails("EFBIG", call(ROOT, "{\"id\":1,\"op\":\"set_status\",\"name\":\"big\",\"value_b64\":\"" + over + "\"}"));
        ok(call(ROOT, "{\"id\":1,\"op\":\"set_status\",\"name\":\"" + "n".repeat(255) + "\",\"value_b64\":\"AA==\"}"));
        fails("ENAMETOOLONG", call(ROOT, "{\"id\":1,\"op\":\"set_status\",\"name\":\"" + "n".repeat(256)
                + "\",\"value_b64\":\"AA==\"}"));
        fails("ENAMETOOLONG", call(ROOT, "{\"id\":1,\"op\":\"get_status\",\"name\":\"" + "n".repeat(256) + "\"}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"set_status\",\"name\":\"\",\"value_b64\":\"AA==\"}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"set_status\",\"name\":\"a\\u0000b\",\"value_b64\":\"AA==\"}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"set_status\",\"name\":\"x\",\"value_b64\":\"not base64!\"}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"set_status\",\"name\":\"x\"}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"set_status\",\"name\":\"x\",\"value_b64\":5}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"set_status\",\"name\":7,\"value_b64\":\"AA==\"}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"set_status\",\"name\":\"x\",\"value_b64\":\"AA==\",\"value\":1}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"get_status\"}"));
    }

    @Test
    void rrdDump() throws Exception {
        ok(call(ROOT, "{\"id\":1,\"op\":\"set_status\",\"name\":\"rrd/pve2-node/pve1\",\"value_b64\":\""
                + b64("1700000000:0.1:2\0") + "\"}"));
        assertEquals("pve2-node/pve1:1700000000:0.1:2\n", ok(call(WWW, "{\"id\":2,\"op\":\"get_rrd_dump\"}")).asText());
        fails("ENOENT", call(ROOT, "{\"id\":3,\"op\":\"get_status\",\"name\":\"rrd/pve2-node/pve1\"}"));
        f.now.addAndGet(301);
        assertEquals("", ok(call(WWW, "{\"id\":2,\"op\":\"get_rrd_dump\"}")).asText());
    }

    // ---------------------------------------------------------------- cluster log

    @Test
    void logAndReadTheClusterLog() throws Exception {
        List<ClusterLogEntry> seen = new CopyOnWriteArrayList<>();
        IpcService s = new IpcService(f.db, f.status, f.clusterLog, f.kv, f.now::get, new StatusListener() {
            @Override
            public void clusterLogged(ClusterLogEntry entry) {
                seen.add(entry);
            }
        });
        f.now.set(Fixture.START + 10);
        ok(call(s, ROOT, bytes("{\"id\":1,\"op\":\"log_cluster_msg\",\"priority\":6,\"ident\":\"root@pam\","
                + "\"tag\":\"pvecm\",\"msg\":\"adding node \\\"pve2\\\" – ok\"}")));
        f.now.set(Fixture.START + 11);
        ok(call(s, ROOT, bytes("{\"id\":2,\"op\":\"log_cluster_msg\",\"priority\":3,\"ident\":\"alice@pve\","
                + "\"tag\":\"pvedaemon\",\"msg\":\"\",\"pid\":4711}")));
        assertEquals(2, seen.size());
        assertEquals(0, seen.get(0).pid(), "no pid from SO_PEERCRED in Java, none declared");
        assertEquals(4711, seen.get(1).pid());

        JsonNode log = Json.MAPPER.readTree(ok(call(WWW, "{\"id\":3,\"op\":\"get_cluster_log\"}")).asText());
        JsonNode data = log.get("data");
        assertEquals(3, data.size());
        assertEquals("alice@pve", data.get(0).get("user").asText(), "newest first");
        assertEquals(3, data.get(0).get("pri").asInt());
        assertEquals(Fixture.START + 11, data.get(0).get("time").asLong());
        assertEquals("pvecm", data.get(1).get("tag").asText());
        assertEquals("pve1", data.get(1).get("node").asText());
        // stored in the original's ASCII wire form (\u2013), which a JSON parser turns back into the dash
        assertEquals("adding node \"pve2\" \u2013 ok", data.get(1).get("msg").asText());
        assertEquals("adding node \\\"pve2\\\" \\u2013 ok", f.clusterLog.newest(2).get(1).msg());
        assertEquals("starting cluster log", data.get(2).get("msg").asText());

        data = Json.MAPPER.readTree(ok(call(WWW, "{\"id\":4,\"op\":\"get_cluster_log\",\"max\":1}")).asText()).get("data");
        assertEquals(1, data.size());
        assertEquals("alice@pve", data.get(0).get("user").asText());
        data = Json.MAPPER.readTree(ok(call(WWW, "{\"id\":4,\"op\":\"get_cluster_log\",\"max\":0,\"user\":\"root@pam\"}"))
                .asText()).get("data");
        assertEquals(1, data.size());
        assertEquals("pvecm", data.get(0).get("tag").asText());
        assertEquals(new String(f.status.renderClusterLog(50, null), StandardCharsets.UTF_8),
                ok(call(WWW, "{\"id\":4,\"op\":\"get_cluster_log\",\"user\":\"\"}")).asText());
        fails("EINVAL", call(WWW, "{\"id\":4,\"op\":\"get_cluster_log\",\"max\":-1}"));
        fails("EINVAL", call(WWW, "{\"id\":4,\"op\":\"get_cluster_log\",\"max\":\"5\"}"));
    }

    @Test
    void defaultClusterLogIsFiftyEntries() throws Exception {
        for (int i = 0; i < 60; i++) {
            ok(call(ROOT, "{\"id\":1,\"op\":\"log_cluster_msg\",\"priority\":6,\"ident\":\"root@pam\",\"tag\":\"t\","
                    + "\"msg\":\"m" + i + "\"}"));
        }
        assertEquals(50, Json.MAPPER.readTree(ok(call(ROOT, "{\"id\":1,\"op\":\"get_cluster_log\"}")).asText())
                .get("data").size());
        assertEquals(61, Json.MAPPER.readTree(ok(call(ROOT, "{\"id\":1,\"op\":\"get_cluster_log\",\"max\":1000}"))
                .asText()).get("data").size());
    }

    @Test
    void logArgumentErrors() throws Exception {
        String base = "\"ident\":\"root@pam\",\"tag\":\"t\",\"msg\":\"m\"";
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"log_cluster_msg\",\"priority\":8," + base + "}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"log_cluster_msg\",\"priority\":-1," + base + "}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"log_cluster_msg\",\"priority\":\"info\"," + base + "}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"log_cluster_msg\",\"priority\":1.5," + base + "}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"log_cluster_msg\"," + base + "}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"log_cluster_msg\",\"priority\":6,\"tag\":\"t\",\"msg\":\"m\"}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"log_cluster_msg\",\"priority\":6,\"ident\":\"a\",\"msg\":\"m\"}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"log_cluster_msg\",\"priority\":6,\"ident\":\"a\",\"tag\":\"t\"}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"log_cluster_msg\",\"priority\":6,\"ident\":\"a\\u0000\"," +
                "\"tag\":\"t\",\"msg\":\"m\"}"));
        fails("EINVAL", call(ROOT, "{\"id\":1,\"op\":\"log_cluster_msg\",\"priority\":6," + base + ",\"pid\":-3}"));
        assertEquals(1, f.clusterLog.newest(100).size(), "nothing was logged");
    }

    // ---------------------------------------------------------------- get_config

    @Test
    void getConfig() throws Exception {
        f.write("storage.cfg", "dir: local\n\tpath /var/lib/vz\n");
        f.write("empty.cfg", new byte[0]);
        f.mkdirs("nodes/pve1/qemu-server");
        assertEquals("dir: local\n\tpath /var/lib/vz\n",
                unb64(ok(call(WWW, "{\"id\":1,\"op\":\"get_config\",\"path\":\"storage.cfg\"}")).get("data_b64")));
        assertEquals("dir: local\n\tpath /var/lib/vz\n",
                unb64(ok(call(WWW, "{\"id\":1,\"op\":\"get_config\",\"path\":\"/storage.cfg\"}")).get("data_b64")));
        assertEquals("", ok(call(WWW, "{\"id\":1,\"op\":\"get_config\",\"path\":\"empty.cfg\"}")).get("data_b64").asText());
        fails("ENOENT", call(WWW, "{\"id\":1,\"op\":\"get_config\",\"path\":\"missing.cfg\"}"));
        fails("ENOENT", call(WWW, "{\"id\":1,\"op\":\"get_config\",\"path\":\"nodes/pve1/qemu-server\"}"));
        fails("ENOENT", call(WWW, "{\"id\":1,\"op\":\"get_config\",\"path\":\"\"}"));
        fails("ENOENT", call(WWW, "{\"id\":1,\"op\":\"get_config\",\"path\":\".version\"}"));
        fails("EINVAL", call(WWW, "{\"id\":1,\"op\":\"get_config\"}"));
        fails("EINVAL", call(WWW, "{\"id\":1,\"op\":\"get_config\",\"path\":[\"a\"]}"));
        fails("EINVAL", call(WWW, "{\"id\":1,\"op\":\"get_config\",\"path\":\"storage.cfg\\u0000x\"}"));
    }

    @Test
    void getConfigOfExactlyOneMebibyte() throws Exception {
        byte[] data = new byte[1 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        f.write("big.bin", data);
        byte[] line = f.service.handleLine(ROOT, bytes("{\"id\":1,\"op\":\"get_config\",\"path\":\"big.bin\"}"));
        JsonNode r = Json.MAPPER.readTree(line);
        assertArrayEquals(data, Base64.getDecoder().decode(ok(r).get("data_b64").asText()));
    }

    @Test
    void privatePathsAreRootOnly() throws Exception {
        f.write("priv/authkey.key", "secret");
        f.write("nodes/pve1/priv/token.cfg", "t");
        f.write("nodes/pve1/pve-ssl.pem", "cert");
        f.write("privx/a", "not private");
        for (String p : List.of("priv/authkey.key", "/priv/authkey.key", "priv//authkey.key", "nodes/pve1/priv/token.cfg",
                "nodes//pve1/priv/token.cfg", "priv/missing", "priv", "nodes/pve9/priv/x")) {
            fails("EPERM", call(WWW, "{\"id\":1,\"op\":\"get_config\",\"path\":\"" + p + "\"}"));
        }
        assertEquals("secret", unb64(ok(call(ROOT, "{\"id\":1,\"op\":\"get_config\",\"path\":\"priv/authkey.key\"}"))
                .get("data_b64")));
        assertEquals("t", unb64(ok(call(ROOT, "{\"id\":1,\"op\":\"get_config\",\"path\":\"nodes/pve1/priv/token.cfg\"}"))
                .get("data_b64")));
        fails("ENOENT", call(ROOT, "{\"id\":1,\"op\":\"get_config\",\"path\":\"priv/missing\"}"));
        assertEquals("cert", unb64(ok(call(WWW, "{\"id\":1,\"op\":\"get_config\",\"path\":\"nodes/pve1/pve-ssl.pem\"}"))
                .get("data_b64")));
        assertEquals("not private", unb64(ok(call(WWW, "{\"id\":1,\"op\":\"get_config\",\"path\":\"privx/a\"}"))
                .get("data_b64")));
    }

    @Test
    void readOnlyClientsCannotWrite() throws Exception {
        fails("EPERM", call(WWW, "{\"id\":1,\"op\":\"set_status\",\"name\":\"x\",\"value_b64\":\"AA==\"}"));
        fails("EPERM", call(WWW, "{\"id\":1,\"op\":\"log_cluster_msg\",\"priority\":6,\"ident\":\"a\",\"tag\":\"t\","
                + "\"msg\":\"m\"}"));
        fails("EPERM", call(WWW, "{\"id\":1,\"op\":\"set_status\"}"), "EPERM before argument checks");
        assertTrue(f.kv.get(null, "x").isEmpty());
        assertEquals(1, f.clusterLog.newest(100).size());
        // and a rejected peer never reaches the service, but would get EPERM too
        fails("EPERM", call(Peer.of(1000, 1000, 33), "{\"id\":1,\"op\":\"set_status\",\"name\":\"x\",\"value_b64\":\"\"}"));
    }

    private static void fails(String errno, JsonNode r, String why) {
        assertEquals(errno, r.path("errno").asText(), why);
    }

    // ---------------------------------------------------------------- guest properties

    @Test
    void guestConfigProperty() throws Exception {
        f.write("nodes/pve1/qemu-server/100.conf", "lock: backup\ntags: a;b\n[snap]\nlock: snapshot\n");
        f.write("nodes/pve1/lxc/101.conf", "tags: ct\n");
        assertEquals("{\n\"100\":{\"lock\": \"backup\"}\n}\n", ok(call(WWW,
                "{\"id\":1,\"op\":\"get_guest_config_property\",\"vmid\":100,\"property\":\"lock\"}")).asText());
        String all = ok(call(WWW, "{\"id\":1,\"op\":\"get_guest_config_property\",\"property\":\"tags\"}")).asText();
        assertEquals("{\n\"100\":{\"tags\": \"a;b\"},\n\"101\":{\"tags\": \"ct\"}\n}\n", all);
        assertEquals("a;b", Json.MAPPER.readTree(all).get("100").get("tags").asText());
        assertEquals(all, ok(call(WWW, "{\"id\":1,\"op\":\"get_guest_config_property\",\"vmid\":0,\"property\":\"tags\"}"))
                .asText());
        fails("EINVAL", call(WWW, "{\"id\":1,\"op\":\"get_guest_config_property\",\"vmid\":99,\"property\":\"lock\"}"));
        fails("ENOENT", call(WWW, "{\"id\":1,\"op\":\"get_guest_config_property\",\"vmid\":102,\"property\":\"lock\"}"));
        fails("EINVAL", call(WWW, "{\"id\":1,\"op\":\"get_guest_config_property\",\"vmid\":100}"));
        fails("EINVAL", call(WWW, "{\"id\":1,\"op\":\"get_guest_config_property\",\"vmid\":100,\"property\":\"Lock\"}"));
    }

    // ---------------------------------------------------------------- malformed requests

    @Test
    void malformedRequests() throws Exception {
        for (String bad : List.of("not json", "[1,2]", "42", "\"get_fs_version\"", "null", "{", "{\"id\":1,\"op\":",
                "{\"id\":1,\"op\":\"get_fs_version\"} {\"id\":2}", "{\"id\":1,\"id\":2,\"op\":\"get_fs_version\"}",
                "{'id':1,'op':'get_fs_version'}", "{\"id\":NaN,\"op\":\"get_fs_version\"}")) {
            JsonNode r = call(ROOT, bad);
            fails("EINVAL", r);
            assertTrue(r.get("id").isNull(), bad);
        }
        fails("EINVAL", call(ROOT, "{\"id\":\"1\",\"op\":\"get_fs_version\"}"));
        fails("EINVAL", call(ROOT, "{\"id\":1.5,\"op\":\"get_fs_version\"}"));
        fails("EINVAL", call(ROOT, "{\"id\":1e400,\"op\":\"get_fs_version\"}"));
        fails("EINVAL", call(ROOT, "{\"id\":123456789012345678901234567890,\"op\":\"get_fs_version\"}"));
        fails("EINVAL", call(f.service, ROOT, new byte[] {'{', '"', (byte) 0xff, (byte) 0xfe, '"', ':', '1', '}'}));
        fails("EINVAL", call(f.service, ROOT, new byte[] {0, 1, 2, 3, (byte) 0x80}));
    }

    @Test
    void missingOrUnknownOp() throws Exception {
        JsonNode r = call(ROOT, "{\"id\":3}");
        fails("EINVAL", r);
        assertEquals(3, r.get("id").asInt(), "the id is echoed once it could be read");
        fails("EINVAL", call(ROOT, "{\"id\":3,\"op\":5}"));
        r = call(ROOT, "{\"id\":4,\"op\":\"verify_token\"}");
        fails("EINVAL", r);
        assertTrue(r.get("error").asText().contains("unknown op 'verify_token'"), r.toString());
        assertTrue(r.get("error").asText().contains("get_fs_version"), "lists the known ops");
        fails("EINVAL", call(ROOT, "{\"id\":5,\"op\":\"get_fs_version\",\"extra\":1}"));
    }

    @Test
    void everyDocumentedOpExists() {
        assertEquals(List.of("get_fs_version", "get_cluster_info", "get_guest_list", "set_status", "get_status",
                "log_cluster_msg", "get_cluster_log", "get_config", "get_rrd_dump", "get_guest_config_property",
                "get_paths", "join_cluster", "get_quorum_status", "set_expected"),
                List.copyOf(f.service.opNames()));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
