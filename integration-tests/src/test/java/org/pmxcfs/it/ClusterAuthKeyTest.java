package org.pmxcfs.it;

import static jnr.constants.platform.Errno.EACCES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.it.Sys.assertErrno;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue #3, scenario 6: a node with a wrong authkey can neither join nor inject. node3 runs with
 * a different 256-byte key: nodes 1 and 2 (quorate, 2 of 3) never see it online, node3 never
 * becomes quorate, and nothing node3 holds reaches them, not even a tree with a higher version
 * (which would win a sync if node3 were admitted to one).
 */
class ClusterAuthKeyTest extends ClusterTestBase {

    @Override
    int classIndex() {
        return 4;
    }

    @Test
    void aNodeWithAWrongAuthkeyCannotJoinNorInject() throws Exception {
        Cluster c = cluster(3);
        Cluster.Node n3 = c.node(3);
        n3.key = c.dir.resolve("wrong-authkey");
        Cluster.writeKey(n3.key);
        // node3's tree is newer than the cluster's (local mode: many versions, and the cluster's
        // corosync.conf so that it starts clustered), so it would win a sync if it got into one
        n3.launch("-l");
        c.node(1).start();
        n3.awaitMounted();
        for (int i = 0; i < 20; i++) {
            ClusterFs.put(n3.path("injected-" + i + ".cfg"), "injected " + i + "\n");
        }
        ClusterFs.put(n3.path("corosync.conf"), Cluster.read(c.dir.resolve("corosync.conf")));
        assertEquals(0, n3.stop());
        // every quorate sync round raises the cluster's version by 2^24, which local-mode writes never
        // reach: raise node3's stored version by hand, so that its tree is the one a sync would pick
        try (java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + n3.db());
             java.sql.Statement st = db.createStatement()) {
            assertEquals(1, st.executeUpdate("UPDATE tree SET version = version + 4294967296 WHERE inode = 0"));
        }

        c.node(2).launch();
        n3.launch();
        c.node(2).awaitMounted();
        n3.awaitMounted();
        List<Cluster.Node> good = List.of(c.node(1), c.node(2));
        c.awaitQuorate(good, 30_000);
        ClusterFs.put(c.node(1).path("good.cfg"), "good\n");
        ClusterFs.awaitAll(good, n -> "good\n".equals(ClusterFs.readOrNull(n.path("good.cfg"))), "good.cfg on 1 and 2", 5_000);
        long v3 = ClusterFs.dbVersion(n3.db());
        long v1 = ClusterFs.dbVersion(c.node(1).db());
        System.out.printf("[cluster-timing] wrong-key node3 version %d vs cluster %d%n", v3, v1);
        assertTrue(v3 > v1, "node3's tree would win a sync: version " + v3 + " > " + v1);

        // several discovery and merge rounds (MERGE3 runs every 1-3 s): node3 stays out
        int viewsBefore = viewChanges(c.node(1));
        watchNode3StaysOut(c, 6_000);
        assertErrno(EACCES, ClusterFs.tryPut(n3.path("from-node3.cfg"), "x\n"), "write on the non-quorate node3");
        assertErrno(EACCES, Sys.unlink(n3.path("injected-0.cfg")), "unlink on the non-quorate node3");
        for (Cluster.Node n : good) {
            assertTrue(ClusterFs.readOrNull(n.path("injected-0.cfg")) == null, "nothing of node3's reached " + n);
            assertTrue(ClusterFs.readOrNull(n.path("from-node3.cfg")) == null, "node3's write did not reach " + n);
            assertEquals("good\n", ClusterFs.readOrNull(n.path("good.cfg")), n + " keeps its tree");
        }
        assertTrue(ClusterFs.readOrNull(n3.path("good.cfg")) == null, "node3 did not get the cluster's file either");
        c.awaitIdenticalTrees(good, 5_000);
        System.out.println("[cluster-timing] dcdb/status view changes on node1 while the wrong-key node3 ran: "
                + (viewChanges(c.node(1)) - viewsBefore));
    }

    /** "members:" lines (dcdb and status group views) in the node's log so far. */
    private static int viewChanges(Cluster.Node n) {
        return (int) n.output().lines().filter(l -> l.contains("notice: members:")).count();
    }

    /** For {@code ms}: nodes 1 and 2 quorate with only each other online; node3 alone and not quorate. */
    private static void watchNode3StaysOut(Cluster c, long ms) {
        List<String> violations = new ArrayList<>();
        long end = System.nanoTime() + ms * 1_000_000;
        int polls = 0;
        while (System.nanoTime() < end) {
            for (int k = 1; k <= 2; k++) {
                Cluster.Node n = c.node(k);
                Set<Integer> online = n.onlineIds();
                if (n.quorateValue() != 1 || !online.equals(Set.of(1, 2))) {
                    violations.add(n + " quorate=" + n.quorateValue() + " online=" + online);
                }
            }
            Cluster.Node n3 = c.node(3);
            if (n3.quorateValue() != 0 || !n3.onlineIds().equals(Set.of(3))) {
                violations.add("node3 quorate=" + n3.quorateValue() + " online=" + n3.onlineIds());
            }
            polls++;
            Daemon.sleep(100);
        }
        assertEquals(List.of(), violations.stream().distinct().limit(10).toList(),
                "node3 with the wrong key stays out (" + polls + " polls over " + ms + " ms)");
    }
}
