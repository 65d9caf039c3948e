package org.pmxcfs.pvecm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pvecm qdevice setup/remove} refusals (reference 4.7), made before anything is
 * touched: against a fake daemon (the reference's four online nodes) and a plain directory as
 * the mount, so no qnetd host is ever contacted.
 */
class QdeviceChecksTest {

    private static String conf(int nodes, String quorumExtra) {
        StringBuilder sb = new StringBuilder("nodelist {\n");
        for (int k = 1; k <= nodes; k++) {
            sb.append("  node {\n    name: pve").append(k).append("\n    nodeid: ").append(k)
                    .append("\n    quorum_votes: 1\n    ring0_addr: 192.168.15.9").append(k).append("\n  }\n");
        }
        return sb.append("}\n\nquorum {\n").append(quorumExtra).append("  provider: corosync_votequorum\n}\n\n")
                .append("totem {\n  cluster_name: prod-central\n  config_version: 3\n  interface {\n    linknumber: 0\n  }\n")
                .append("  secauth: on\n  version: 2\n}\n").toString();
    }

    private static final String DEVICE = "  device {\n    model: net\n    net {\n      algorithm: ffsplit\n"
            + "      host: 10.0.0.5\n      tls: on\n    }\n    votes: 1\n  }\n";

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
        daemon.ops.put("get_quorum_status", r -> FakeDaemon.ok(fourNodes()));
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
    }

    private static ObjectNode fourNodes() {
        try {
            return (ObjectNode) StatusFormatterTest.fourNodes();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void clusterConf(String text) throws Exception {
        daemon.corosyncConf(text);
        Files.writeString(mnt.resolve("corosync.conf"), text);
    }

    private void assertNothingWritten(String text) throws Exception {
        assertEquals(text, Files.readString(mnt.resolve("corosync.conf")));
        assertFalse(Files.exists(mnt.resolve("priv/qdevice")), "no certificates");
    }

    @Test
    void setupNeedsEveryNodeOnline() throws Exception {
        String text = conf(4, "");
        clusterConf(text);
        ObjectNode q = fourNodes();
        ((ObjectNode) q.path("members").get(0)).put("online", false); // nodeid 3
        daemon.ops.put("get_quorum_status", r -> FakeDaemon.ok(q));
        assertEquals(new Run(1, "", "All nodes must be online! Node pve3 is offline, aborting.\n"),
                Run.of(run, "qdevice", "setup", "10.0.0.5"));
        assertEquals(new Run(1, "", "All nodes must be online! Node pve3 is offline, aborting.\n"),
                Run.of(run, "qdevice", "remove"));
        assertNothingWritten(text);
    }

    @Test
    void setupRefusesAnExistingDeviceAndOddNodeCountsWithoutForce() throws Exception {
        String withDevice = conf(4, DEVICE);
        clusterConf(withDevice);
        assertEquals(new Run(1, "", "QDevice already configured!\n"), Run.of(run, "qdevice", "setup", "10.0.0.5"));
        assertNothingWritten(withDevice);

        String odd = conf(3, "");
        clusterConf(odd);
        ObjectNode q = fourNodes();
        ((com.fasterxml.jackson.databind.node.ArrayNode) q.path("members")).remove(2); // node 4 is not in this nodelist
        daemon.ops.put("get_quorum_status", r -> FakeDaemon.ok(q));
        assertEquals(new Run(1, "", "Clusters with an odd node count are not officially supported!\n"),
                Run.of(run, "qdevice", "setup", "10.0.0.5"));
        assertNothingWritten(odd);
    }

    @Test
    void setupRefusesTwoNodeBeforeTouchingAnything() throws Exception {
        String twoNode = conf(4, "  two_node: 1\n");
        clusterConf(twoNode);
        assertEquals(new Run(1, "", "configuration error: two_node and quorum device cannot be configured at the same"
                        + " time! - fix the quorum section of corosync.conf first\n"),
                Run.of(run, "qdevice", "setup", "10.0.0.5"));
        assertNothingWritten(twoNode);
    }

    @Test
    void removeWithoutADevice() throws Exception {
        String text = conf(4, "");
        clusterConf(text);
        assertEquals(new Run(1, "", "No QDevice configured!\n"), Run.of(run, "qdevice", "remove"));
        assertNothingWritten(text);
    }
}
