package org.pmxcfs.jgroups;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which links to each peer are up, from the pings heard on them (knet's per-link heartbeats),
 * and which links a datagram to a peer goes out on. A link is up from the first ping heard on it
 * until none was heard for {@code timeoutNanos}. Thread-safe; pure logic on the times it is given.
 */
final class LinkTable {

    /** A link of a peer changed state. */
    record Change(int node, int link, boolean up) {}

    private final Links links;
    private final int self;
    private final long timeoutNanos;
    /** (node, link) → when a ping was last heard on it; absent: down. */
    private final Map<Long, Long> heard = new HashMap<>();

    LinkTable(Links links, int self, long timeoutNanos) {
        this.links = links;
        this.self = self;
        this.timeoutNanos = timeoutNanos;
    }

    private static long key(int node, int link) {
        return ((long) node << 8) | link;
    }

    /** A ping from {@code node} arrived on {@code link}; the change if the link just came up. */
    synchronized Change heard(int node, int link, long now) {
        return heard.put(key(node, link), now) == null ? new Change(node, link, true) : null;
    }

    /** Links not heard from for the timeout go down; returns those changes. */
    synchronized List<Change> expire(long now) {
        List<Change> down = new ArrayList<>();
        heard.entrySet().removeIf(e -> {
            if (now - e.getValue() > timeoutNanos) {
                down.add(new Change((int) (e.getKey() >>> 8), (int) (e.getKey() & 0xff), false));
                return true;
            }
            return false;
        });
        return down;
    }

    /** Whether {@code link} to {@code node} is up. */
    synchronized boolean up(int node, int link) {
        return heard.containsKey(key(node, link));
    }

    /**
     * The links a datagram to {@code node} goes out on: the links both ends have, that are up;
     * passive: the one with the highest priority (then the lowest number), active: all. With no
     * link known to be up (start-up, or every link lost) all common links, so that a peer coming
     * back is found on whichever works.
     */
    synchronized List<Integer> route(int node) {
        List<Integer> common = new ArrayList<>(links.linksOf(node));
        common.retainAll(links.linksOf(self));
        List<Integer> up = new ArrayList<>();
        for (int l : common) {
            if (heard.containsKey(key(node, l))) {
                up.add(l);
            }
        }
        if (up.isEmpty()) {
            return common;
        }
        if (links.active()) {
            return up;
        }
        int best = up.get(0);
        for (int l : up) {
            if (links.priorityOf(l) > links.priorityOf(best)) {
                best = l;
            }
        }
        return List.of(best);
    }
}
