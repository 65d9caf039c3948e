package org.pmxcfs.corosync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file the writers produce must be accepted by corosync itself: {@code corosync -t -c FILE}
 * ("Test configuration and then exit", corosync 3.1.7). Needs the Debian package {@code corosync};
 * skipped when {@code /usr/sbin/corosync} (or {@code -Dcorosync.binary}) is not there. Nothing is
 * started: -t only checks the file and exits.
 *
 * <p>corosync -t checks more than syntax: the local node must be in the nodelist (so these
 * configs use 127.0.0.1) and with {@code secauth: on} it loads the key, so each file gets a
 * {@code keyfile:} line pointing at a throw-away key (the default is /etc/corosync/authkey, and a
 * test must not need that).
 */
@EnabledIf(value = "corosyncInstalled",
        disabledReason = "corosync not installed (no executable /usr/sbin/corosync or -Dcorosync.binary): "
                + "apt-get install corosync to run this test")
class CorosyncConfigTestModeTest {

    /** The binary; {@code -Dcorosync.binary=...} points elsewhere. */
    private static final Path COROSYNC = Path.of(System.getProperty("corosync.binary", "/usr/sbin/corosync"));

    @TempDir
    static Path dir;

    private static Path key;

    @BeforeAll
    static void makeKey() throws IOException {
        byte[] authkey = new byte[256];
        new Random(42).nextBytes(authkey);
        key = dir.resolve("authkey");
        Files.write(key, authkey);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("r--------"));
    }

    /** Condition of {@link EnabledIf}: surefire then lists the tests as skipped, with the reason. */
    static boolean corosyncInstalled() {
        return Files.isExecutable(COROSYNC);
    }

    @Test
    void writerOutputsPassCorosyncConfigTest() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        CorosyncConf oneNode = PvecmCreateTemplate.build(
                ClusterCreateParams.of("prod", "pve1", Map.of(0, CorosyncLink.of("127.0.0.1"))));
        files.put("create, defaults", oneNode.text());
        CorosyncConf twoLinks = PvecmCreateTemplate.build(new ClusterCreateParams("prod", "pve1", 5, 3,
                new TreeMap<>(Map.of(0, new CorosyncLink("127.0.0.1", 15), 1, new CorosyncLink("127.0.0.2", 20))), 0));
        files.put("create, two links with priorities, other id/votes/coefficient", twoLinks.text());
        CorosyncConf added = oneNode
                .withNodeAdded(NodeEntry.of("pve2", oneNode.nextFreeNodeId(), 1, Map.of(0, "10.0.0.2")))
                .withNodeAdded(NodeEntry.of("pve0", 3, 0, Map.of(0, "10.0.0.3")))
                .withConfigVersionBumped();
        files.put("addnode x2 (one with 0 votes)", added.text());
        files.put("delnode", added.withNodeRemoved("pve2").withConfigVersionBumped().text());
        files.put("addnode, second link", twoLinks
                .withNodeAdded(NodeEntry.of("pve2", 1, 1, Map.of(0, "10.0.0.2", 1, "10.1.0.2")))
                .withConfigVersionBumped().text());
        files.put("pve layout of a hand-written file", CorosyncConf.parse(Samples.cluster3Node()
                .replace("10.250.0.1", "127.0.0.1")).pveText());
        files.put("hand-written file, node added in place", CorosyncConf.parse(Samples.cluster3Node()
                .replace("10.250.0.1", "127.0.0.1"))
                .withNodeAdded(NodeEntry.of("pmxa-n4", 4, 1, Map.of(0, "10.250.0.4"))).text());

        CorosyncConf twoNodes = oneNode.withNodeAdded(NodeEntry.of("pve2", 2, 1, Map.of(0, "10.0.0.2")));
        files.put("qdevice setup (ffsplit)", twoNodes.withQuorumDevice("10.0.0.5", java.util.OptionalInt.empty(),
                "ffsplit", java.util.OptionalInt.of(1)).withConfigVersionBumped().text());
        files.put("qdevice setup (lms, own port)", oneNode.withQuorumDevice("10.0.0.5",
                java.util.OptionalInt.of(17500), "lms", java.util.OptionalInt.empty()).withConfigVersionBumped().text());
        files.put("qdevice remove", twoNodes.withQuorumDevice("10.0.0.5", java.util.OptionalInt.empty(), "ffsplit",
                java.util.OptionalInt.of(1)).withoutQuorumDevice().withConfigVersionBumped().text());

        int i = 0;
        for (Map.Entry<String, String> f : files.entrySet()) {
            String result = corosyncTest(f.getValue(), "conf" + i++);
            assertEquals("ok", result, f.getKey() + ":\n" + f.getValue());
        }
    }

    @Test
    void corosyncRejectsWhatTheParserRejects() throws Exception {
        // A sanity check of the check itself: a broken file must fail -t.
        String broken = "totem {\n  version: 2\n";
        assertTrue(corosyncTest(broken, "broken").contains("Missing closing brace"));
    }

    /** "ok", or corosync's output when it refuses the file. */
    private static String corosyncTest(String text, String name) throws Exception {
        String withKey = text.replaceFirst("(?m)^totem \\{\n", "totem {\n  keyfile: " + key + "\n");
        Path file = dir.resolve(name + ".conf");
        Files.writeString(file, withKey, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(COROSYNC.toString(), "-t", "-c", file.toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timeout: " + out;
        }
        return p.exitValue() == 0 ? "ok" : "exit " + p.exitValue() + ": " + out;
    }
}
