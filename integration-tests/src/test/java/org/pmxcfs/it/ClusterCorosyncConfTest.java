package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Issue #3, scenario 7 (reference 3.10): a corosync.conf with a higher config_version written
 * into one node's mount (the documented tmp + rename) reaches every node's local corosync.conf;
 * one with a lower version is replicated in the tree but neither copied ("local corosync.conf is
 * newer") nor run: the engine runs from the local file, as corosync does (issue #14).
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
        ClusterRecoveryTest.writeViaRename(c.node(2).mnt, v2);
        long t0 = System.nanoTime();
        ClusterFs.awaitAll(c.nodes, n -> v2.equals(Cluster.read(n.corosyncConf)), "version 2 in every node's local corosync.conf",
                5_000);
        timing("corosync.conf version 2 (written on node2) in every local copy", ClusterFailureTest.ms(t0));
        for (Cluster.Node n : c.nodes) {
            assertEquals(v2, ClusterFs.readOrNull(n.path("corosync.conf")), "tree copy on " + n);
            assertTrue(n.output().contains("wrote new corosync config '" + n.corosyncConf + "' (version = 2)"),
                    n + " logs the copy:\n" + n.output());
        }
        ClusterFs.awaitAll(c.nodes, n -> ClusterRecoveryTest.membersVersion(n) == 2, ".members cluster version 2 everywhere", 5_000);

        // a lower version (without node3) is replicated in the tree, but no node takes it: node3
        // stays a member and every node keeps running version 2
        String lower = c.corosyncConf(2, 1);
        ClusterRecoveryTest.writeViaRename(c.node(3).mnt, lower);
        ClusterFs.awaitAll(c.nodes, n -> lower.equals(ClusterFs.readOrNull(n.path("corosync.conf"))),
                "the lower version in every node's tree", 5_000);
        ClusterFs.awaitAll(c.nodes, n -> n.output().contains("local corosync.conf is newer")
                && n.output().contains("not applying the cluster's corosync.conf (version 1)"),
                "'local corosync.conf is newer' in every node's log", 5_000);
        Daemon.sleep(1_500); // the nodelist would be applied a second after the copy
        for (Cluster.Node n : c.nodes) {
            assertEquals(v2, Cluster.read(n.corosyncConf), n + "'s local corosync.conf keeps version 2");
            assertEquals(2, ClusterRecoveryTest.membersVersion(n), n + "'s .members shows the running version 2");
        }
        ClusterFs.put(c.node(3).path("still-a-member.cfg"), "node3 writes\n");
        ClusterFs.awaitAll(c.nodes, n -> "node3 writes\n".equals(ClusterFs.readOrNull(n.path("still-a-member.cfg"))),
                "node3's write everywhere", 5_000);
        c.awaitQuorate(c.nodes, 5_000);
    }
}
