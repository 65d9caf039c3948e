package org.pmxcfs.corosync;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The inputs of {@code pvecm create} that end up in corosync.conf (reference 4.1/4.2), checked
 * with pvecm's parameter rules and wording.
 *
 * @param clusterName      {@code <clustername>}: pve-node format, at most 15 characters
 * @param nodeName         this node's name
 * @param nodeId           {@code --nodeid}, at least 1 (default 1)
 * @param votes            {@code --votes}, at least 1 (default 1)
 * @param links            {@code --link0..--link7} by link number; pvecm falls back to the IP the
 *                         node name resolves to as link0 when none is given, which the caller
 *                         must do (this record needs at least one link)
 * @param tokenCoefficient {@code --token-coefficient}, at least 0 (default 125)
 */
public record ClusterCreateParams(String clusterName, String nodeName, long nodeId, int votes,
                                  SortedMap<Integer, CorosyncLink> links, int tokenCoefficient) {

    /** pve-node format: letters, digits and inner dashes. */
    private static final Pattern PVE_NODE = Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?");

    public static final int DEFAULT_TOKEN_COEFFICIENT = 125;

    public ClusterCreateParams {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(nodeName, "nodeName");
        if (clusterName.length() > 15) {
            throw new IllegalArgumentException("clustername: value may only be 15 characters long");
        }
        if (!PVE_NODE.matcher(clusterName).matches()) {
            throw new IllegalArgumentException("clustername: value does not look like a valid node name");
        }
        if (nodeName.isEmpty()) {
            throw new IllegalArgumentException("node name must not be empty");
        }
        if (nodeId < 1 || nodeId > NodeEntry.MAX_NODEID) {
            throw new IllegalArgumentException("nodeid: value must have a minimum value of 1");
        }
        if (votes < 1) {
            throw new IllegalArgumentException("votes: value must have a minimum value of 1");
        }
        if (tokenCoefficient < 0) {
            throw new IllegalArgumentException("token-coefficient: value must have a minimum value of 0");
        }
        links = Collections.unmodifiableSortedMap(new TreeMap<>(links));
        if (links.isEmpty()) {
            throw new IllegalArgumentException("at least one link (link0..link" + NodeEntry.MAX_LINK + ") is required");
        }
        for (Integer n : links.keySet()) {
            if (n < 0 || n > NodeEntry.MAX_LINK) {
                throw new IllegalArgumentException("link" + n + ": link numbers go from 0 to " + NodeEntry.MAX_LINK);
            }
        }
    }

    /** Defaults: node id 1, 1 vote, token coefficient 125. */
    public static ClusterCreateParams of(String clusterName, String nodeName, Map<Integer, CorosyncLink> links) {
        return new ClusterCreateParams(clusterName, nodeName, 1, 1, new TreeMap<>(links), DEFAULT_TOKEN_COEFFICIENT);
    }
}
