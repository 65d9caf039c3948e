package org.pmxcfs.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.NodeEntry;

class AddNodeRulesTest {

    private static final Function<String, Optional<String>> NO_DNS = h -> Optional.empty();

    /** A cluster of nodes "name:id:addr0[:addr1]" with interfaces for the given links. */
    static CorosyncConf conf(List<Integer> interfaces, String secauth, String... nodes) throws Exception {
        StringBuilder b = new StringBuilder("nodelist {\n");
        for (String n : nodes) {
            String[] f = n.split(":");
            b.append("  node {\n    name: ").append(f[0]).append("\n    nodeid: ").append(f[1])
                    .append("\n    quorum_votes: 1\n");
            for (int i = 2; i < f.length; i++) {
                if (!f[i].isEmpty()) {
                    b.append("    ring").append(i - 2).append("_addr: ").append(f[i]).append('\n');
                }
            }
            b.append("  }\n");
        }
        b.append("}\n\nquorum {\n  provider: corosync_votequorum\n}\n\ntotem {\n  cluster_name: prod\n  config_version: 4\n");
        for (int l : interfaces) {
            b.append("  interface {\n    linknumber: ").append(l).append("\n  }\n");
        }
        if (secauth != null) {
            b.append("  secauth: ").append(secauth).append('\n');
        }
        b.append("  version: 2\n}\n");
        return CorosyncConf.parse(b.toString());
    }

    static AddNodeRequest req(String node, String... params) throws JoinException {
        Map<String, String> p = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            p.put(params[i], params[i + 1]);
        }
        return AddNodeRequest.fromParams(node, p);
    }

    private static String fails(CorosyncConf c, AddNodeRequest r) {
        return assertThrows(JoinException.class, () -> AddNodeRules.plan(c, r, NO_DNS)).getMessage();
    }

    @Test
    void newNodeGetsTheLowestFreeIdAndOneVote() throws Exception {
        CorosyncConf c = conf(List.of(0), "on", "pve1:1:10.0.0.1", "pve3:3:10.0.0.3");
        AddNodeRules.Plan p = AddNodeRules.plan(c, req("pve4", "link0", "10.0.0.4"), NO_DNS);
        assertEquals(2, p.node().nodeid());
        assertEquals(1, p.node().quorumVotes());
        assertEquals("10.0.0.4", p.node().ring0Addr());
        NodeEntry added = p.conf().node("pve4").orElseThrow();
        assertEquals(2, added.nodeid());
        assertEquals(4, p.conf().configVersion().getAsLong()); // the writer bumps it
        assertEquals(List.of("pve1", "pve3", "pve4"), p.conf().nodes().stream().map(NodeEntry::name).toList());
        assertTrue(p.warnings().isEmpty());
    }

    @Test
    void explicitNodeIdAndVotes() throws Exception {
        CorosyncConf c = conf(List.of(0), "on", "pve1:1:10.0.0.1");
        AddNodeRules.Plan p = AddNodeRules.plan(c, req("pve2", "link0", "10.0.0.2", "nodeid", "7", "votes", "3"), NO_DNS);
        assertEquals(7, p.node().nodeid());
        assertEquals(3, p.node().quorumVotes());
    }

    @Test
    void usedNodeIdIsRefused() throws Exception {
        CorosyncConf c = conf(List.of(0), "on", "pve1:1:10.0.0.1");
        assertEquals("Node with ID 1 already exists", fails(c, req("pve2", "link0", "10.0.0.2", "nodeid", "1")));
    }

    @Test
    void addressOfAnotherNodeIsRefused() throws Exception {
        CorosyncConf c = conf(List.of(0, 1), "on", "pve1:1:10.0.0.1:10.1.0.1");
        assertEquals("corosync: address '10.1.0.1' already used on link ring1_addr by node 'pve1'",
                fails(c, req("pve2", "link0", "10.0.0.2", "link1", "10.1.0.1")));
    }

    @Test
    void fallbackIpIsCheckedForReuseToo() throws Exception {
        CorosyncConf c = conf(List.of(0), "on", "pve1:1:10.0.0.1");
        assertEquals("corosync: address '10.0.0.1' already used on link ring0_addr by node 'pve1'",
                fails(c, req("pve2", "new_node_ip", "10.0.0.1")));
    }

    @Test
    void linkSetMustMatchTheCluster() throws Exception {
        CorosyncConf c = conf(List.of(0, 1), "on", "pve1:1:10.0.0.1:10.1.0.1");
        assertEquals("corosync: link 1 exists in cluster config but wasn't specified for new node",
                fails(c, req("pve2", "link0", "10.0.0.2", "link2", "10.2.0.2")));
        assertEquals("corosync: link 2 specified for new node doesn't exist in cluster config",
                fails(c, req("pve2", "link0", "10.0.0.2", "link1", "10.1.0.2", "link2", "10.2.0.2")));
    }

    @Test
    void singleLinkIsTreatedAsTheFallbackWhateverItsNumber() throws Exception {
        CorosyncConf c = conf(List.of(0), "on", "pve1:1:10.0.0.1");
        AddNodeRules.Plan p = AddNodeRules.plan(c, req("pve2", "link3", "10.0.0.2"), NO_DNS);
        assertEquals(Map.of(0, "10.0.0.2"), p.node().ringAddrs());
    }

    @Test
    void noLinksUsesNewNodeIpOnASingleLinkCluster() throws Exception {
        CorosyncConf c = conf(List.of(0), "on", "pve1:1:10.0.0.1");
        AddNodeRules.Plan p = AddNodeRules.plan(c, req("pve2", "new_node_ip", "10.0.0.2"), NO_DNS);
        assertEquals("10.0.0.2", p.node().ring0Addr());
    }

    @Test
    void noLinksAndNoFallback() throws Exception {
        CorosyncConf c = conf(List.of(0), "on", "pve1:1:10.0.0.1");
        assertEquals("no links and no fallback ip (new_node_ip) given, cannot join cluster", fails(c, req("pve2")));
        CorosyncConf two = conf(List.of(0, 1), "on", "pve1:1:10.0.0.1:10.1.0.1");
        assertEquals("no links given but multiple links found on other nodes, fallback only supported on single-link clusters",
                fails(two, req("pve2", "new_node_ip", "10.0.0.2")));
    }

    @Test
    void existingNameNeedsForceAndTheSameIdAndVotes() throws Exception {
        CorosyncConf c = conf(List.of(0), "on", "pve1:1:10.0.0.1", "pve2:2:10.0.0.2");
        assertEquals("can't add existing node 'pve2'", fails(c, req("pve2", "link0", "10.0.0.22")));
        assertEquals("can't add existing node 'pve2'", fails(c, req("pve2", "link0", "10.0.0.22", "force", "1", "nodeid", "5")));
        assertEquals("can't add existing node 'pve2'", fails(c, req("pve2", "link0", "10.0.0.22", "force", "1", "votes", "2")));
        AddNodeRules.Plan p = AddNodeRules.plan(c, req("pve2", "link0", "10.0.0.22", "force", "1"), NO_DNS);
        assertEquals(List.of("forcing overwrite of configured node 'pve2'"), p.notes());
        assertEquals("10.0.0.22", p.conf().node("pve2").orElseThrow().ring0Addr());
        assertEquals(2, p.conf().node("pve2").orElseThrow().nodeid());
        assertEquals(2, p.conf().nodes().size());
    }

    @Test
    void forcedOverwriteOfTheOnlyNodeChangesItsAddressInPlace() throws Exception {
        CorosyncConf c = conf(List.of(0), "on", "pve1:1:10.0.0.1");
        AddNodeRules.Plan p = AddNodeRules.plan(c, req("pve1", "link0", "10.0.0.9", "force", "1"), NO_DNS);
        assertEquals(c.text().replace("ring0_addr: 10.0.0.1", "ring0_addr: 10.0.0.9"), p.conf().text());
    }

    @Test
    void forcedOverwriteMayKeepItsOwnAddress() throws Exception {
        CorosyncConf c = conf(List.of(0), "on", "pve1:1:10.0.0.1", "pve2:2:10.0.0.2");
        AddNodeRules.Plan p = AddNodeRules.plan(c, req("pve2", "link0", "10.0.0.2", "force", "1"), NO_DNS);
        assertEquals("10.0.0.2", p.node().ring0Addr());
    }

    @Test
    void invalidConfigIsReportedWithNumberedDetails() throws Exception {
        // interface 0 configured, but a node lacks ring0? not parseable; use a node with an extra link instead
        CorosyncConf c = conf(List.of(0), null, "pve1:1:10.0.0.1:10.1.0.1");
        JoinException e = assertThrows(JoinException.class,
                () -> AddNodeRules.plan(c, req("pve2", "link0", "10.0.0.2"), NO_DNS));
        assertEquals("invalid corosync.conf", e.getMessage());
        assertEquals(Map.of(
                "error0", "node 'pve1' has 'ring1_addr', but there is no interface number 1 configured",
                "warning0", "warning: authentication/encryption is not explicitly enabled (secauth / crypto_cipher / crypto_hash)"),
                e.details());
    }

    @Test
    void withoutInterfacesAllNodesNeedTheSameLinks() throws Exception {
        CorosyncConf c = conf(List.of(), "on", "pve1:1:10.0.0.1:10.1.0.1", "pve2:2:10.0.0.2");
        ConfVerifier.Result r = ConfVerifier.verify(c, NO_DNS);
        assertEquals(List.of("node 'pve2' is missing link 1, which is configured on other nodes"), r.errors());
    }

    @Test
    void interfaceWithoutNodeAddressIsAnError() throws Exception {
        CorosyncConf c = conf(List.of(0, 1), "on", "pve1:1:10.0.0.1");
        assertEquals(List.of("node 'pve1' is missing address for interface number 1"), ConfVerifier.verify(c, NO_DNS).errors());
    }

    @Test
    void hostNameAddressesGiveWarnings() throws Exception {
        CorosyncConf c = conf(List.of(0), "on", "pve1:1:pve1.example", "pve2:2:pve2.example");
        Function<String, Optional<String>> dns = h -> h.equals("pve1.example") ? Optional.of("10.0.0.1") : Optional.empty();
        AddNodeRules.Plan p = AddNodeRules.plan(c, req("pve3", "link0", "10.0.0.3"), dns);
        assertEquals(List.of(
                "warning: ring0_addr 'pve1.example' for node 'pve1' resolves to '10.0.0.1' - consider replacing it with the currently resolved IP address for stability",
                "warning: unable to resolve ring0_addr 'pve2.example' for node 'pve2' to an IP address according to Corosync's resolve strategy - cluster could fail on restart!"),
                p.warnings());
    }
}
