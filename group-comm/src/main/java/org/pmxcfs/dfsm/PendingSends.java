package org.pmxcfs.dfsm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The writers waiting for their own messages, by message counter ({@code dfsm->results}). An
 * entry disappears when its future completes in any way, including a caller's cancel after a
 * timeout, so abandoned waits do not pile up.
 */
final class PendingSends {

    private final ConcurrentSkipListMap<Long, CompletableFuture<SendResult>> waiting = new ConcurrentSkipListMap<>();

    CompletableFuture<SendResult> register(long count) {
        CompletableFuture<SendResult> f = new CompletableFuture<>();
        waiting.put(count, f);
        f.whenComplete((r, e) -> waiting.remove(count, f));
        return f;
    }

    /** Completes the wait for message {@code count}, if anyone still waits. */
    void complete(long count, SendResult result) {
        CompletableFuture<SendResult> f = waiting.get(count);
        if (f != null) {
            f.complete(result);
        }
    }

    /** Completes every wait with {@code result}, in counter order. */
    void completeAll(SendResult result) {
        List<CompletableFuture<SendResult>> all = new ArrayList<>(waiting.values());
        for (CompletableFuture<SendResult> f : all) {
            f.complete(result);
        }
    }

    int size() {
        return waiting.size();
    }
}
