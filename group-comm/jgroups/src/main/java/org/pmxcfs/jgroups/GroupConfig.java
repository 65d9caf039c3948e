package org.pmxcfs.jgroups;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one member needs to join a process group: who it is, where it listens, whom to contact,
 * the key, and the membership timings (corosync's token and consensus).
 *
 * @param group      group name (one per dfsm instance, e.g. the cluster name + "/dcdb")
 * @param nodeId     corosync node id of this node
 * @param bind       this node's ring0 address and the group's port
 * @param peers      every configured member's address and port (static discovery, no multicast)
 * @param authKey    the cluster authkey (secauth on), or null for no encryption (secauth off)
 * @param timings    corosync's token and consensus timeouts, which the failure detection and the
 *                   membership changes are scaled from
 * @param links      every node's address on each link (knet's redundant links), or null for
 *                   link 0 only ({@code bind} and {@code peers})
 */
public record GroupConfig(String group, int nodeId, InetSocketAddress bind, List<InetSocketAddress> peers,
                          byte[] authKey, TotemTimings timings, Links links) {

    /** Link 0 only, at the addresses and ports given. */
    public GroupConfig(String group, int nodeId, InetSocketAddress bind, List<InetSocketAddress> peers,
                       byte[] authKey, Duration token) {
        this(group, nodeId, bind, peers, authKey, TotemTimings.of(token), null);
    }

    /** A group of a cluster: every node on {@code port} of each of its link addresses. */
    public static GroupConfig of(String group, int nodeId, int port, Links links, byte[] authKey, TotemTimings timings) {
        List<InetSocketAddress> peers = new ArrayList<>();
        links.nodes().values().forEach(l -> peers.add(new InetSocketAddress(l.get(0), port)));
        return new GroupConfig(group, nodeId, new InetSocketAddress(links.nodes().get(nodeId).get(0), port), peers,
                authKey, timings, links);
    }

    public GroupConfig {
        peers = List.copyOf(peers);
        if (nodeId <= 0) {
            throw new IllegalArgumentException("node id must be positive, got " + nodeId);
        }
    }
}
