package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One slow, lossy link under a writing cluster: 50 ms of delay each way (100 ms round trip) and
 * 10 % of the frames lost each way on one link of one node, as {@code netem delay 50ms loss 10%}
 * on both of its ends. This kernel has no netem: a delay line ({@link TestNetwork#delay}) sits
 * between the node's port and the bridge. Corosync's knet rides this out; every node must keep
 * writing, nothing acknowledged may be lost, and the trees must end identical.
 */
@Timeout(240)
class ClusterDelayTest extends ClusterTestBase {

    private static final int DELAY_MS = 50;
    private static final int LOSS_PERCENT = 10;
    private static final long DISTURBED_MS = 20_000;

    @Override
    int classIndex() {
        return 18;
    }

    @Test
    void delayAndLossOnTheOnlyLinkOfOneNodeLoseNoWrite() throws Exception {
        disturbed(network(3), 3, 0);
    }

    /** Link 0 is the one passive mode sends on: the slow link stays in use, as knet's would. */
    @Test
    void delayAndLossOnOneLinkOfTwoLoseNoWrite() throws Exception {
        disturbed(network(3, 2), 2, 0);
    }

    private void disturbed(TestNetwork net, int victim, int link) throws Exception {
        Cluster c = cluster(3, net).startAll();
        List<SlotWriter> writers = SlotWriter.startAll(c);
        try {
            Daemon.sleep(2_000);
            int peer = victim == 1 ? 2 : 1;
            long before = net.rttMs(peer, victim, link);
            long from = System.nanoTime();
            net.delay(victim, link, DELAY_MS, LOSS_PERCENT);
            long rtt = net.rttMs(peer, victim, link);
            System.out.printf("[cluster-timing] node%d link %d: round trip %d ms before, %d ms with the delay line%n",
                    victim, link, before, rtt);
            // the delay is real (both ways), or this test would prove nothing
            assertTrue(rtt >= 2 * DELAY_MS, "round trip to node" + victim + " on link " + link + ": " + rtt + " ms");
            Daemon.sleep(DISTURBED_MS);
            long to = System.nanoTime();
            net.heal(victim);
            Daemon.sleep(3_000);
            writers.forEach(SlotWriter::finish);

            long worst = writers.stream().mapToLong(w -> w.longestGapMs(from, to)).max().orElseThrow();
            timing(DELAY_MS + " ms delay and " + LOSS_PERCENT + "% loss on link " + link + " of node" + victim
                    + " (" + net.links() + " link(s)): longest time a node completed no write", worst);
            for (SlotWriter w : writers) {
                assertEquals(List.of(), w.failuresBetween(from, to), "failed writes on a slow, lossy link");
            }
            assertTrue(worst < 3_000, "a node went " + worst + " ms without a write on a slow, lossy link");
            for (SlotWriter w : writers) {
                long done = w.succeededBetween(from, to);
                System.out.printf("[cluster-timing] writes acknowledged on node%d during the %d s: %d%n", w.nodeId(),
                        DISTURBED_MS / 1000, done);
                assertTrue(done >= 10, "node" + w.nodeId() + " acknowledged only " + done + " writes");
            }
            SlotWriter.assertConverged(c, writers);
        } finally {
            writers.forEach(SlotWriter::finish);
        }
    }
}
