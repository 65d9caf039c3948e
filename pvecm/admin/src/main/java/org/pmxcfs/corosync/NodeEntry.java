package org.pmxcfs.corosync;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A {@code nodelist.node} block.
 *
 * @param name        {@code name}, or {@code ring0_addr} when the block has no name (pvecm and
 *                    pmxcfs both fall back like this)
 * @param nodeid      {@code nodeid}, 1..4294967295 (knet needs explicit ids; 0 is not a node id)
 * @param quorumVotes {@code quorum_votes}, default 1
 * @param ringAddrs   link number (0..7) to {@code ringN_addr}; link 0 is required
 * @param line        1-based line of the block, 0 for a node not parsed from a file
 */
public record NodeEntry(String name, long nodeid, int quorumVotes, SortedMap<Integer, String> ringAddrs, int line) {

    /** Highest corosync link number ({@code MAX_LINK_INDEX} in pvecm, 8 knet links). */
    public static final int MAX_LINK = 7;

    /** Largest node id (corosync stores node ids as uint32). */
    public static final long MAX_NODEID = 0xFFFF_FFFFL;

    public NodeEntry {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("node name must not be empty");
        }
        if (nodeid < 1 || nodeid > MAX_NODEID) {
            throw new IllegalArgumentException("nodeid must be 1.." + MAX_NODEID + ", got " + nodeid);
        }
        if (quorumVotes < 0) {
            throw new IllegalArgumentException("quorum_votes must not be negative, got " + quorumVotes);
        }
        ringAddrs = Collections.unmodifiableSortedMap(new TreeMap<>(ringAddrs));
        if (!ringAddrs.containsKey(0)) {
            throw new IllegalArgumentException("node '" + name + "' needs a ring0_addr");
        }
        for (Integer link : ringAddrs.keySet()) {
            if (link < 0 || link > MAX_LINK) {
                throw new IllegalArgumentException("link numbers go from 0 to " + MAX_LINK + ", got " + link);
            }
        }
    }

    /** A node to add to a configuration. */
    public static NodeEntry of(String name, long nodeid, int quorumVotes, Map<Integer, String> ringAddrs) {
        return new NodeEntry(name, nodeid, quorumVotes, new TreeMap<>(ringAddrs), 0);
    }

    /** {@code ring0_addr}. */
    public String ring0Addr() {
        return ringAddrs.get(0);
    }

    /** {@code ringN_addr} of a link. */
    public Optional<String> ringAddr(int link) {
        return Optional.ofNullable(ringAddrs.get(link));
    }
}
