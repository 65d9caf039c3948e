package org.pmxcfs.join;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.pmxcfs.corosync.ConfItem;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.CorosyncConfException;
import org.pmxcfs.corosync.NodeEntry;

/**
 * The decisions of {@code addnode} (reference 4.4 steps 3-7) as a pure function from the current
 * corosync.conf and the request to the edited config, with the original's messages.
 */
public final class AddNodeRules {

    /**
     * What to write.
     *
     * @param conf     the config with the node added; {@code config_version} not yet bumped
     * @param node     the node entry as added
     * @param warnings {@code verify_conf}'s warnings, returned to the joining node
     * @param notes    messages for whoever runs addnode ({@code forcing overwrite ...})
     */
    public record Plan(CorosyncConf conf, NodeEntry node, List<String> warnings, List<String> notes) {}

    private AddNodeRules() {}

    /**
     * @param resolver host name resolution for {@link ConfVerifier}'s warnings
     * @throws JoinException with the original's message: {@code invalid corosync.conf} (details
     *                       {@code errorN}/{@code warningN}), an address in use, a link set that
     *                       differs from the cluster's, an existing node, a used node id
     */
    public static Plan plan(CorosyncConf conf, AddNodeRequest req, Function<String, Optional<String>> resolver)
            throws JoinException {
        ConfVerifier.Result verified = ConfVerifier.verify(conf, resolver);
        if (!verified.errors().isEmpty()) {
            Map<String, String> details = new LinkedHashMap<>();
            for (int i = 0; i < verified.errors().size(); i++) {
                details.put("error" + i, verified.errors().get(i));
            }
            for (int i = 0; i < verified.warnings().size(); i++) {
                details.put("warning" + i, verified.warnings().get(i));
            }
            throw new JoinException(JoinException.INTERNAL, "invalid corosync.conf", details);
        }
        String name = req.node();
        SortedMap<Integer, String> links = new TreeMap<>();
        req.links().forEach((n, l) -> links.put(n, l.address()));
        for (String addr : links.values()) {
            checkDuplicateAddress(conf, name, addr);
        }

        // every node has the same links (verified above), so any node shows the cluster's set
        SortedMap<Integer, String> clusterLinks = conf.nodes().get(0).ringAddrs();
        Optional<String> fallback = req.newNodeIp();
        // the original treats a single passed link like the fallback IP, so its number need not match
        if (fallback.isEmpty() && links.size() == 1) {
            fallback = Optional.of(links.remove(links.firstKey()));
        }
        if (!links.isEmpty()) {
            for (int link = 0; link <= NodeEntry.MAX_LINK; link++) {
                boolean inCluster = clusterLinks.containsKey(link);
                boolean given = links.containsKey(link);
                if (inCluster && !given) {
                    throw new JoinException("corosync: link " + link
                            + " exists in cluster config but wasn't specified for new node");
                }
                if (!inCluster && given) {
                    throw new JoinException("corosync: link " + link
                            + " specified for new node doesn't exist in cluster config");
                }
            }
        } else {
            if (clusterLinks.size() > 1) {
                throw new JoinException("no links given but multiple links found on other nodes,"
                        + " fallback only supported on single-link clusters");
            }
            if (fallback.isEmpty()) {
                throw new JoinException("no links and no fallback ip (new_node_ip) given, cannot join cluster");
            }
            checkDuplicateAddress(conf, name, fallback.get());
            links.put(clusterLinks.firstKey(), fallback.get());
        }

        List<String> notes = new ArrayList<>();
        long nodeid;
        int votes;
        Optional<NodeEntry> existing = conf.node(name);
        if (existing.isPresent()) {
            NodeEntry e = existing.get();
            nodeid = req.nodeid().orElse(e.nodeid());
            votes = req.votes().orElse(e.quorumVotes());
            if (!(req.force() && e.nodeid() == nodeid && e.quorumVotes() == votes)) {
                throw new JoinException("can't add existing node '" + name + "'");
            }
            notes.add("forcing overwrite of configured node '" + name + "'");
        } else {
            nodeid = req.nodeid().orElse(conf.nextFreeNodeId());
            votes = req.votes().orElse(1);
            for (NodeEntry n : conf.nodes()) {
                if (n.nodeid() == nodeid) {
                    throw new JoinException("Node with ID " + nodeid + " already exists");
                }
            }
        }

        NodeEntry node = NodeEntry.of(name, nodeid, votes, links);
        try {
            if (existing.isPresent()) {
                return new Plan(overwritten(conf, existing.get(), links), node, verified.warnings(), notes);
            }
            return new Plan(conf.withNodeAdded(node), node, verified.warnings(), notes);
        } catch (CorosyncConfException e) {
            throw new JoinException("unable to add node '" + name + "': " + e.getMessage());
        }
    }

    /**
     * A forced re-add: same name, id and votes, so only addresses change. They are replaced in
     * place when the node has exactly the links given (always, in a config that passed
     * {@link ConfVerifier}); this also works for the last node, which cannot be removed and added.
     */
    private static CorosyncConf overwritten(CorosyncConf conf, NodeEntry old, SortedMap<Integer, String> links)
            throws CorosyncConfException {
        if (!old.ringAddrs().keySet().equals(links.keySet())) {
            return conf.withNodeRemoved(old.name()).withNodeAdded(NodeEntry.of(old.name(), old.nodeid(),
                    old.quorumVotes(), links));
        }
        List<ConfItem> top = new ArrayList<>();
        for (ConfItem item : conf.tree().root().items()) {
            if (item instanceof ConfItem.Section list && list.name().equals("nodelist")) {
                List<ConfItem> nodes = new ArrayList<>();
                for (ConfItem n : list.items()) {
                    nodes.add(n instanceof ConfItem.Section s && s.name().equals("node") && s.line() == old.line()
                            ? withAddresses(s, links) : n);
                }
                top.add(list.withItems(nodes));
            } else {
                top.add(item);
            }
        }
        return CorosyncConf.parse(conf.tree().withRoot(conf.tree().root().withItems(top)).text());
    }

    private static ConfItem.Section withAddresses(ConfItem.Section node, SortedMap<Integer, String> links) {
        List<ConfItem> items = new ArrayList<>();
        for (ConfItem i : node.items()) {
            if (i instanceof ConfItem.Entry e && e.key().matches("ring[0-7]_addr")) {
                items.add(e.withValue(links.get(e.key().charAt(4) - '0')));
            } else {
                items.add(i);
            }
        }
        return node.withItems(items);
    }

    /** An address another node uses on any link would crash the whole cluster. */
    private static void checkDuplicateAddress(CorosyncConf conf, String name, String addr) throws JoinException {
        for (NodeEntry n : conf.nodes()) {
            if (n.name().equals(name)) {
                continue; // re-adding a node with --force keeps its addresses
            }
            for (Map.Entry<Integer, String> ring : n.ringAddrs().entrySet()) {
                if (ring.getValue().equals(addr)) {
                    throw new JoinException("corosync: address '" + addr + "' already used on link ring" + ring.getKey()
                            + "_addr by node '" + n.name() + "'");
                }
            }
        }
    }
}
