package org.pmxcfs.jgroups;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which links to each peer are up, from the pings heard on them (knet's per-link heartbeats),
 * and which links a datagram to a peer goes out on. A link is up from the first ping heard on it
 * until none was heard for {@code timeoutNanos}. A link that went down is up again only after
 * {@value #PINGS_TO_RETURN} pings in a row (knet's pong count): a link that flaps faster than that
 * never takes the traffic back from a steady one, where every flap would cost a gap of datagrams.
 * Thread-safe; pure logic on the times it is given.
 */
final class LinkTable {

    /** A link of a peer changed state. */
    record Change(int node, int link, boolean up) {}

    /** Pings in a row that bring a link back up after it went down. */
    static final int PINGS_TO_RETURN = 3;

    /** What was heard on one link of one peer. */
    private static final class Heard {
        long last;
        /** Pings in a row, none further apart than half the timeout. */
        int streak;
        boolean up;
    }

    private final Links links;
    private final int self;
    private final long timeoutNanos;
    /** (node, link) → what was heard on it; absent: never heard. */
    private final Map<Long, Heard> heard = new HashMap<>();

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
        Heard h = heard.get(key(node, link));
        if (h == null) {
            h = new Heard();
            h.up = true; // first heard: nothing to flap back from
            h.last = now;
            heard.put(key(node, link), h);
            return new Change(node, link, true);
        }
        h.streak = now - h.last <= timeoutNanos / 2 ? h.streak + 1 : 1;
        h.last = now;
        if (!h.up && h.streak >= PINGS_TO_RETURN) {
            h.up = true;
            return new Change(node, link, true);
        }
        return null;
    }

    /** Links not heard from for the timeout go down; returns those changes. */
    synchronized List<Change> expire(long now) {
        List<Change> down = new ArrayList<>();
        for (Map.Entry<Long, Heard> e : heard.entrySet()) {
            Heard h = e.getValue();
            if (now - h.last > timeoutNanos) {
                h.streak = 0;
                if (h.up) {
                    h.up = false;
                    down.add(new Change((int) (e.getKey() >>> 8), (int) (e.getKey() & 0xff), false));
                }
            }
        }
        return down;
    }

    /** Whether {@code link} to {@code node} is up. */
    synchronized boolean up(int node, int link) {
        Heard h = heard.get(key(node, link));
        return h != null && h.up;
    }

    /** The links this node and {@code node} both have, whether up or not. */
    List<Integer> common(int node) {
        List<Integer> common = new ArrayList<>(links.linksOf(node));
        common.retainAll(links.linksOf(self));
        return common;
    }

    /**
     * The links a datagram to {@code node} goes out on: the links both ends have, that are up;
     * passive: the one with the highest priority (then the lowest number), active: all. With no
     * link known to be up (start-up, or every link lost) all common links, so that a peer coming
     * back is found on whichever works.
     */
    synchronized List<Integer> route(int node) {
        List<Integer> common = common(node);
        List<Integer> up = new ArrayList<>();
        for (int l : common) {
            if (up(node, l)) {
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
