package org.pmxcfs.join;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import org.pmxcfs.corosync.CorosyncLink;
import org.pmxcfs.corosync.NodeEntry;

/**
 * The parameters of {@code addnode} ({@code POST /cluster/config/nodes/{node}} and
 * {@code pvecm addnode}).
 *
 * @param node       the new node's name
 * @param links      link number to address ({@code --linkN})
 * @param nodeid     {@code --nodeid}, else the lowest free id
 * @param votes      {@code --votes} (≥ 0), else 1
 * @param force      {@code --force}: allow overwriting a node of the same name, id and votes
 * @param newNodeIp  {@code --new_node_ip}: the address for a single-link cluster when no link is given
 * @param apiversion {@code --apiversion} of the joining node's join API
 */
public record AddNodeRequest(String node, SortedMap<Integer, CorosyncLink> links, OptionalLong nodeid,
                             OptionalInt votes, boolean force, Optional<String> newNodeIp, OptionalLong apiversion) {

    public AddNodeRequest {
        links = new TreeMap<>(links);
    }

    /**
     * Reads the API's (or CLI's) string parameters, checked like the original's schema.
     *
     * @throws JoinException {@code 400 Parameter verification failed.} naming each bad parameter
     */
    public static AddNodeRequest fromParams(String node, Map<String, String> params) throws JoinException {
        Map<String, String> problems = new TreeMap<>();
        if (!NodeName.valid(node)) {
            problems.put("node", NodeName.PROBLEM);
        }
        SortedMap<Integer, CorosyncLink> links = new TreeMap<>();
        OptionalLong nodeid = OptionalLong.empty();
        OptionalInt votes = OptionalInt.empty();
        boolean force = false;
        Optional<String> newNodeIp = Optional.empty();
        OptionalLong apiversion = OptionalLong.empty();
        for (Map.Entry<String, String> p : params.entrySet()) {
            String key = p.getKey();
            String v = p.getValue();
            try {
                if (key.matches("link[0-" + NodeEntry.MAX_LINK + "]")) {
                    links.put(key.charAt(4) - '0', LinkArg.parse(v));
                } else {
                    switch (key) {
                        case "nodeid" -> nodeid = OptionalLong.of(integer(v, 1, NodeEntry.MAX_NODEID));
                        case "votes" -> votes = OptionalInt.of((int) integer(v, 0, Integer.MAX_VALUE));
                        case "force" -> force = bool(v);
                        case "new_node_ip" -> {
                            if (!LinkArg.isIpLiteral(v)) {
                                throw new IllegalArgumentException("value does not look like a valid IP address");
                            }
                            newNodeIp = Optional.of(v);
                        }
                        case "apiversion" -> apiversion = OptionalLong.of(integer(v, 0, Integer.MAX_VALUE));
                        default -> throw new IllegalArgumentException("property is not defined in schema and the schema does not allow additional properties");
                    }
                }
            } catch (IllegalArgumentException e) {
                problems.put(key, e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw JoinException.parameters(problems);
        }
        return new AddNodeRequest(node, links, nodeid, votes, force, newNodeIp, apiversion);
    }

    /** The request as API parameters (what {@code pvecm add} posts). */
    public Map<String, String> toParams() {
        Map<String, String> p = new LinkedHashMap<>();
        links.forEach((n, l) -> p.put("link" + n, LinkArg.format(l)));
        nodeid.ifPresent(id -> p.put("nodeid", Long.toString(id)));
        votes.ifPresent(v -> p.put("votes", Integer.toString(v)));
        if (force) {
            p.put("force", "1");
        }
        newNodeIp.ifPresent(ip -> p.put("new_node_ip", ip));
        apiversion.ifPresent(v -> p.put("apiversion", Long.toString(v)));
        return p;
    }

    private static long integer(String v, long min, long max) {
        long n;
        try {
            n = Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("type check ('integer') failed - got '" + v + "'");
        }
        if (n < min) {
            throw new IllegalArgumentException("value must have a minimum value of " + min);
        }
        if (n > max) {
            throw new IllegalArgumentException("value must have a maximum value of " + max);
        }
        return n;
    }

    private static boolean bool(String v) {
        return switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            case "0", "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("type check ('boolean') failed - got '" + v + "'");
        };
    }
}
