package org.pmxcfs.dfsm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The writers waiting for their own messages, by message counter ({@code dfsm->results}), with
 * each message's bytes so it can be sent again after a membership change. An entry disappears
 * when its future completes in any way, including a caller's cancel after a timeout, so
 * abandoned waits do not pile up.
 */
final class PendingSends {

    /** One waiting writer: its message (counter, encoded bytes, when first sent) and its future. */
    record Entry(long count, byte[] bytes, long sentMillis, CompletableFuture<SendResult> future) {}

    private final ConcurrentSkipListMap<Long, Entry> waiting = new ConcurrentSkipListMap<>();

    CompletableFuture<SendResult> register(long count, byte[] bytes, long sentMillis) {
        Entry e = new Entry(count, bytes, sentMillis, new CompletableFuture<>());
        add(e);
        return e.future();
    }

    /** Waits again for an entry taken out by {@link #drain} (the same future). */
    void add(Entry e) {
        waiting.put(e.count(), e);
        e.future().whenComplete((r, x) -> waiting.remove(e.count(), e));
    }

    /** Completes the wait for message {@code count}, if anyone still waits. */
    void complete(long count, SendResult result) {
        Entry e = waiting.get(count);
        if (e != null) {
            e.future().complete(result);
        }
    }

    /** Removes and returns the entry of message {@code count} if its writer still waits, else null. */
    Entry take(long count) {
        Entry e = waiting.remove(count);
        return e == null || e.future().isDone() ? null : e;
    }

    /** Completes every wait with {@code result}, in counter order. */
    void completeAll(SendResult result) {
        for (Entry e : drain()) {
            e.future().complete(result);
        }
    }

    /** Removes and returns every entry whose writer still waits, in counter order. */
    List<Entry> drain() {
        List<Entry> out = new ArrayList<>();
        for (var first = waiting.pollFirstEntry(); first != null; first = waiting.pollFirstEntry()) {
            if (!first.getValue().future().isDone()) {
                out.add(first.getValue());
            }
        }
        return out;
    }
}
