package org.pmxcfs.dfsm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Normal messages received while this member cannot apply them yet (not synced), in the order
 * the transport delivered them.
 *
 * <p>Why delivery order and not the original's sort by the per-sender counter: the transport
 * delivers one total order per view, so every member that queues the same messages queues them
 * in the same order, and that order is the one in which the synced members apply them
 * (first in total order wins, as for messages applied without queueing). The original sorts
 * because it re-sends its own queued messages after a join and must merge the copies; we drop
 * the queue at a view change and re-send only what the next round shows applied nowhere, with
 * its old counter (see {@link Dfsm}), so there is nothing to merge, and the counter order would
 * reorder messages of different senders against the total order.
 */
final class MessageQueue {

    /** One queued message and its sender. */
    record Entry(MemberId sender, DfsmMessage.Normal message) {}

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    void add(MemberId sender, DfsmMessage.Normal message) {
        entries.addLast(new Entry(sender, message));
    }

    /** Removes and returns the oldest entry, or null. */
    Entry poll() {
        return entries.pollFirst();
    }

    /** Removes everything. */
    void clear() {
        entries.clear();
    }

    int size() {
        return entries.size();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }
}
