package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operator's features of a cluster member: metrics of quorum, members, links and sync
 * rounds, and a stale lock of another node released by the cluster's rule (the member with the
 * lowest node id decides by its own clock).
 */
class ClusterOperationsTest extends ClusterTestBase {

    /** This class's share of the hand-started ports (17800-17899). */
    static final int METRICS_PORT = 17811;

    @Override
    int classIndex() {
        return 12;
    }

    @Test
    void metricsFollowTheMembershipAndAStaleLockOfAnotherNodeIsReleased() throws Exception {
        Cluster c = cluster(3);
        String lifetime = "--lock-lifetime=2";
        c.node(1).start("--metrics-port", Integer.toString(METRICS_PORT), lifetime);
        c.node(2).launch(lifetime);
        c.node(3).launch(lifetime);
        List<Cluster.Node> all = List.of(c.node(1), c.node(2), c.node(3));
        all.forEach(Cluster.Node::awaitMounted);
        c.awaitQuorate(all, 60_000);

        String m = OperationsTest.scrape(METRICS_PORT);
        assertEquals(1, OperationsTest.sample(m, "pmxcfs_cluster_mode"));
        assertEquals(1, OperationsTest.sample(m, "pmxcfs_quorate"));
        assertEquals(3, OperationsTest.sample(m, "pmxcfs_nodes"));
        assertEquals(3, OperationsTest.sample(m, "pmxcfs_members"));
        assertEquals(3, OperationsTest.sample(m, "pmxcfs_votes_total"));
        assertEquals(2, OperationsTest.sample(m, "pmxcfs_votes_quorum"));
        assertTrue(OperationsTest.sample(m, "pmxcfs_sync_rounds_total") >= 1, m);
        assertEquals(1, OperationsTest.sample(m, "pmxcfs_link_up{node=\"node2\",nodeid=\"2\",link=\"0\"}"));

        // node2 takes a lock and goes quiet; node3 asks for it once it is stale
        Files.createDirectories(c.node(2).mnt.resolve("priv/lock/ha-test"));
        Cluster.await("the lock replicated to node3", 10_000,
                () -> Files.isDirectory(c.node(3).mnt.resolve("priv/lock/ha-test")));
        OperationsTest.Ctl locks = OperationsTest.ctl(c.node(3).run, "locks");
        assertTrue(locks.out().matches("(?s).*\nha-test +node2 .* held\n"), locks.out());
        Cluster.await("the lock stale on node3", 10_000,
                () -> OperationsTest.ctl(c.node(3).run, "locks").out().contains(" stale\n"));
        // node1 (lowest id) decides by its own table, which may have started later: retry within its lifetime
        Cluster.await("the stale lock released through the cluster", 10_000,
                () -> OperationsTest.ctl(c.node(3).run, "unlock", "ha-test").code() == 0);
        Cluster.await("the lock gone everywhere", 10_000,
                () -> all.stream().noneMatch(n -> Files.exists(n.mnt.resolve("priv/lock/ha-test"))));

        c.node(2).stop();
        c.node(3).stop();
        Cluster.await("node1 alone in its view", 20_000,
                () -> OperationsTest.sample(OperationsTest.scrape(METRICS_PORT), "pmxcfs_members") == 1);
        m = OperationsTest.scrape(METRICS_PORT);
        assertEquals(0, OperationsTest.sample(m, "pmxcfs_quorate"), "one vote of three");
        assertEquals(0, OperationsTest.sample(m, "pmxcfs_link_up{node=\"node2\",nodeid=\"2\",link=\"0\"}"));
    }
}
