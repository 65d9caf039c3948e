package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.it.Sys.assertOk;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Issue #3, scenario 7 (reference 3.10): a corosync.conf with a higher config_version written
 * into one node's mount (the documented tmp + rename) reaches every node's local corosync.conf;
 * one with a lower version is replicated in the tree but not copied ("local corosync.conf is
 * newer").
 */
class ClusterCorosyncConfTest extends ClusterTestBase {

    @Override
    int classIndex() {
        return 5;
    }

    @Test
    void aHigherConfigVersionReachesEveryLocalCopyALowerOneDoesNot() {
        Cluster c = started(3);
        String v1 = ClusterFs.readOrNull(c.node(1).path("corosync.conf"));
        assertEquals(Cluster.read(c.node(1).corosyncConf), v1, "the tree's corosync.conf is the imported local one");
        assertTrue(v1.contains("config_version: 1") && v1.contains("token_coefficient: 125"), v1);

        String v2 = v1.replace("config_version: 1", "config_version: 2").replace("token_coefficient: 125", "token_coefficient: 150");
        writeViaRename(c.node(2).mnt, v2);
        long t0 = System.nanoTime();
        ClusterFs.awaitAll(c.nodes, n -> v2.equals(Cluster.read(n.corosyncConf)), "version 2 in every node's local corosync.conf",
                5_000);
        timing("corosync.conf version 2 (written on node2) in every local copy", ClusterFailureTest.ms(t0));
        for (Cluster.Node n : c.nodes) {
            assertEquals(v2, ClusterFs.readOrNull(n.path("corosync.conf")), "tree copy on " + n);
            assertTrue(n.output().contains("wrote new corosync config '" + n.corosyncConf + "' (version = 2)"),
                    n + " logs the copy:\n" + n.output());
        }
        ClusterFs.awaitAll(c.nodes, n -> membersConfigVersion(n) == 2, ".members cluster version 2 everywhere", 5_000);

        // a lower version is replicated in the tree, but no local copy takes it
        String lower = v1.replace("token_coefficient: 125", "token_coefficient: 175");
        writeViaRename(c.node(3).mnt, lower);
        ClusterFs.awaitAll(c.nodes, n -> lower.equals(ClusterFs.readOrNull(n.path("corosync.conf"))),
                "the lower version in every node's tree", 5_000);
        ClusterFs.awaitAll(c.nodes, n -> n.output().contains("local corosync.conf is newer"),
                "'local corosync.conf is newer' in every node's log", 5_000);
        for (Cluster.Node n : c.nodes) {
            assertEquals(v2, Cluster.read(n.corosyncConf), n + "'s local corosync.conf keeps version 2");
        }
        // the original's .members shows corosync's running config_version (2 here); report what ours does
        boolean followed = Daemon.poll(2_000, 100, () -> membersConfigVersion(c.node(1)) != 2);
        System.out.println("[cluster-timing] .members cluster version 2 s after the lower corosync.conf: node1 "
                + membersConfigVersion(c.node(1)) + ", node3 " + membersConfigVersion(c.node(3))
                + (followed ? " (follows the tree's copy, not the local file)" : " (the local file's)"));
        c.awaitQuorate(c.nodes, 5_000);
    }

    /** The documented way: write corosync.conf.new, rename it onto corosync.conf. */
    private static void writeViaRename(Path mnt, String content) {
        ClusterFs.put(mnt.resolve("corosync.conf.new"), content);
        assertOk(Sys.rename(mnt.resolve("corosync.conf.new"), mnt.resolve("corosync.conf")), "rename onto corosync.conf");
    }

    private static int membersConfigVersion(Cluster.Node n) {
        java.util.Map<?, ?> m = n.members();
        if (m == null || !(m.get("cluster") instanceof java.util.Map<?, ?> cl) || !(cl.get("version") instanceof Number v)) {
            return -1;
        }
        return v.intValue();
    }
}
