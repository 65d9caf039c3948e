package org.pmxcfs.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.NodeEntry;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.quorum.QuorumStatus;

/**
 * The IPC answer to {@code get_quorum_status} ({@code docs/IPC.md}): what corosync-quorumtool and
 * corosync-cfgtool tell, from which {@code pvecm status}, {@code nodes} and {@code links} print.
 */
final class QuorumStatusJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private QuorumStatusJson() {}

    /**
     * @param view       the members the quorum numbers are for
     * @param viewNumber the group's view number (corosync's ring sequence)
     * @param linkStatus peer node id → link number → heard there (empty with one link)
     * @param deviceFlags a node's QDevice flags (corosync-quorumtool's Qdevice column); null without a device
     */
    static ObjectNode render(CorosyncConf conf, NodeEntry self, boolean quorate, QuorumStatus st, List<MemberId> view,
                           long viewNumber, Map<Integer, Map<Integer, Boolean>> linkStatus,
                           Function<NodeEntry, String> deviceFlags) {
        ObjectNode o = JSON.objectNode();
        o.put("cluster_name", conf.clusterName());
        o.put("config_version", conf.configVersion().orElse(0));
        o.put("node_id", self.nodeid());
        o.put("node_name", self.name());
        o.put("secauth", conf.totem().secauthEnabled());
        o.put("quorate", quorate);
        o.put("expected_votes", st.expectedVotes());
        o.put("highest_expected", st.highestExpected());
        o.put("total_votes", st.totalVotes());
        o.put("quorum", st.quorum());
        o.put("flags", st.flagsText().trim());
        // corosync's "<representative nodeid>.<ring sequence>", both hex
        o.put("ring_id", view.isEmpty() ? ""
                : Integer.toHexString(view.get(0).nodeId()) + "." + Long.toHexString(viewNumber));
        ArrayNode members = o.putArray("members");
        Set<Integer> online = new TreeSet<>();
        view.forEach(m -> online.add(m.nodeId()));
        for (NodeEntry n : conf.nodes()) {
            ObjectNode m = members.addObject();
            boolean up = online.contains((int) n.nodeid());
            m.put("nodeid", n.nodeid());
            m.put("name", n.name());
            m.put("votes", n.quorumVotes());
            m.put("ip", n.ringAddr(0).orElse(""));
            m.put("online", up);
            m.put("local", n.nodeid() == self.nodeid());
            putLinks(m.putArray("links"), n, n.nodeid() == self.nodeid(), up, linkStatus);
            if (deviceFlags != null) {
                m.put("qdevice", deviceFlags.apply(n));
            }
        }
        return o;
    }

    /**
     * A member's links as corosync-cfgtool shows them: its address on each link, and whether this
     * node hears it there (the link pings; with one link, whether it is a member).
     */
    private static void putLinks(ArrayNode out, NodeEntry n, boolean local, boolean member,
                                 Map<Integer, Map<Integer, Boolean>> status) {
        Map<Integer, Boolean> peer = status.get((int) n.nodeid());
        for (Map.Entry<Integer, String> e : n.ringAddrs().entrySet()) {
            ObjectNode l = out.addObject();
            l.put("link", e.getKey());
            l.put("address", e.getValue());
            l.put("connected", local || (peer != null ? peer.getOrDefault(e.getKey(), false) : member));
        }
    }
}
