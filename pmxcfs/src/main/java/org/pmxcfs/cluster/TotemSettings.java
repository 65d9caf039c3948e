package org.pmxcfs.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.NodeEntry;
import org.pmxcfs.corosync.TotemInterface;
import org.pmxcfs.jgroups.Links;
import org.pmxcfs.jgroups.TotemTimings;

/**
 * What the group transport takes from corosync.conf's totem section and nodelist: the links with
 * every node's address on each, the key (the authkey when secauth is on) and the token and
 * consensus timeouts. Both process groups of a node run on the same.
 */
record TotemSettings(Links links, byte[] key, TotemTimings token) {

    /**
     * Fails with a message saying what to fix (a node without ring0_addr, a missing authkey, a
     * consensus shorter than corosync allows).
     */
    static TotemSettings of(CorosyncConf conf, Path authKey) throws IOException {
        return new TotemSettings(links(conf), authKey(conf, authKey), timings(conf));
    }

    /** The authkey when secauth is on, else null. */
    private static byte[] authKey(CorosyncConf conf, Path authKey) throws IOException {
        if (!conf.totem().secauthEnabled()) {
            return null;
        }
        if (!Files.isReadable(authKey)) {
            throw new IOException("secauth is on but the authkey '" + authKey + "' is missing - copy"
                    + " it from a cluster node (mode 0400) or set --authkey");
        }
        return Files.readAllBytes(authKey);
    }

    /**
     * corosync's token timeout ({@code token} grown by {@code token_coefficient} for every node
     * beyond two) and its consensus ({@code consensus}, by default and at least 1.2 × that token).
     */
    static TotemTimings timings(CorosyncConf conf) throws IOException {
        Duration token = Duration.ofMillis(conf.totem().token().orElse(3000)
                + Math.max(0, conf.nodes().size() - 2) * conf.totem().tokenCoefficient().orElse(650));
        Duration least = TotemTimings.defaultConsensus(token);
        if (conf.totem().consensus().isEmpty()) {
            return new TotemTimings(token, least);
        }
        long consensus = conf.totem().consensus().getAsLong();
        if (consensus < least.toMillis()) {
            throw new IOException("totem.consensus " + consensus + " ms is less than 1.2 x token (" + least.toMillis()
                    + " ms, corosync refuses that too) - raise it or remove it from corosync.conf");
        }
        return new TotemTimings(token, Duration.ofMillis(consensus));
    }

    /** Every node's ringX_addr, knet_link_priority of each totem interface, link_mode. */
    private static Links links(CorosyncConf conf) throws IOException {
        Map<Integer, SortedMap<Integer, InetAddress>> nodes = new TreeMap<>();
        for (NodeEntry n : conf.nodes()) {
            if (n.ringAddr(0).isEmpty()) {
                throw new IOException("node '" + n.name() + "' has no ring0_addr");
            }
            SortedMap<Integer, InetAddress> l = new TreeMap<>();
            for (Map.Entry<Integer, String> e : n.ringAddrs().entrySet()) {
                l.put(e.getKey(), InetAddress.getByName(e.getValue()));
            }
            nodes.put((int) n.nodeid(), l);
        }
        Map<Integer, Integer> priority = new TreeMap<>();
        for (TotemInterface i : conf.totem().interfaces()) {
            i.knetLinkPriority().ifPresent(p -> priority.put(i.linknumber(), p));
        }
        return new Links(nodes, priority, conf.totem().linkMode().map("active"::equals).orElse(false));
    }
}
