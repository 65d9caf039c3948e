package org.pmxcfs.corosync;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The corosync.conf {@code pvecm create} writes (reference 4.2, {@code PVE::Corosync::create_conf}
 * followed by {@code atomic_write_conf}): the template below with {@code config_version} already
 * bumped from 0 to 1, laid out by {@link PveConfWriter}.
 *
 * <pre>
 * logging {
 *   debug: off
 *   to_syslog: yes
 * }
 *
 * nodelist {
 *   node {
 *     name: NODE
 *     nodeid: 1
 *     quorum_votes: 1
 *     ring0_addr: LINK0-ADDRESS
 *   }
 * }
 *
 * quorum {
 *   provider: corosync_votequorum
 * }
 *
 * totem {
 *   cluster_name: NAME
 *   config_version: 1
 *   interface {
 *     linknumber: 0
 *   }
 *   ip_version: ipv4-6
 *   link_mode: passive
 *   secauth: on
 *   token_coefficient: 125
 *   version: 2
 * }
 *
 * </pre>
 * One {@code interface} block and one {@code ringN_addr} per link, {@code knet_link_priority} only
 * for a non-zero priority. Not written (as in pvecm): {@code two_node}, {@code wait_for_all},
 * {@code expected_votes}, {@code transport} (knet is corosync 3's default).
 */
public final class PvecmCreateTemplate {

    private PvecmCreateTemplate() {
    }

    /** The configuration for a new one-node cluster. */
    public static CorosyncConf build(ClusterCreateParams p) throws CorosyncConfException {
        ConfSyntax.checkValue("name", p.nodeName());
        List<ConfItem> node = new ArrayList<>(List.of(
                ConfItem.Entry.of("name", p.nodeName()),
                ConfItem.Entry.of("nodeid", Long.toString(p.nodeId())),
                ConfItem.Entry.of("quorum_votes", Integer.toString(p.votes()))));
        List<ConfItem> totem = new ArrayList<>(List.of(
                ConfItem.Entry.of("version", "2"),
                ConfItem.Entry.of("secauth", "on"),
                ConfItem.Entry.of("cluster_name", p.clusterName()),
                // create_conf starts at 0 and atomic_write_conf increments before writing.
                ConfItem.Entry.of("config_version", "1"),
                ConfItem.Entry.of("ip_version", "ipv4-6"),
                ConfItem.Entry.of("link_mode", "passive"),
                ConfItem.Entry.of("token_coefficient", Integer.toString(p.tokenCoefficient()))));
        for (Map.Entry<Integer, CorosyncLink> link : p.links().entrySet()) {
            ConfSyntax.checkValue("link" + link.getKey(), link.getValue().address());
            List<ConfItem> iface = new ArrayList<>();
            iface.add(ConfItem.Entry.of("linknumber", Integer.toString(link.getKey())));
            if (link.getValue().priority() != 0) {
                iface.add(ConfItem.Entry.of("knet_link_priority", Integer.toString(link.getValue().priority())));
            }
            totem.add(ConfItem.Section.of("interface", iface));
            node.add(ConfItem.Entry.of("ring" + link.getKey() + "_addr", link.getValue().address()));
        }
        ConfItem.Section root = ConfItem.Section.of("", List.of(
                ConfItem.Section.of("totem", totem),
                ConfItem.Section.of("nodelist", List.of(ConfItem.Section.of("node", node))),
                ConfItem.Section.of("quorum", List.of(ConfItem.Entry.of("provider", "corosync_votequorum"))),
                ConfItem.Section.of("logging", List.of(
                        ConfItem.Entry.of("to_syslog", "yes"),
                        ConfItem.Entry.of("debug", "off")))));
        return CorosyncConf.parse(PveConfWriter.write(new ConfTree(root, "\n")));
    }
}
