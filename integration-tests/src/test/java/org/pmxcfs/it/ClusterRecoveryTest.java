package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.it.Sys.assertOk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue #14, point 5: the recovery procedures of the reference and the Proxmox docs, end to end
 * on clusters as {@code scripts/cluster} makes them. The engine runs from the local
 * corosync.conf, as corosync does: editing that file on a node without quorum and restarting
 * brings the node back, and the tree's older copy does not undo the edit; a node is separated
 * without reinstalling ({@code -l}, remove corosync.conf, restart; {@code pvecm delnode} on a
 * member); or fixed in local mode ({@code -l}, write corosync.conf with a higher version into the
 * tree, restart). (What becomes of other {@code -l} edits at the rejoin is ClusterLocalModeRejoinTest's.)
 */
class ClusterRecoveryTest extends ClusterTestBase {

    @Override
    int classIndex() {
        return 13;
    }

    @Test
    void aNodeWithoutQuorumComesBackByEditingItsLocalCorosyncConfThenTheFixGoesThroughTheTree() {
        Cluster c = started(3);
        Cluster.Node n1 = aloneWithoutQuorum(c);

        // the fix: node1 alone in the local file, config_version bumped, then a restart
        String alone = c.corosyncConf(1, 2);
        ClusterFs.put(n1.corosyncConf, alone);
        assertEquals(0, n1.stop(), "node1 stops");
        n1.start();
        Cluster.await("node1 quorate on its edited local corosync.conf", 20_000, n1::quorate);
        ClusterFs.put(n1.path("after-local-edit.cfg"), "writable again\n");
        assertEquals(alone, Cluster.read(n1.corosyncConf), "the tree's older copy did not replace the local edit");
        String log = n1.lastOutput();
        assertTrue(log.contains("local corosync.conf is newer") && log.contains("not applying the cluster's corosync.conf"
                + " (version 1): the local '" + n1.corosyncConf + "' has version 2"), "node1 says why:\n" + log);
        assertEquals(2, membersVersion(n1), ".members shows the running config_version");

        // made the cluster's config the documented way, with a version above the local one
        String v3 = c.corosyncConf(1, 3, "token: 4000");
        writeViaRename(n1.mnt, v3);
        Cluster.await("version 3 in node1's local file", 5_000, () -> v3.equals(Cluster.read(n1.corosyncConf)));
        Cluster.await(".members version 3", 5_000, () -> membersVersion(n1) == 3);
        assertTrue(n1.quorate(), "still quorate");
    }

    /** The reference's other way: fix the tree's corosync.conf in local mode, then restart. */
    @Test
    void aNodeWithoutQuorumComesBackByFixingTheTreeInLocalMode() {
        Cluster c = started(3);
        Cluster.Node n1 = aloneWithoutQuorum(c);

        assertEquals(0, n1.stop(), "node1 stops");
        n1.start("-l");
        String alone = c.corosyncConf(1, 2);
        writeViaRename(n1.mnt, alone);
        assertEquals(c.corosyncConf(3, 1), Cluster.read(n1.corosyncConf), "local mode copies nothing");
        assertEquals(0, n1.stop(), "node1 (local mode) stops");
        n1.start();
        Cluster.await("node1 quorate on the fixed config", 20_000, n1::quorate);
        assertEquals(alone, Cluster.read(n1.corosyncConf), "the newer tree copy replaced the local file at start-up");
        ClusterFs.put(n1.path("after-local-mode.cfg"), "writable again\n");
    }

    @Test
    void aNodeIsSeparatedWithoutReinstalling() {
        Cluster c = started(3);
        Cluster.Node n3 = c.node(3);
        ClusterFs.put(c.node(1).path("before.cfg"), "from the cluster\n");
        ClusterFs.awaitAll(c.nodes, n -> "from the cluster\n".equals(ClusterFs.readOrNull(n.path("before.cfg"))),
                "before.cfg everywhere", 5_000);

        // on node3: stop, start in local mode, remove the cluster config (tree and local), restart
        assertEquals(0, n3.stop());
        n3.start("-l");
        assertOk(Sys.unlink(n3.path("corosync.conf")), "rm corosync.conf in local mode");
        assertEquals(0, n3.stop());
        assertOk(Sys.unlink(n3.corosyncConf), "rm the local corosync.conf");
        n3.start();
        assertEquals(-1, n3.quorateValue(), "node3 runs in local mode (.members without a cluster)");
        ClusterFs.put(n3.path("alone.cfg"), "node3 on its own\n");
        assertEquals("from the cluster\n", ClusterFs.readOrNull(n3.path("before.cfg")), "node3 kept its tree");

        // on a member: delnode (works on a cluster without priv/, as scripts/cluster makes them)
        c.node(1).pvecm("delnode", "node3");
        List<Cluster.Node> rest = List.of(c.node(1), c.node(2));
        ClusterFs.awaitAll(rest, n -> !ClusterFs.readOrNull(n.path("corosync.conf")).contains("name: node3"),
                "node3 gone from the tree's corosync.conf", 5_000);
        c.awaitQuorate(rest, 10_000);
        ClusterFs.put(c.node(2).path("after.cfg"), "cluster only\n");
        ClusterFs.awaitContent(c.node(1).path("after.cfg"), "cluster only\n", 5_000);
        assertNull(ClusterFs.readOrNull(n3.path("after.cfg")), "node3 is no longer part of it");
        assertNull(ClusterFs.readOrNull(c.node(1).path("alone.cfg")), "nor the cluster of node3");
    }

    /** node2 and node3 stop for good: node1 is left without quorum. */
    private static Cluster.Node aloneWithoutQuorum(Cluster c) {
        assertEquals(0, c.node(2).stop(), "node2 stops");
        assertEquals(0, c.node(3).stop(), "node3 stops");
        Cluster.Node n1 = c.node(1);
        Cluster.await("node1 without quorum", 20_000, () -> n1.quorateValue() == 0);
        return n1;
    }

    /** The documented way: write corosync.conf.new, rename it onto corosync.conf. */
    static void writeViaRename(Path mnt, String content) {
        ClusterFs.put(mnt.resolve("corosync.conf.new"), content);
        assertOk(Sys.rename(mnt.resolve("corosync.conf.new"), mnt.resolve("corosync.conf")), "rename onto corosync.conf");
    }

    static int membersVersion(Cluster.Node n) {
        java.util.Map<?, ?> m = n.members();
        if (m == null || !(m.get("cluster") instanceof java.util.Map<?, ?> cl) || !(cl.get("version") instanceof Number v)) {
            return -1;
        }
        return v.intValue();
    }
}
