package org.pmxcfs.jgroups;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The redundant links of a group, as corosync.conf describes them (knet): every node's address on
 * each link ({@code ringX_addr}), each link's priority ({@code knet_link_priority}) and the mode
 * ({@code link_mode}: passive uses the best link that is up, active all links that are up).
 *
 * @param nodes    node id → link number → that node's address on the link (link 0 for every node)
 * @param priority link number → knet_link_priority (higher is preferred; default 1)
 * @param active   {@code link_mode: active}
 */
public record Links(Map<Integer, SortedMap<Integer, InetAddress>> nodes, Map<Integer, Integer> priority,
                    boolean active) {

    public Links {
        Map<Integer, SortedMap<Integer, InetAddress>> copy = new TreeMap<>();
        nodes.forEach((id, l) -> copy.put(id, new TreeMap<>(l)));
        nodes = Map.copyOf(copy);
        priority = Map.copyOf(priority);
        for (Map.Entry<Integer, SortedMap<Integer, InetAddress>> e : nodes.entrySet()) {
            if (!e.getValue().containsKey(0)) {
                throw new IllegalArgumentException("node " + e.getKey() + " has no address on link 0");
            }
        }
    }

    /** One link (link 0) per node: nothing to fail over to. */
    public static Links single(Map<Integer, InetAddress> link0) {
        Map<Integer, SortedMap<Integer, InetAddress>> n = new TreeMap<>();
        link0.forEach((id, a) -> n.put(id, new TreeMap<>(Map.of(0, a))));
        return new Links(n, Map.of(), false);
    }

    /** The link numbers of node {@code id}, ascending. */
    public List<Integer> linksOf(int id) {
        SortedMap<Integer, InetAddress> l = nodes.get(id);
        return l == null ? List.of() : List.copyOf(l.keySet());
    }

    /** Whether any node has more than link 0. */
    public boolean redundant() {
        return nodes.values().stream().anyMatch(l -> l.size() > 1);
    }

    int priorityOf(int link) {
        return priority.getOrDefault(link, 1);
    }
}
