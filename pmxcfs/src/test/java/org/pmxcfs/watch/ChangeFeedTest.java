package org.pmxcfs.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChangeFeedTest {

    private static List<String> paths(ChangeFeed.Batch b) {
        return b.events().stream().map(ChangeFeed.Event::path).toList();
    }

    @Test
    void eventsAfterSinceUnderThePrefixOnly() throws Exception {
        ChangeFeed feed = new ChangeFeed(16, () -> 42);
        feed.changed("nodes/a/qemu-server/100.conf");
        feed.changed("nodesX/b");
        feed.changed("storage.cfg");
        feed.changed("nodes");
        ChangeFeed.Batch b = feed.poll(0, e -> e.concerns("nodes"), 100, 0);
        assertEquals(List.of("nodes/a/qemu-server/100.conf", "nodes"), paths(b), "a prefix is a whole path component");
        assertEquals(4, b.revision());
        assertFalse(b.compacted());
        assertEquals(List.of("storage.cfg", "nodes"), paths(feed.poll(2, e -> true, 100, 0)));
        assertEquals(42, b.events().get(0).millis());
    }

    @Test
    void aReloadConcernsEveryWatcher() throws Exception {
        ChangeFeed feed = new ChangeFeed(16, () -> 0);
        feed.reloaded();
        assertEquals(List.of(""), paths(feed.poll(0, e -> e.concerns("nodes/a"), 100, 0)));
    }

    @Test
    void droppedEventsAndAnEarlierRunAreReportedAsCompacted() throws Exception {
        ChangeFeed feed = new ChangeFeed(2, () -> 0);
        feed.changed("a");
        feed.changed("b");
        feed.changed("c");
        assertTrue(feed.poll(0, e -> true, 100, 0).compacted(), "event 1 was dropped");
        assertEquals(List.of("b", "c"), paths(feed.poll(1, e -> true, 100, 0)), "from the oldest kept on");
        assertTrue(feed.poll(10, e -> true, 100, 0).compacted(), "a revision this run never had");
    }

    @Test
    void aFullBatchResumesAfterItsLastEvent() throws Exception {
        ChangeFeed feed = new ChangeFeed(16, () -> 0);
        for (String p : List.of("a", "x", "b", "c")) {
            feed.changed(p);
        }
        ChangeFeed.Batch first = feed.poll(0, e -> !e.path().equals("x"), 2, 0);
        assertEquals(List.of("a", "b"), paths(first));
        assertEquals(3, first.revision());
        assertEquals(List.of("c"), paths(feed.poll(first.revision(), e -> true, 2, 0)));
    }

    @Test
    void aPollWaitsForTheFirstMatchingChange() throws Exception {
        ChangeFeed feed = new ChangeFeed(16, () -> 0);
        CompletableFuture<ChangeFeed.Batch> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return feed.poll(0, e -> e.concerns("x"), 100, 10_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        feed.changed("y");
        Thread.sleep(100);
        assertFalse(waiting.isDone(), "a change elsewhere does not end the wait");
        feed.changed("x/1");
        assertEquals(List.of("x/1"), paths(waiting.get(5, TimeUnit.SECONDS)));
        assertEquals(List.of(), paths(feed.poll(2, e -> true, 100, 50)), "nothing new: empty after the timeout");
    }
}
