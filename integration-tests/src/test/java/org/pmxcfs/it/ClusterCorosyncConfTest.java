package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * Issue #3, scenario 7 (reference 3.10): a corosync.conf with a higher config_version written
 * into one node's mount (the documented tmp + rename) reaches every node's local corosync.conf;
 * one with a lower version is replicated in the tree but neither copied ("local corosync.conf is
 * newer") nor run: the engine runs from the local file, as corosync does (issue #14). A node
 * restarted on its newer local file says so once, not again after its first sync round (issue 10).
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

        // node1 restarts on its newer local file: it says once that the tree's copy is not applied,
        // not again when its first sync round (the others lead: their version went on) commits
        Cluster.Node n1 = c.node(1);
        assertEquals(0, n1.stop(), "node1 stops");
        n1.start();
        Cluster.await("node1's first sync round committed", 20_000, () -> {
            String log = n1.lastOutput();
            int commit = log.indexOf("update complete - trying to commit");
            return commit >= 0 && log.indexOf("all data is up to date", commit) >= 0;
        });
        String log = n1.lastOutput();
        assertEquals(1, log.split("not applying the cluster's corosync.conf \\(version 1\\)", -1).length - 1,
                "the refusal is said once:\n" + log);
        assertEquals(v2, Cluster.read(n1.corosyncConf), "node1's local corosync.conf keeps version 2");
        c.awaitQuorate(c.nodes, 20_000);
    }

    /**
     * A new database imports a local corosync.conf that does not name this node (a node renamed,
     * or removed): it mounts read-only and says why once; the import itself starts no second try
     * that would report the same as a cluster mode that "cannot start yet" and retry it forever.
     */
    @Test
    void aNewDatabaseWhoseImportedNodelistLacksThisNodeMountsReadOnlyAndSaysSoOnce() throws Exception {
        Cluster c = cluster(3);
        Cluster.Node n3 = c.node(3);
        Files.writeString(n3.corosyncConf, c.corosyncConf(2, 1));
        n3.start();
        Daemon.sleep(2_500); // a try scheduled by the import would run after 200 ms, its retry after 1 s more
        String log = n3.lastOutput();
        assertTrue(log.contains("node 'node3' is not in the nodelist of '" + n3.corosyncConf + "' - mounted read-only"),
                "node3 says why it is read-only:\n" + log);
        assertFalse(log.contains("cannot start yet"), "and nothing else:\n" + log);
        assertEquals(0, n3.quorateValue(), "node3's .members: not quorate");
        assertThrows(AccessDeniedException.class, () -> Files.writeString(n3.path("outside.cfg"), "x\n"),
                "node3 is read-only");
    }
}
