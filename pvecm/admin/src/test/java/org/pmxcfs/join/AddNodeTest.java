package org.pmxcfs.join;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pmxcfs.corosync.CorosyncConf;

/** addnode and delnode as operations on a mount-like directory. */
class AddNodeTest {

    @TempDir
    Path dir;

    private final List<String> progress = new ArrayList<>();

    private AddNode addNode(FakeCluster c) {
        return new AddNode(c, c.lock(progress), h -> Optional.empty());
    }

    @Test
    void addsTheNodeBumpsTheVersionCreatesDirsAndLogs() throws Exception {
        FakeCluster c = new FakeCluster(dir);
        List<String> notes = new ArrayList<>();
        AddNode.Result r = addNode(c).run(AddNodeRulesTest.req("pve2", "new_node_ip", "10.0.0.2"), notes::add);
        CorosyncConf written = CorosyncConf.parse(c.conf());
        assertEquals(2, written.configVersion().getAsLong());
        assertEquals("10.0.0.2", written.node("pve2").orElseThrow().ring0Addr());
        assertEquals(2, written.node("pve2").orElseThrow().nodeid());
        assertEquals(c.conf(), new String(r.corosyncConf()));
        assertArrayEquals(new byte[] {1, 2, 3, (byte) 0xff}, r.corosyncAuthkey());
        assertTrue(r.warnings().isEmpty());
        for (String d : AddNode.NODE_DIRS) {
            assertTrue(Files.isDirectory(c.mount.resolve("nodes/pve2").resolve(d)), d);
        }
        assertEquals(List.of("5 adding node pve2 to cluster"), c.clusterLog);
        assertFalse(Files.exists(c.mount.resolve("corosync.conf.new")));
        assertFalse(Files.exists(c.mount.resolve("priv/lock/file-corosync_conf")));
        assertTrue(notes.isEmpty());
    }

    @Test
    void writtenFileIsTheEditedTextWithOnlyTheVersionAndNodeChanged() throws Exception {
        FakeCluster c = new FakeCluster(dir);
        addNode(c).run(AddNodeRulesTest.req("pve2", "link0", "10.0.0.2"), n -> { });
        String expected = FakeCluster.CONF.replace("config_version: 1", "config_version: 2").replace(
                "    ring0_addr: 10.0.0.1\n  }\n",
                "    ring0_addr: 10.0.0.1\n  }\n  node {\n    name: pve2\n    nodeid: 2\n    quorum_votes: 1\n"
                        + "    ring0_addr: 10.0.0.2\n  }\n");
        assertEquals(expected, c.conf());
    }

    @Test
    void needsQuorum() throws Exception {
        FakeCluster c = new FakeCluster(dir);
        c.quorate = false;
        assertEquals("cluster not ready - no quorum?", assertThrows(JoinException.class,
                () -> addNode(c).run(AddNodeRulesTest.req("pve2", "link0", "10.0.0.2"), n -> { })).getMessage());
        assertEquals(FakeCluster.CONF, c.conf());
    }

    @Test
    void refusedEditLeavesEverythingAsItWas() throws Exception {
        FakeCluster c = new FakeCluster(dir);
        assertEquals("can't add existing node 'pve1'", assertThrows(JoinException.class,
                () -> addNode(c).run(AddNodeRulesTest.req("pve1", "link0", "10.0.0.9"), n -> { })).getMessage());
        assertEquals(FakeCluster.CONF, c.conf());
        assertTrue(c.clusterLog.isEmpty());
        assertFalse(Files.exists(c.mount.resolve("priv/lock/file-corosync_conf")));
    }

    @Test
    void notInACluster() throws Exception {
        FakeCluster c = new FakeCluster(dir);
        Files.delete(c.mount.resolve("corosync.conf"));
        assertEquals("Error: Corosync config '" + c.mount.resolve("corosync.conf")
                        + "' does not exist - is this node part of a cluster?",
                assertThrows(JoinException.class,
                        () -> addNode(c).run(AddNodeRulesTest.req("pve2", "link0", "10.0.0.2"), n -> { })).getMessage());
    }

    @Test
    void delnodeRemovesAndBumps() throws Exception {
        FakeCluster c = new FakeCluster(dir);
        addNode(c).run(AddNodeRulesTest.req("pve2", "link0", "10.0.0.2"), n -> { });
        c.clusterLog.clear();
        assertEquals("pve2", new DelNode(c, c.lock(progress)).run("10.0.0.2").name());
        assertEquals(FakeCluster.CONF.replace("config_version: 1", "config_version: 3"), c.conf());
        assertEquals(List.of("5 deleting node pve2 from cluster"), c.clusterLog);
    }

    @Test
    void delnodeChecksSelfBeforeQuorum() throws Exception {
        FakeCluster c = new FakeCluster(dir);
        c.quorate = false;
        DelNode d = new DelNode(c, c.lock(progress));
        assertEquals("Cannot delete myself from cluster!", assertThrows(JoinException.class, () -> d.run("pve1")).getMessage());
        assertEquals("cluster not ready - no quorum?", assertThrows(JoinException.class, () -> d.run("pve2")).getMessage());
    }
}
