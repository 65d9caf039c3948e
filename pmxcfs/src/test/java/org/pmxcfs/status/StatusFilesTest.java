package org.pmxcfs.status;

import com.fasterxml.jackson.databind.DeserializationFeature;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.pmxcfs.dbstore.VmList;
import org.pmxcfs.dbstore.VmList.VmInfo;

/** Byte-exact comparison with the reference samples, and JSON validity. */
class StatusFilesTest {

    private static final VmList NO_VMS = new VmList(0, Map.of());

    static byte[] sample(String path) {
        try (InputStream in = StatusFilesTest.class.getResourceAsStream("samples/" + path)) {
            if (in == null) {
                throw new IllegalStateException("missing sample " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertSame(String samplePath, byte[] actual) {
        byte[] expected = sample(samplePath);
        assertEquals(new String(expected, StandardCharsets.UTF_8), new String(actual, StandardCharsets.UTF_8), samplePath);
        assertArrayEquals(expected, actual, samplePath);
    }

    static Object parseJson(byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            // integers as Long, as the checks compare them
            return org.pmxcfs.ipc.client.Json.MAPPER.reader().with(DeserializationFeature.USE_LONG_FOR_INTS)
                    .readValue(text, Object.class);
        } catch (CharacterCodingException e) {
            throw new AssertionError("not UTF-8", e);
        } catch (java.io.IOException e) {
            throw new AssertionError("not strict JSON: " + e.getMessage(), e);
        }
    }

    private static VersionCounters freshCounters() {
        VersionCounters c = new VersionCounters();
        c.reloaded(); // the initial DB load
        return c;
    }

    // ---- local-fresh -------------------------------------------------------------------------

    private static StatusFiles localFresh(AtomicBoolean debug) {
        ClusterLog log = new ClusterLog("pmxa-local");
        log.addLocal(6, "root", "cluster", 5063, "starting cluster log", 1795303925L);
        return new StatusFiles("pmxa-local", 1795303925L, () -> NO_VMS, freshCounters(), log, debug::get);
    }

    @Test
    void localFreshMatchesSamples() {
        StatusFiles sf = localFresh(new AtomicBoolean(false));
        assertSame("local-fresh/version.txt", sf.render(".version"));
        assertSame("local-fresh/members.txt", sf.render(".members"));
        assertSame("local-fresh/vmlist.txt", sf.render(".vmlist"));
        assertSame("local-fresh/clusterlog.txt", sf.render(".clusterlog"));
        assertSame("local-fresh/debug.txt", sf.render(".debug"));
        assertSame("local-fresh/rrd.txt", sf.render(".rrd"));
    }

    @Test
    void localFreshSizesMatchListing() {
        // ls-laR.txt of local-fresh: .clusterlog 157, .members 43, .rrd 0, .version 1051, .vmlist 18
        StatusFiles sf = localFresh(new AtomicBoolean(false));
        assertEquals(157, sf.render(".clusterlog").length);
        assertEquals(43, sf.render(".members").length);
        assertEquals(0, sf.render(".rrd").length);
        assertEquals(1051, sf.render(".version").length);
        assertEquals(18, sf.render(".vmlist").length);
        assertEquals(2, sf.render(".debug").length);
    }

    @Test
    void debugFollowsSwitch() {
        AtomicBoolean debug = new AtomicBoolean(false);
        StatusFiles sf = localFresh(debug);
        assertEquals("0\n", new String(sf.render(".debug"), StandardCharsets.US_ASCII));
        debug.set(true);
        assertEquals("1\n", new String(sf.render(".debug"), StandardCharsets.US_ASCII));
    }

    @Test
    void localFilesAreValidJson() {
        StatusFiles sf = localFresh(new AtomicBoolean(false));
        for (String n : List.of(".version", ".members", ".vmlist", ".clusterlog")) {
            parseJson(sf.render(n));
        }
    }

    // ---- local-after-2-guests ----------------------------------------------------------------

    @Test
    void localAfterTwoGuestsMatchesSamples() {
        VersionCounters c = freshCounters();
        // What the memdb reports for the scenario: mkdirs, two guest configs, datacenter.cfg via
        // tmp file + rename (both rename ends are reported), the rejected write changes nothing.
        for (String p : List.of("nodes", "nodes/pmxa-local", "nodes/pmxa-local/qemu-server", "nodes/pmxa-local/lxc",
                "nodes/pmxa-local/priv", "priv", "nodes/pmxa-local/qemu-server/100.conf",
                "nodes/pmxa-local/lxc/200.conf", "datacenter.cfg.tmp.1234", "datacenter.cfg.tmp.1234",
                "datacenter.cfg", "nodes/other", "nodes/other/qemu-server")) {
            c.changed(p);
        }
        VmList vms = new VmList(4, Map.of(
                100L, new VmInfo(100, "pmxa-local", "qemu", 2),
                200L, new VmInfo(200, "pmxa-local", "lxc", 4)));
        ClusterLog log = new ClusterLog("pmxa-local");
        log.addLocal(6, "root", "cluster", 17069, "starting cluster log", 1795303823L);
        StatusFiles sf = new StatusFiles("pmxa-local", 1795303823L, () -> vms, c, log, () -> false);

        assertSame("local-after-2-guests/version.txt", sf.render(".version"));
        assertSame("local-after-2-guests/vmlist.txt", sf.render(".vmlist"));
        assertSame("local-after-2-guests/members.txt", sf.render(".members"));
        assertSame("local-after-2-guests/clusterlog.txt", sf.render(".clusterlog"));
        assertEquals(153, sf.render(".vmlist").length); // ls-laR.txt
        parseJson(sf.render(".vmlist"));
    }

    // ---- cluster-3node/n1 --------------------------------------------------------------------

    private static ClusterMembers threeNodes(boolean quorate, boolean othersOnline) {
        return new ClusterMembers("pmxa", 3, quorate, List.of(
                new ClusterMembers.Node("pmxa-n1", 1, true, "10.250.0.1"),
                new ClusterMembers.Node("pmxa-n2", 2, othersOnline, "10.250.0.2"),
                new ClusterMembers.Node("pmxa-n3", 3, othersOnline, "10.250.0.3")));
    }

    private static VersionCounters countersWithClinfo(int clinfo) {
        VersionCounters c = freshCounters();
        for (int i = 0; i < clinfo; i++) {
            c.bumpClinfo();
        }
        return c;
    }

    @Test
    void clusterNodeMatchesSamples() {
        VersionCounters c = countersWithClinfo(6);
        c.changed("datacenter.cfg");
        VmList vms = new VmList(6, Map.of(
                100L, new VmInfo(100, "pmxa-n1", "qemu", 2),
                101L, new VmInfo(101, "pmxa-n2", "lxc", 4),
                102L, new VmInfo(102, "pmxa-n3", "qemu", 6)));
        ClusterLog log = new ClusterLog("pmxa-n1");
        log.addLocal(6, "root", "cluster", 10392, "starting cluster log", 1795303998L);
        // n2's and n3's buffers as exchanged after the membership change
        log.merge(List.of(
                new ClusterLogEntry(1, 1795303998L, 6, "cluster", 10391, "pmxa-n2", "root", "starting cluster log"),
                new ClusterLogEntry(1, 1795303998L, 6, "cluster", 10396, "pmxa-n3", "root", "starting cluster log")));
        ClusterMembers cm = threeNodes(true, true);
        StatusFiles sf = new StatusFiles("pmxa-n1", 1795303998L, () -> vms, c, log, () -> false,
                () -> cm, () -> Map.of("pmxa-n1", Map.of()), () -> "");

        assertSame("cluster-3node/n1/members.txt", sf.render(".members"));
        assertSame("cluster-3node/n1/clusterlog.txt", sf.render(".clusterlog"));
        assertSame("cluster-3node/n1/vmlist.txt", sf.render(".vmlist"));
        assertSame("cluster-3node/n1/version.txt", sf.render(".version"));
        for (String n : List.of(".version", ".members", ".vmlist", ".clusterlog")) {
            parseJson(sf.render(n));
        }
    }

    @Test
    void clusterNodeWithoutQuorumMatchesSample() {
        ClusterMembers cm = threeNodes(false, false);
        StatusFiles sf = new StatusFiles("pmxa-n1", 1795303998L, () -> NO_VMS, countersWithClinfo(8),
                new ClusterLog("pmxa-n1"), () -> false, () -> cm, Map::of, () -> "");
        assertSame("cluster-3node/n1-no-quorum/members.txt", sf.render(".members"));
    }

    @Test
    void clusterLogMergeIsTheSameOnEveryNode() {
        // .clusterlog is byte-identical on all three nodes: the order must not depend on which
        // node merges.
        ClusterLogEntry n1 = new ClusterLogEntry(1, 1795303998L, 6, "cluster", 10392, "pmxa-n1", "root", "starting cluster log");
        ClusterLogEntry n2 = new ClusterLogEntry(1, 1795303998L, 6, "cluster", 10391, "pmxa-n2", "root", "starting cluster log");
        ClusterLogEntry n3 = new ClusterLogEntry(1, 1795303998L, 6, "cluster", 10396, "pmxa-n3", "root", "starting cluster log");
        ClusterLog log3 = new ClusterLog("pmxa-n3");
        log3.insert(n3);
        log3.merge(List.of(n2, n1));
        StatusFiles sf = new StatusFiles("pmxa-n3", 1, () -> NO_VMS, new VersionCounters(), log3, () -> false);
        assertSame("cluster-3node/n1/clusterlog.txt", sf.render(".clusterlog"));
    }

    @Test
    void membersWithEmptyNodeListFallsBackToLocalForm() {
        ClusterMembers cm = new ClusterMembers("pmxa", 3, true, List.of());
        StatusFiles sf = new StatusFiles("pmxa-local", 1, () -> NO_VMS, new VersionCounters(),
                new ClusterLog("pmxa-local"), () -> false, () -> cm, Map::of, () -> "");
        assertSame("local-fresh/members.txt", sf.render(".members"));
    }

    @Test
    void membersWithoutIpOmitsIt() {
        ClusterMembers cm = new ClusterMembers("prod", 3, true, List.of(
                new ClusterMembers.Node("pve1", 1, true, "192.168.1.11"),
                new ClusterMembers.Node("pve2", 2, true, "192.168.1.12"),
                new ClusterMembers.Node("pve3", 3, false, null)));
        VersionCounters c = countersWithClinfo(7);
        StatusFiles sf = new StatusFiles("pve1", 1, () -> NO_VMS, c, new ClusterLog("pve1"), () -> false,
                () -> cm, Map::of, () -> "");
        // reference §2.2 example
        assertEquals("""
                {
                "nodename": "pve1",
                "version": 7,
                "cluster": { "name": "prod", "version": 3, "nodes": 3, "quorate": 1 },
                "nodelist": {
                  "pve1": { "id": 1, "online": 1, "ip": "192.168.1.11"},
                  "pve2": { "id": 2, "online": 1, "ip": "192.168.1.12"},
                  "pve3": { "id": 3, "online": 0}
                  }
                }
                """, new String(sf.render(".members"), StandardCharsets.UTF_8));
    }

    // ---- .version kvstore --------------------------------------------------------------------

    @Test
    void versionKvstoreBlocksFollowReferenceFormat() {
        Map<String, Map<String, Long>> kv = new LinkedHashMap<>();
        kv.put("pve2", Map.of("tasklist", 9L));
        Map<String, Long> local = new LinkedHashMap<>();
        local.put("tasklist", 12L);
        local.put("kv/ceph-versions", 0L);
        kv.put("pve1", local);
        ClusterMembers cm = new ClusterMembers("prod", 3, true, List.of(
                new ClusterMembers.Node("pve1", 1, true, null),
                new ClusterMembers.Node("pve2", 2, true, null)));
        StatusFiles sf = new StatusFiles("pve1", 1716543210L, () -> new VmList(42, Map.of()),
                new VersionCounters(), new ClusterLog("pve1"), () -> false, () -> cm, () -> kv, () -> "");
        String text = new String(sf.render(".version"), StandardCharsets.UTF_8);
        assertTrue(text.startsWith("{\n\"starttime\": 1716543210,\n\"clinfo\": 0,\n\"vmlist\": 42,\n\"corosync.conf\": 0,\n"), text);
        // the reference §2.2 example block: local node first, then the others
        assertTrue(text.endsWith("\"mapping/usb.cfg\": 0,\n\"kvstore\": {\n"
                + "\"pve1\": {\n\"tasklist\": 12,\n\"kv/ceph-versions\": 0}\n"
                + ",\n"
                + "\"pve2\": {\n\"tasklist\": 9}\n"
                + "}\n}\n"), text);
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = (Map<String, Object>) parseJson(sf.render(".version"));
        assertEquals(Map.of("pve1", Map.of("tasklist", 12L, "kv/ceph-versions", 0L), "pve2", Map.of("tasklist", 9L)),
                parsed.get("kvstore"));
    }

    @Test
    void versionKvstoreWithoutMembersUsesMapOrderAndSkipsNothing() {
        Map<String, Map<String, Long>> kv = new LinkedHashMap<>();
        kv.put("b", Map.of());
        kv.put("a", Map.of("x", 1L));
        StatusFiles sf = new StatusFiles("local", 1, () -> NO_VMS, new VersionCounters(), new ClusterLog("local"),
                () -> false, () -> null, () -> kv, () -> "");
        String text = new String(sf.render(".version"), StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\"kvstore\": {\n\"local\": {\n}\n,\n\"b\": {\n}\n,\n\"a\": {\n\"x\": 1}\n}\n}\n"), text);
        parseJson(sf.render(".version"));
    }

    // ---- .rrd, names -------------------------------------------------------------------------

    @Test
    void rrdComesFromSupplier() {
        AtomicReference<String> rrd = new AtomicReference<>("");
        StatusFiles sf = new StatusFiles("n", 1, () -> NO_VMS, new VersionCounters(), new ClusterLog("n"),
                () -> false, () -> null, Map::of, rrd::get);
        assertEquals(0, sf.render(".rrd").length);
        rrd.set("pve2-node/n:1:2\n");
        assertEquals("pve2-node/n:1:2\n", new String(sf.render("/.rrd"), StandardCharsets.UTF_8));
    }

    @Test
    void statusFileNames() {
        for (String n : List.of(".version", ".members", ".vmlist", ".rrd", ".clusterlog", ".debug", "/.version")) {
            assertTrue(StatusFiles.isStatusFile(n), n);
        }
        for (String n : List.of("version", ".Version", "datacenter.cfg", ".vmlist2", "", "/")) {
            assertFalse(StatusFiles.isStatusFile(n), n);
        }
        assertFalse(StatusFiles.isStatusFile(null));
        assertEquals(List.of(".version", ".members", ".vmlist", ".rrd", ".clusterlog", ".debug"),
                new ArrayList<>(StatusFiles.NAMES), "stable order");
        StatusFiles sf = localFresh(new AtomicBoolean(false));
        assertThrows(IllegalArgumentException.class, () -> sf.render("datacenter.cfg"));
    }

    // ---- .clusterlog validity ----------------------------------------------------------------

    private static final List<String> NASTY = List.of(
            "quote \" in the middle",
            "trailing backslash \\",
            "backslash-quote \\\" and double \\\\ backslash",
            "C:\\new\\table\\u\\x",
            "line one\nline two\r\n\ttabbed",
            "nul \0 and bell \u0007 and del \u007f",
            "grüße, naïve café – ok",
            "emoji 😀 and 🎉 astral",
            "pre-encoded by Perl: gr\\u00fc\\u00dfe",
            "broken escape \\u12 and \\uZZZZ",
            "unpaired surrogate \ud800 here",
            "</script><!-- {\"a\": [1,2]} -->",
            "");

    @Test
    void clusterLogIsValidJsonForNastyStrings() {
        ClusterLog log = new ClusterLog("node\"with\\odd\nname");
        long t = 1000;
        for (String s : NASTY) {
            log.addLocal(3, s.isEmpty() ? "root@pam" : "user " + s, "tag " + s, 42, s, t++);
        }
        // remote entries as another (original) node would send them: wire form is not guaranteed
        // to be escaped properly there
        for (String s : NASTY) {
            log.insert(new ClusterLogEntry(7, t++, 6, "tag\t" + s, 1, "remote " + s, "u\"" + s, s));
        }
        StatusFiles sf = new StatusFiles("n", 1, () -> NO_VMS, new VersionCounters(), log, () -> false);
        byte[] out = sf.renderClusterLog(1000, null);
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) parseJson(out);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> data = (List<Map<String, Object>>) root.get("data");
        assertEquals(2 * NASTY.size(), data.size());

        // tag, node and user come back exactly (plain JSON escaping)
        Map<String, Object> newest = data.get(0);
        assertEquals("remote " + NASTY.get(NASTY.size() - 1), newest.get("node"));
        Map<String, Object> firstLocal = data.get(data.size() - 1);
        assertEquals("node\"with\\odd\nname", firstLocal.get("node"));
        assertEquals("tag " + NASTY.get(0), firstLocal.get("tag"));
        assertEquals("user " + NASTY.get(0), firstLocal.get("user"));

        // .clusterlog itself: 50 newest only (here all 26 fit)
        parseJson(sf.render(".clusterlog"));
    }

    @Test
    void localMessagesDecodeToTheOriginalsConversion() {
        ClusterLog log = new ClusterLog("n");
        for (String s : NASTY) {
            log.addLocal(6, "root", "t", 1, s, 5);
        }
        StatusFiles sf = new StatusFiles("n", 1, () -> NO_VMS, new VersionCounters(), log, () -> false);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> data = (List<Map<String, Object>>) ((Map<String, Object>) parseJson(
                sf.renderClusterLog(100, null))).get("data");
        // newest first
        List<String> msgs = new ArrayList<>(data.stream().map(m -> (String) m.get("msg")).toList());
        Collections.reverse(msgs);
        assertEquals("quote \" in the middle", msgs.get(0));
        assertEquals("trailing backslash \\", msgs.get(1));
        assertEquals("backslash-quote \\\" and double \\\\ backslash", msgs.get(2));
        assertEquals("C:\\new\\table\\u\\x", msgs.get(3));
        assertEquals("line one#010line two#013#010#009tabbed", msgs.get(4));
        assertEquals("nul #000 and bell #007 and del #127", msgs.get(5));
        assertEquals("grüße, naïve café – ok", msgs.get(6)); // via \\uXXXX escapes
        assertEquals("emoji  and  astral", msgs.get(7)); // astral chars dropped, as the original
        assertEquals("pre-encoded by Perl: grüße", msgs.get(8));
        assertEquals("broken escape \\u12 and \\uZZZZ", msgs.get(9));
        assertEquals("unpaired surrogate ? here", msgs.get(10));
        assertEquals("</script><!-- {\"a\": [1,2]} -->", msgs.get(11));
        assertEquals("", msgs.get(12));

        String raw = new String(sf.renderClusterLog(100, null), StandardCharsets.UTF_8);
        assertTrue(raw.contains("\"msg\": \"gr\\u00fc\\u00dfe, na\\u00efve caf\\u00e9 \\u2013 ok\"}"), raw);
        assertTrue(raw.chars().allMatch(c -> c < 128), "msg conversion keeps the output ASCII here");
    }

    @Test
    void clusterLogFilterByUser() {
        ClusterLog log = new ClusterLog("n");
        log.addLocal(6, "root@pam", "t", 1, "a", 1);
        log.addLocal(6, "alice@pve", "t", 1, "b", 2);
        log.addLocal(6, "root@pam", "t", 1, "c", 3);
        StatusFiles sf = new StatusFiles("n", 1, () -> NO_VMS, new VersionCounters(), log, () -> false);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> data = (List<Map<String, Object>>) ((Map<String, Object>) parseJson(
                sf.renderClusterLog(50, "root@pam"))).get("data");
        assertEquals(List.of("c", "a"), data.stream().map(m -> m.get("msg")).toList());
        assertEquals("{\n\"data\": [\n]\n}\n", new String(sf.renderClusterLog(50, "nobody"), StandardCharsets.UTF_8));
    }

    @Test
    void emptyClusterLog() {
        StatusFiles sf = new StatusFiles("n", 1, () -> NO_VMS, new VersionCounters(), new ClusterLog("n"), () -> false);
        assertEquals("{\n\"data\": [\n]\n}\n", new String(sf.render(".clusterlog"), StandardCharsets.UTF_8));
    }

    @Test
    void clusterLogShowsFiftyNewest() {
        ClusterLog log = new ClusterLog("n");
        for (int i = 1; i <= 120; i++) {
            log.addLocal(6, "root", "t", 1, "m" + i, i);
        }
        StatusFiles sf = new StatusFiles("n", 1, () -> NO_VMS, new VersionCounters(), log, () -> false);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> data = (List<Map<String, Object>>) ((Map<String, Object>) parseJson(
                sf.render(".clusterlog"))).get("data");
        assertEquals(50, data.size());
        assertEquals("m120", data.get(0).get("msg"));
        assertEquals(120L, data.get(0).get("uid"));
        assertEquals("m71", data.get(49).get("msg"));
    }

    @Test
    void vmlistWithManyGuestsIsValidJson() {
        Map<Long, VmInfo> m = new LinkedHashMap<>();
        for (int i = 0; i < 300; i++) {
            long vmid = 100 + i * 7L;
            m.put(vmid, new VmInfo(vmid, "node" + (i % 3), i % 2 == 0 ? "qemu" : "lxc", i + 1));
        }
        VmList vl = new VmList(301, m);
        StatusFiles sf = new StatusFiles("n", 1, () -> vl, new VersionCounters(), new ClusterLog("n"), () -> false);
        @SuppressWarnings("unchecked")
        Map<String, Object> ids = (Map<String, Object>) ((Map<String, Object>) parseJson(sf.render(".vmlist"))).get("ids");
        assertEquals(300, ids.size());
        assertEquals(Map.of("node", "node0", "type", "qemu", "version", 1L), ids.get("100"));
    }
}
