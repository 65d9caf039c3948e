package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A lossy network under a writing cluster: every node drops a share of the datagrams it sends, at
 * random (nftables in each node's namespace; this kernel has no netem). Delay: {@link ClusterDelayTest}.
 * Corosync's knet rides this out with retransmits and without a membership change; so must we.
 */
@Timeout(240)
class ClusterLossTest extends ClusterTestBase {

    @Override
    int classIndex() {
        return 17;
    }

    @Test
    void tenPercentLossOnEveryNodeLosesNoWriteAndChangesNoMembership() throws Exception {
        TestNetwork net = network(3);
        Cluster c = cluster(3, net).startAll();
        List<SlotWriter> writers = SlotWriter.startAll(c);
        try {
            Daemon.sleep(2_000);
            List<Long> viewsBefore = c.nodes.stream().map(Cluster.Node::membershipChanges).toList();
            long lossAt = System.nanoTime();
            for (int k = 1; k <= 3; k++) {
                net.loseOutgoing(k, 10);
            }
            Daemon.sleep(20_000);
            long lossEnd = System.nanoTime();
            for (int k = 1; k <= 3; k++) {
                net.heal(k);
            }
            writers.forEach(SlotWriter::finish);

            long worst = writers.stream().mapToLong(w -> w.longestGapMs(lossAt, lossEnd)).max().orElseThrow();
            timing("10% loss on every node for 20 s: longest time a node completed no write", worst);
            for (SlotWriter w : writers) {
                assertEquals(List.of(), w.failuresBetween(lossAt, lossEnd), "failed writes under 10% loss");
            }
            assertEquals(viewsBefore, c.nodes.stream().map(Cluster.Node::membershipChanges).toList(),
                    "no membership change under 10% loss");
            assertTrue(worst < 3_000, "a node went " + worst + " ms without a write under 10% loss");
            SlotWriter.assertConverged(c, writers);
        } finally {
            writers.forEach(SlotWriter::finish);
        }
    }

}
