package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue #14, points 4, 7 and 8: what the log tells an admin. Membership changes name the node
 * and what happened; {@code echo 1 > .debug} shows the write path, sync rounds and quorum
 * decisions; a cluster start that cannot succeed is not retried twice a second.
 */
class ClusterLogsTest extends ClusterTestBase {

    @Override
    int classIndex() {
        return 14;
    }

    @Test
    void membershipChangesNameTheNodeAndDebugShowsWritesSyncsAndQuorum() throws Exception {
        Cluster c = started(3);
        Cluster.Node n1 = c.node(1);
        ClusterFs.put(n1.path(".debug"), "1\n");
        ClusterFs.put(n1.path("dbg.cfg"), "debug on\n");
        ClusterFs.put(c.node(2).path("from2.cfg"), "from node2\n");
        ClusterFs.awaitContent(n1.path("from2.cfg"), "from node2\n", 5_000);

        assertEquals(0, c.node(3).stop(), "node3 stops");
        Cluster.await("node1 says node3 left", 10_000, () -> n1.output().contains("[dcdb] notice: node 'node3' (nodeid 3) left"));
        c.node(3).start();
        c.awaitQuorate(c.nodes, 20_000);
        Cluster.await("node1 says node3 joined", 10_000,
                () -> n1.output().contains("[dcdb] notice: node 'node3' (nodeid 3) joined"));
        c.node(2).kill9();
        Cluster.await("node1 says node2 failed", 10_000,
                () -> n1.output().contains("[dcdb] warning: node 'node2' (nodeid 2) failed - it stopped answering"));
        c.node(2).unmountLazy();

        String log = n1.output();
        for (String re : new String[] {
            "\\[dcdb\\] debug: send create '/dbg.cfg' to the cluster",
            "\\[dcdb\\] debug: write '/dbg.cfg' \\(9 bytes at 0\\): applied, result 9",
            "\\[dcdb\\] debug: apply write '/dbg.cfg' \\(9 bytes at 0\\) from 1/\\d+: ok",
            "\\[dcdb\\] debug: apply create '/from2.cfg' from 2/\\d+: ok",
            "\\[dcdb\\] debug: state of 3/\\d+: IndexSummary\\[version=\\d+, .*entries=\\d+\\]",
            "\\[quorum\\] debug: view \\[.*\\]: nodes \\[1, 3\\] in the nodelist, 2 of 3 expected votes, quorum 2 - quorate",
        }) {
            assertTrue(Pattern.compile(re).matcher(log).find(), "node1's debug log has /" + re + "/:\n" + log);
        }
        assertTrue(!c.node(3).output().contains("] debug: "), "debug is per node: node3 did not switch it on");
    }

    @Test
    void aClusterStartThatCannotSucceedIsRetriedLessAndLessOften() throws Exception {
        Cluster c = cluster(1);
        Cluster.Node n = c.node(1);
        Files.delete(n.corosyncConf); // a new database without a local config: local mode
        n.start();
        String conf = c.corosyncConf(1, 1).replace("ring0_addr: 127.0.0.1", "ring0_addr: 203.0.113.9");
        ClusterRecoveryTest.writeViaRename(n.mnt, conf);
        Daemon.sleep(12_000);
        String log = n.output();
        long reports = log.lines().filter(l -> l.contains("corosync.conf appeared but cluster mode cannot start yet")).count();
        long attempts = log.lines().filter(l -> l.contains("start cluster connection")).count();
        assertEquals(1, reports, "the cause is logged once:\n" + log);
        assertTrue(log.contains("203.0.113.9") && log.contains("trying again in 1.0 s, then less often"), log);
        // 0.2 s after the write, then 1, 2, 4, 8 s later: at most 5 attempts in 12 s (twice a second before: 24)
        assertTrue(attempts >= 2 && attempts <= 6, attempts + " attempts in 12 s:\n" + log);
        assertEquals(-1, n.quorateValue(), "still in local mode");
    }
}
