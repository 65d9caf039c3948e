package org.pmxcfs.status.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pmxcfs.status.cluster.OutboundQueue.Ready;
import org.pmxcfs.status.cluster.OutboundQueue.Resolve;

class OutboundQueueTest {

    @Test
    void keyedItemsAreCoalescedInPlaceWithTheNewestContent() throws Exception {
        OutboundQueue q = new OutboundQueue(10);
        q.offer("a", new Resolve("a"));
        q.offer("rrd/x", new Ready(1, new byte[] {1}));
        q.offer("a", new Resolve("a"));
        q.offer("rrd/x", new Ready(1, new byte[] {2}));
        assertEquals(2, q.size());
        assertEquals(new Resolve("a"), q.take());
        assertArrayEquals(new byte[] {2}, ((Ready) q.take()).payload());
        q.offer("a", new Resolve("a")); // sent already: queued again
        assertEquals(1, q.size());
    }

    @Test
    void unkeyedItemsKeepTheirOrderAndAreCappedKeyedOnesAreNot() throws Exception {
        OutboundQueue q = new OutboundQueue(2);
        assertTrue(q.offer(new Ready(3, new byte[] {1})));
        q.offer("k", new Resolve("k"));
        assertTrue(q.offer(new Ready(3, new byte[] {2})));
        assertFalse(q.offer(new Ready(3, new byte[] {3})));
        q.offer("k2", new Resolve("k2"));
        assertEquals(4, q.size());
        assertEquals(1, q.takeRefused());
        assertEquals(0, q.takeRefused());
        assertArrayEquals(new byte[] {1}, ((Ready) q.take()).payload());
        assertEquals(new Resolve("k"), q.take());
        assertTrue(q.offer(new Ready(3, new byte[] {4}))); // room again
        assertArrayEquals(new byte[] {2}, ((Ready) q.take()).payload());
        assertEquals(new Resolve("k2"), q.take());
        assertArrayEquals(new byte[] {4}, ((Ready) q.take()).payload());
    }
}
