package org.pmxcfs.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ClusterLogTest {

    /** A message that makes an entry of node "n", user "root", tag "t" exactly 128 bytes. */
    private static final String MSG_128 = "x".repeat(128 - 48 - 2 - 5 - 2 - 1);

    private static ClusterLogEntry remote(String node, long uid, long time) {
        return new ClusterLogEntry(uid, time, 6, "t", 1, node, "root", "m" + uid);
    }

    private static List<Long> uids(List<ClusterLogEntry> l) {
        return l.stream().map(ClusterLogEntry::uid).toList();
    }

    @Test
    void packedSizeFollowsTheOriginalLayout() {
        ClusterLogEntry e = new ClusterLogEntry(1, 1, 6, "cluster", 5063, "pmxa-local", "root", "starting cluster log");
        // 48 header + "pmxa-local\0" 11 + "root\0" 5 + "cluster\0" 8 + msg 21
        assertEquals(93, ClusterLog.packedSize(e));
        assertEquals(96, LogRing.slotSize(93));
        assertEquals(128, ClusterLog.packedSize(new ClusterLogEntry(1, 1, 6, "t", 1, "n", "root", MSG_128)));
    }

    @Test
    void nodeDigestIsFnv1aWithNul() {
        assertEquals(0xdd74a03998cebee7L, ClusterLog.nodeDigest("pmxa-n1"));
        assertEquals(0xdd6a6e3998c6156cL, ClusterLog.nodeDigest("pmxa-n2"));
        assertEquals(0xdd6dd43998c8f895L, ClusterLog.nodeDigest("pmxa-n3"));
    }

    @Test
    void addLocalAssignsUidsAndNode() {
        ClusterLog log = new ClusterLog("pve1");
        ClusterLogEntry a = log.addLocal(6, "root@pam", "pvedaemon", 4711, "one", 100);
        ClusterLogEntry b = log.addLocal(3, "root@pam", "pvedaemon", 4711, "two", 100);
        assertEquals(1, a.uid());
        assertEquals(2, b.uid());
        assertEquals("pve1", a.node());
        assertEquals(List.of(b, a), log.newest(10));
        assertEquals(List.of(b), log.newest(1));
        assertThrows(IllegalArgumentException.class, () -> log.addLocal(8, "u", "t", 1, "m", 1));
        assertThrows(IllegalArgumentException.class, () -> log.addLocal(-1, "u", "t", 1, "m", 1));
    }

    @Test
    void localEntriesSurviveAClockGoingBackwards() {
        ClusterLog log = new ClusterLog("pve1");
        log.addLocal(6, "root", "t", 1, "late", 1000);
        log.addLocal(6, "root", "t", 1, "early", 900);
        assertEquals(2, log.newest(10).size());
        // ...and they still count for the duplicate rule of echoed copies
        assertFalse(log.insert(new ClusterLogEntry(1, 1000, 6, "t", 1, "pve1", "root", "late")));
    }

    @Test
    void insertDropsDuplicatesPerOriginNode() {
        ClusterLog log = new ClusterLog("local");
        assertTrue(log.insert(remote("a", 5, 100)));
        assertFalse(log.insert(remote("a", 5, 100)), "same (time, uid)");
        assertFalse(log.insert(remote("a", 4, 100)), "same time, lower uid");
        assertFalse(log.insert(remote("a", 9, 99)), "older time");
        assertTrue(log.insert(remote("a", 6, 100)));
        assertTrue(log.insert(remote("a", 1, 101)), "newer time, uid restarted");
        assertTrue(log.insert(remote("b", 1, 50)), "other node has its own high-water mark");
        assertEquals(4, log.newest(100).size());
    }

    @Test
    void newestIsInsertionOrderReversedUntilSorted() {
        ClusterLog log = new ClusterLog("local");
        log.insert(remote("a", 1, 300));
        log.insert(remote("b", 1, 100));
        log.insert(remote("c", 1, 200));
        // like the original: the buffer holds arrival order
        assertEquals(List.of("c", "b", "a"), log.newest(10).stream().map(ClusterLogEntry::node).toList());
        List<ClusterLogEntry> state = log.stateForSync();
        assertEquals(List.of("b", "c", "a"), state.stream().map(ClusterLogEntry::node).toList());
        assertEquals(List.of("a", "c", "b"), log.newest(10).stream().map(ClusterLogEntry::node).toList());
    }

    @Test
    void ringHoldsWhatTheOriginalsBufferHolds() {
        ClusterLog log = new ClusterLog("n");
        // 128-byte entries: slots at 8 + 128 i fit while 8 + 128 i + 128 < 131072, i.e. 1023 of them
        for (int i = 1; i <= 1023; i++) {
            log.addLocal(6, "root", "t", 1, MSG_128, i);
        }
        assertEquals(1023, log.newest(Integer.MAX_VALUE).size());
        // the 1024th wraps to the start; the old entries within 4096 bytes after it are no longer
        // read (the original's conservative walk), leaving 1 + 990
        log.addLocal(6, "root", "t", 1, MSG_128, 1024);
        List<ClusterLogEntry> all = log.newest(Integer.MAX_VALUE);
        assertEquals(991, all.size());
        assertEquals(1024, all.get(0).uid());
        assertEquals(1023, all.get(1).uid());
        assertEquals(34, all.get(all.size() - 1).uid());
        for (int i = 1025; i <= 3000; i++) {
            log.addLocal(6, "root", "t", 1, MSG_128, i);
        }
        all = log.newest(Integer.MAX_VALUE);
        assertEquals(3000, all.get(0).uid());
        assertTrue(all.size() >= 991 && all.size() <= 1023, "size " + all.size());
    }

    @Test
    void ringWithRandomSizesStaysWithinBudgetAndKeepsANewestSuffix() {
        Random r = new Random(7);
        ClusterLog log = new ClusterLog("node");
        for (int n = 1; n <= 2500; n++) {
            int len = r.nextInt(10) == 0 ? 3000 + r.nextInt(2000) : r.nextInt(300);
            log.addLocal(r.nextInt(8), "u".repeat(1 + r.nextInt(20)), "tag", 1, "y".repeat(len), n);
            List<ClusterLogEntry> all = log.newest(Integer.MAX_VALUE);
            long bytes = 0;
            for (int k = 0; k < all.size(); k++) {
                assertEquals(n - k, all.get(k).uid(), "visible entries are the newest, without gaps");
                int size = ClusterLog.packedSize(all.get(k));
                assertTrue(size <= ClusterLog.MAX_ENTRY_SIZE);
                bytes += LogRing.slotSize(size);
            }
            assertTrue(bytes <= ClusterLog.DEFAULT_SIZE - LogRing.BASE_HEADER, "bytes " + bytes);
            if (n > 1500) {
                assertTrue(bytes >= ClusterLog.DEFAULT_SIZE - LogRing.BASE_HEADER - 3 * ClusterLog.MAX_ENTRY_SIZE,
                        "bytes " + bytes + " after " + n);
            }
        }
    }

    @Test
    void longMessagesAreTruncatedToTheEntryLimit() {
        ClusterLog log = new ClusterLog("n");
        ClusterLogEntry e = log.addLocal(6, "root", "t", 1, "x".repeat(10_000), 1);
        // the original stops writing at buffer size - 7: 4096 - 44 - 9 - 7 = 4036 chars
        assertEquals(4036, e.msg().length());
        assertEquals(4094, ClusterLog.packedSize(e));

        ClusterLogEntry q = log.addLocal(6, "root", "t", 1, "\"".repeat(5000), 2);
        assertTrue(ClusterLog.packedSize(q) <= 4096);
        assertEquals(0, q.msg().length() % 2, "no escape is cut in half");

        ClusterLogEntry u = log.addLocal(6, "root", "t", 1, "é".repeat(5000), 3);
        assertTrue(ClusterLog.packedSize(u) <= 4096);
        assertEquals("\\u00e9".repeat(u.msg().length() / 6), u.msg());
        assertTrue(u.msg().length() >= 4036 - 6);
    }

    @Test
    void namesAreTruncatedTo254Bytes() {
        ClusterLog log = new ClusterLog("n".repeat(300));
        ClusterLogEntry e = log.addLocal(6, "u".repeat(300), "ä".repeat(200), 1, "m", 1);
        assertEquals(254, e.node().length());
        assertEquals(254, e.user().length());
        assertEquals(127, e.tag().length(), "two bytes per char, not cut inside one");

        ClusterLogEntry big = new ClusterLogEntry(1, 1, 6, "t".repeat(1000), 1, "r".repeat(1000), "u".repeat(1000),
                "m".repeat(10_000));
        assertTrue(log.insert(big));
        ClusterLogEntry stored = log.newest(1).get(0);
        assertEquals(254, stored.tag().length());
        assertEquals(254, stored.node().length());
        assertEquals(254, stored.user().length());
        assertEquals(4096, ClusterLog.packedSize(stored));
    }

    @Test
    void userFilter() {
        ClusterLog log = new ClusterLog("n");
        log.addLocal(6, "root@pam", "t", 1, "a", 1);
        log.addLocal(6, "bob@pve", "t", 1, "b", 2);
        log.addLocal(6, "root@pam", "t", 1, "c", 3);
        assertEquals(List.of("c", "a"), log.newest(50, "root@pam").stream().map(ClusterLogEntry::msg).toList());
        assertEquals(List.of("c"), log.newest(1, "root@pam").stream().map(ClusterLogEntry::msg).toList());
        assertEquals(3, log.newest(50, "").size());
    }

    @Test
    void mergeUnitesDeduplicatesAndSorts() {
        ClusterLog log = new ClusterLog("a");
        ClusterLogEntry a1 = log.addLocal(6, "root", "t", 1, "a1", 100);
        ClusterLogEntry a2 = log.addLocal(6, "root", "t", 1, "a2", 300);
        ClusterLogEntry b1 = remote("b", 1, 200);
        ClusterLogEntry b2 = remote("b", 2, 400);
        ClusterLogEntry c1 = remote("c", 1, 300);
        // the remote buffers also contain our own entries (they got them by multicast)
        log.merge(List.of(b2, a2, b1, c1, a1, b1));
        List<ClusterLogEntry> all = log.newest(100);
        assertEquals(5, all.size());
        assertEquals(b2, all.get(0));
        // time 300 ties are ordered by node digest
        List<ClusterLogEntry> at300 = all.subList(1, 3);
        assertEquals(Set.of(a2, c1), new HashSet<>(at300));
        assertTrue(Long.compareUnsigned(ClusterLog.nodeDigest(at300.get(0).node()),
                ClusterLog.nodeDigest(at300.get(1).node())) > 0);
        assertEquals(List.of(b1, a1), all.subList(3, 5));

        // the duplicate rule now knows what was merged
        assertFalse(log.insert(remote("b", 2, 400)));
        assertFalse(log.insert(remote("c", 1, 250)));
        assertTrue(log.insert(remote("c", 2, 300)));
    }

    @Test
    void mergeKeepsTheNewestWithinTheBudget() {
        ClusterLog log = new ClusterLog("n");
        List<ClusterLogEntry> remoteEntries = new ArrayList<>();
        for (int i = 1; i <= 3000; i++) {
            remoteEntries.add(new ClusterLogEntry(i, i, 6, "t", 1, "n" + (i % 3), "root", "x".repeat(128 - 48 - 3 - 5 - 2 - 1)));
        }
        assertEquals(128, ClusterLog.packedSize(remoteEntries.get(0)));
        log.merge(remoteEntries);
        List<ClusterLogEntry> all = log.newest(Integer.MAX_VALUE);
        // taken newest first until 131072 - 8 - 4096 = 126968 bytes are reached: 992 entries
        assertEquals(992, all.size());
        assertEquals(3000, all.get(0).time());
        assertEquals(3000 - 991, all.get(all.size() - 1).time());
    }

    @Test
    void concurrentWritersGetUniqueUids() throws InterruptedException {
        ClusterLog log = new ClusterLog("n");
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 500; i++) {
                    log.addLocal(6, "root", "t", 1, "m", 1);
                    log.newest(50);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        List<ClusterLogEntry> all = log.newest(Integer.MAX_VALUE);
        assertEquals(2000, all.size());
        assertEquals(2000, new HashSet<>(uids(all)).size());
        assertEquals(2000, all.get(0).uid());
    }

    @Test
    void tooSmallBufferIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ClusterLog("n", 4096 * 10 - 1));
        new ClusterLog("n", 4096 * 10);
    }
}
