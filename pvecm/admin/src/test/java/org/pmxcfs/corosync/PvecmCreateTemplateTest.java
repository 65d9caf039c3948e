package org.pmxcfs.corosync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PvecmCreateTemplateTest {

    /**
     * {@code pvecm create prod} on node {@code pve1} whose name resolves to 10.10.10.1, all defaults.
     * Where each byte comes from (reference 4.2, {@code PVE::Corosync::create_conf} and
     * {@code write_conf}):
     * <ul>
     *   <li>section and key order: {@code write_conf} dumps {@code sort keys} at every level, so
     *       logging, nodelist, quorum, totem; inside totem cluster_name, config_version, interface,
     *       ip_version, link_mode, secauth, token_coefficient, version;</li>
     *   <li>2 spaces per level, {@code "key: value"}, {@code "name {"}/{@code "}"}, and one blank line
     *       after each top-level section, the last one included (hence the file ends in "}\n\n");</li>
     *   <li>logging: {@code debug: off}, {@code to_syslog: yes} (create_conf);</li>
     *   <li>node: name = node name, nodeid 1 and quorum_votes 1 (defaults of --nodeid/--votes),
     *       ring0_addr = link0 address (the resolved node IP when no link is given);</li>
     *   <li>quorum: only {@code provider: corosync_votequorum};</li>
     *   <li>totem: cluster_name = argument, config_version 1 (created as 0, bumped by
     *       atomic_write_conf), one interface per link with linknumber (knet_link_priority left out
     *       for priority 0), ip_version ipv4-6, link_mode passive, secauth on, token_coefficient 125
     *       (default of --token-coefficient since pve-cluster 9.1.0), version 2.</li>
     * </ul>
     */
    static final String ONE_NODE_DEFAULTS = """
            logging {
              debug: off
              to_syslog: yes
            }

            nodelist {
              node {
                name: pve1
                nodeid: 1
                quorum_votes: 1
                ring0_addr: 10.10.10.1
              }
            }

            quorum {
              provider: corosync_votequorum
            }

            totem {
              cluster_name: prod
              config_version: 1
              interface {
                linknumber: 0
              }
              ip_version: ipv4-6
              link_mode: passive
              secauth: on
              token_coefficient: 125
              version: 2
            }

            """;

    /**
     * The reference's own example, copied from section 4.2: {@code pvecm create prod
     * --link0 10.10.10.1,priority=15 --link1 10.20.20.1,priority=20} on pve1.
     */
    static final String REFERENCE_EXAMPLE = """
            logging {
              debug: off
              to_syslog: yes
            }

            nodelist {
              node {
                name: pve1
                nodeid: 1
                quorum_votes: 1
                ring0_addr: 10.10.10.1
                ring1_addr: 10.20.20.1
              }
            }

            quorum {
              provider: corosync_votequorum
            }

            totem {
              cluster_name: prod
              config_version: 1
              interface {
                knet_link_priority: 15
                linknumber: 0
              }
              interface {
                knet_link_priority: 20
                linknumber: 1
              }
              ip_version: ipv4-6
              link_mode: passive
              secauth: on
              token_coefficient: 125
              version: 2
            }

            """;

    @Test
    void oneNodeCreate() throws Exception {
        CorosyncConf conf = PvecmCreateTemplate.build(
                ClusterCreateParams.of("prod", "pve1", Map.of(0, CorosyncLink.of("10.10.10.1"))));
        assertEquals(ONE_NODE_DEFAULTS, conf.text());
        // Already in pvecm's layout: re-serialising changes nothing.
        assertEquals(ONE_NODE_DEFAULTS, conf.pveText());
        assertEquals(OptionalLong.of(1), conf.configVersion());
        assertEquals("prod", conf.clusterName());
    }

    @Test
    void referenceExampleWithTwoPrioritisedLinks() throws Exception {
        CorosyncConf conf = PvecmCreateTemplate.build(ClusterCreateParams.of("prod", "pve1", Map.of(
                0, new CorosyncLink("10.10.10.1", 15),
                1, new CorosyncLink("10.20.20.1", 20))));
        assertEquals(REFERENCE_EXAMPLE, conf.text());
    }

    @Test
    void nonDefaultIdVotesAndCoefficient() throws Exception {
        CorosyncConf conf = PvecmCreateTemplate.build(new ClusterCreateParams("lab-1", "node7", 7, 2,
                new TreeMap<>(Map.of(0, CorosyncLink.of("192.168.1.7"))), 0));
        assertEquals(ONE_NODE_DEFAULTS
                .replace("pve1", "node7").replace("nodeid: 1", "nodeid: 7").replace("quorum_votes: 1", "quorum_votes: 2")
                .replace("10.10.10.1", "192.168.1.7").replace("cluster_name: prod", "cluster_name: lab-1")
                .replace("token_coefficient: 125", "token_coefficient: 0"), conf.text());
    }

    @Test
    void addAndDeleteOnAPvecmFileGiveWhatPvecmWrites() throws Exception {
        CorosyncConf created = PvecmCreateTemplate.build(
                ClusterCreateParams.of("prod", "pve2", Map.of(0, CorosyncLink.of("10.10.10.2"))));
        CorosyncConf added = created
                .withNodeAdded(NodeEntry.of("pve1", created.nextFreeNodeId(), 1, Map.of(0, "10.10.10.1")))
                .withNodeAdded(NodeEntry.of("pve3", 3, 1, Map.of(0, "10.10.10.3")))
                .withConfigVersionBumped();
        // pvecm re-serialises on every write; for its own files our in-place edit is the same bytes.
        assertEquals(added.pveText(), added.text());
        assertEquals(OptionalLong.of(2), added.configVersion());
        assertEquals("""
                nodelist {
                  node {
                    name: pve1
                    nodeid: 2
                    quorum_votes: 1
                    ring0_addr: 10.10.10.1
                  }
                  node {
                    name: pve2
                    nodeid: 1
                    quorum_votes: 1
                    ring0_addr: 10.10.10.2
                  }
                  node {
                    name: pve3
                    nodeid: 3
                    quorum_votes: 1
                    ring0_addr: 10.10.10.3
                  }
                }
                """, added.text().substring(added.text().indexOf("nodelist {"), added.text().indexOf("\nquorum {")));

        CorosyncConf deleted = added.withNodeRemoved("pve1").withConfigVersionBumped();
        assertEquals(deleted.pveText(), deleted.text());
        assertEquals(OptionalLong.of(3), deleted.configVersion());
    }

    @Test
    void parameterChecks() {
        Map<Integer, CorosyncLink> link = Map.of(0, CorosyncLink.of("10.0.0.1"));
        assertEquals("clustername: value may only be 15 characters long",
                assertThrows(IllegalArgumentException.class,
                        () -> ClusterCreateParams.of("a-very-long-name1", "n", link)).getMessage());
        assertEquals("clustername: value does not look like a valid node name",
                assertThrows(IllegalArgumentException.class,
                        () -> ClusterCreateParams.of("bad_name", "n", link)).getMessage());
        assertEquals("clustername: value does not look like a valid node name",
                assertThrows(IllegalArgumentException.class,
                        () -> ClusterCreateParams.of("-x", "n", link)).getMessage());
        assertEquals("nodeid: value must have a minimum value of 1",
                assertThrows(IllegalArgumentException.class,
                        () -> new ClusterCreateParams("c", "n", 0, 1, new TreeMap<>(link), 125)).getMessage());
        assertEquals("votes: value must have a minimum value of 1",
                assertThrows(IllegalArgumentException.class,
                        () -> new ClusterCreateParams("c", "n", 1, 0, new TreeMap<>(link), 125)).getMessage());
        assertEquals("at least one link (link0..link7) is required",
                assertThrows(IllegalArgumentException.class,
                        () -> ClusterCreateParams.of("c", "n", Map.of())).getMessage());
        assertEquals("link8: link numbers go from 0 to 7",
                assertThrows(IllegalArgumentException.class,
                        () -> ClusterCreateParams.of("c", "n", Map.of(8, CorosyncLink.of("x")))).getMessage());
        assertEquals("priority: value must be 0..255, got 256",
                assertThrows(IllegalArgumentException.class, () -> new CorosyncLink("x", 256)).getMessage());
    }
}
