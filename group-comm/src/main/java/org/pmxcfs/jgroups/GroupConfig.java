package org.pmxcfs.jgroups;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * What one member needs to join a process group: who it is, where it listens, whom to contact,
 * the key, and the failure-detection timing (corosync's token timeout).
 *
 * @param group      group name (one per dfsm instance, e.g. the cluster name + "/dcdb")
 * @param nodeId     corosync node id of this node
 * @param bind       this node's ring0 address and the group's port
 * @param peers      every configured member's address and port (static discovery, no multicast)
 * @param authKey    the cluster authkey (secauth on), or null for no encryption (secauth off)
 * @param token      failure detection timeout; a silent member is suspected after this long
 * @param links      every node's address on each link (knet's redundant links), or null for
 *                   link 0 only ({@code bind} and {@code peers})
 */
public record GroupConfig(String group, int nodeId, InetSocketAddress bind, List<InetSocketAddress> peers,
                          byte[] authKey, Duration token, Links links) {

    /** Link 0 only. */
    public GroupConfig(String group, int nodeId, InetSocketAddress bind, List<InetSocketAddress> peers,
                       byte[] authKey, Duration token) {
        this(group, nodeId, bind, peers, authKey, token, null);
    }

    public GroupConfig {
        peers = List.copyOf(peers);
        if (nodeId <= 0) {
            throw new IllegalArgumentException("node id must be positive, got " + nodeId);
        }
    }
}
