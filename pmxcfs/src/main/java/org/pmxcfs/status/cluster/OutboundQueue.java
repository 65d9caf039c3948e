package org.pmxcfs.status.cluster;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * What the status group still has to multicast, in arrival order. Items with a coalescing key
 * (one per status key) are kept once: a newer offer replaces the pending content in place, since
 * only the latest value of a key matters. That bounds them by the number of keys, so only
 * items without a key (cluster log entries) count against the capacity; beyond it new ones are
 * refused, which costs nothing lasting because the entries are in the local log and reach the
 * other nodes with the next membership change's log merge. Thread-safe.
 */
final class OutboundQueue {

    /** One thing to send. */
    sealed interface Item permits Resolve, Ready {}

    /** A kv key whose current local value is looked up when it is sent, so the newest value goes out. */
    record Resolve(String key) implements Item {}

    /** A finished payload. */
    record Ready(int subtype, byte[] payload) implements Item {}

    private final int capacity;
    /** Coalescing keys (String) and unkeyed items (Item), oldest first. */
    private final ArrayDeque<Object> order = new ArrayDeque<>();
    private final Map<String, Item> keyed = new HashMap<>();
    private int unkeyed;
    private long refused;

    /** @param capacity how many unkeyed items may wait */
    OutboundQueue(int capacity) {
        this.capacity = capacity;
    }

    /** Queues {@code item} under {@code key}, or replaces the item already pending under it. */
    synchronized void offer(String key, Item item) {
        if (keyed.put(key, item) == null) {
            order.addLast(key);
            notifyAll();
        }
    }

    /** Queues an unkeyed item; false (and counted) if the queue is full. */
    synchronized boolean offer(Item item) {
        if (unkeyed >= capacity) {
            refused++;
            return false;
        }
        unkeyed++;
        order.addLast(item);
        notifyAll();
        return true;
    }

    /** The oldest item; waits while there is none. */
    synchronized Item take() throws InterruptedException {
        while (order.isEmpty()) {
            wait();
        }
        Object o = order.pollFirst();
        if (o instanceof String key) {
            return keyed.remove(key);
        }
        unkeyed--;
        return (Item) o;
    }

    /** How many unkeyed items were refused since the last call; resets the count. */
    synchronized long takeRefused() {
        long r = refused;
        refused = 0;
        return r;
    }

    synchronized int size() {
        return order.size();
    }
}
