package org.pmxcfs.corosync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CorosyncConfTest {

    /** A small valid file; tests replace parts of it to provoke one error each. */
    private static final String BASE = """
            totem {
              cluster_name: c
              config_version: 4
              interface {
                linknumber: 0
              }
            }

            nodelist {
              node {
                name: a
                nodeid: 1
                ring0_addr: 10.0.0.1
              }
              node {
                name: b
                nodeid: 2
                ring0_addr: 10.0.0.2
              }
            }
            """;

    @Test
    void sampleTypedView() throws Exception {
        CorosyncConf conf = CorosyncConf.parse(Samples.cluster3NodeBytes());
        assertEquals("pmxa", conf.clusterName());
        assertEquals(OptionalLong.of(3), conf.configVersion());
        Totem t = conf.totem();
        assertEquals(Optional.of("on"), t.secauth());
        assertTrue(t.secauthEnabled());
        assertEquals(Optional.of("passive"), t.linkMode());
        assertEquals(Optional.of("ipv4-6"), t.ipVersion());
        assertEquals(OptionalLong.of(2), t.version());
        assertEquals(OptionalLong.empty(), t.token());
        assertEquals(OptionalLong.empty(), t.tokenCoefficient());
        assertEquals(List.of(new TotemInterface(0, OptionalInt.empty(), 36)), t.interfaces());

        assertEquals(3, conf.nodes().size());
        NodeEntry n2 = conf.nodes().get(1);
        assertEquals("pmxa-n2", n2.name());
        assertEquals(2, n2.nodeid());
        assertEquals(1, n2.quorumVotes());
        assertEquals("10.250.0.2", n2.ring0Addr());
        assertEquals(Optional.empty(), n2.ringAddr(1));
        assertEquals(15, n2.line());

        QuorumSection q = conf.quorum();
        assertEquals(Optional.of("corosync_votequorum"), q.provider());
        assertEquals(OptionalInt.empty(), q.expectedVotes());
        assertFalse(q.twoNode());
        assertFalse(q.waitForAllEnabled());
        assertFalse(q.lastManStanding());
        assertEquals(Optional.empty(), q.device());

        LoggingSection logging = conf.logging().orElseThrow();
        assertEquals(Optional.of("off"), logging.debug());
        assertEquals(Optional.of("no"), logging.toSyslog());
        assertEquals(Optional.of("hires"), logging.get("timestamp"));
    }

    @Test
    void defaultsWhenKeysAreMissing() throws Exception {
        CorosyncConf conf = CorosyncConf.parse(BASE);
        assertTrue(conf.totem().secauthEnabled()); // ours: on unless "secauth: off"
        assertEquals(1, conf.nodes().get(0).quorumVotes());
        assertEquals(QuorumSection.absent(), conf.quorum());
        assertEquals(Optional.empty(), conf.logging());
    }

    @Test
    void quorumOptions() throws Exception {
        CorosyncConf conf = CorosyncConf.parse(BASE + """
                quorum {
                  provider: corosync_votequorum
                  expected_votes: 3
                  two_node: 1
                  last_man_standing: 1
                  device {
                    model: net
                    votes: 1
                  }
                }
                """);
        QuorumSection q = conf.quorum();
        assertEquals(OptionalInt.of(3), q.expectedVotes());
        assertTrue(q.twoNode());
        assertEquals(Optional.empty(), q.waitForAll());
        assertTrue(q.waitForAllEnabled(), "two_node implies wait_for_all");
        assertTrue(q.lastManStanding());
        assertEquals(Optional.of("net"), q.device().orElseThrow().model());
        assertEquals(OptionalInt.of(1), q.device().orElseThrow().votes());

        QuorumSection explicitOff = CorosyncConf.parse(BASE + "quorum {\n two_node: 1\n wait_for_all: 0\n}\n").quorum();
        assertFalse(explicitOff.waitForAllEnabled());
    }

    @Test
    void nodeWithoutNameIsKnownByRing0Address() throws Exception {
        CorosyncConf conf = CorosyncConf.parse(BASE.replace("    name: b\n", ""));
        assertEquals("10.0.0.2", conf.nodes().get(1).name());
    }

    @Test
    void ringnumberIsAcceptedForLinknumber() throws Exception {
        CorosyncConf conf = CorosyncConf.parse(BASE.replace("linknumber: 0", "ringnumber: 1")
                .replace("ring0_addr: 10.0.0.2", "ring0_addr: 10.0.0.2\n    ring1_addr: 10.1.0.2"));
        assertEquals(1, conf.totem().interfaces().get(0).linknumber());
        assertEquals(Optional.of("10.1.0.2"), conf.nodes().get(1).ringAddr(1));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(BASE.replace("    nodeid: 2\n", "    nodeid: 1\n"), 15,
                        "line 15: duplicate nodeid 1 (also used by node 'a' at line 10)"),
                Arguments.of(BASE.replace("name: b", "name: a"), 15,
                        "line 15: duplicate node name 'a' (first at line 10)"),
                Arguments.of(BASE.replace("    nodeid: 2\n", ""), 15, "line 15: node has no nodeid"),
                Arguments.of(BASE.replace("    ring0_addr: 10.0.0.2\n", ""), 15, "line 15: node has no ring0_addr"),
                Arguments.of(BASE.replace("nodeid: 2", "nodeid: 0"), 17,
                        "line 17: nodelist.node.nodeid: 0 is not a valid node id (they start at 1)"),
                Arguments.of(BASE.replace("nodeid: 2", "nodeid: two"), 17,
                        "line 17: nodelist.node.nodeid: 'two' is not a number"),
                Arguments.of(BASE.replace("nodeid: 2", "nodeid: 4294967296"), 17,
                        "line 17: nodelist.node.nodeid: 4294967296 is out of range (0..4294967295)"),
                Arguments.of(BASE.replace("  cluster_name: c\n", ""), 1, "line 1: section 'totem' has no cluster_name"),
                Arguments.of(BASE.replace("cluster_name: c", "cluster_name:"), 2, "line 2: totem.cluster_name is empty"),
                Arguments.of(BASE.replace("config_version: 4", "config_version: 4a"), 3,
                        "line 3: totem.config_version: '4a' is not a number"),
                Arguments.of(BASE.replace("config_version: 4", "config_version: -1"), 3,
                        "line 3: totem.config_version: '-1' is not a number"),
                Arguments.of(BASE.replace("config_version: 4", "config_version: 4\n  config_version: 5"), 4,
                        "line 4: duplicate key 'totem.config_version' (first at line 3)"),
                Arguments.of(BASE.replace("linknumber: 0", "linknumber: 8"), 5,
                        "line 5: totem.interface.linknumber: link numbers go from 0 to 7"),
                Arguments.of(BASE.replace("  interface {\n", "  interface {\n  }\n  interface {\n"), 6,
                        "line 6: duplicate interface for link 0 (first at line 4)"),
                Arguments.of(BASE.replace("ring0_addr: 10.0.0.2", "ring0_addr: 10.0.0.2\n    ring8_addr: x"), 19,
                        "line 19: nodelist.node.ring8_addr: link numbers go from 0 to 7"),
                Arguments.of(BASE.replace("ring0_addr: 10.0.0.2", "ring0_addr: 10.0.0.2\n    quorum_votes: many"), 19,
                        "line 19: nodelist.node.quorum_votes: 'many' is not a number"),
                Arguments.of(BASE + "totem {\n  cluster_name: d\n}\n", 21,
                        "line 21: duplicate section 'totem' (first at line 1)"),
                Arguments.of(BASE + "quorum {\n  two_node: yes\n}\n", 22,
                        "line 22: quorum.two_node: 'yes' is not a number"),
                Arguments.of(BASE + "quorum {\n  device {\n  }\n  device {\n  }\n}\n", 24,
                        "line 24: duplicate section 'quorum.device' (first at line 22)"),
                Arguments.of(BASE.replace("nodelist {\n", "nodelist {\n}\nx {\n"), 9, "line 9: section 'nodelist' has no node"),
                Arguments.of(BASE.substring(BASE.indexOf("nodelist")), 0, "missing section 'totem'"),
                Arguments.of(BASE.substring(0, BASE.indexOf("nodelist")), 0, "missing section 'nodelist'"),
                Arguments.of("totem {\n", 1, "line 1: missing closing brace for section 'totem' (end of file reached at line 1)"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void validationErrorsNameTheirLine(String text, int line, String message) {
        CorosyncConfException e = assertThrows(CorosyncConfException.class, () -> CorosyncConf.parse(text));
        assertEquals(message, e.getMessage());
        assertEquals(line, e.line());
    }

    @Test
    void addNodeInsertsSortedAndKeepsEverythingElse() throws Exception {
        CorosyncConf sample = CorosyncConf.parse(Samples.cluster3NodeBytes());
        NodeEntry n4 = NodeEntry.of("pmxa-n4", sample.nextFreeNodeId(), 1, Map.of(0, "10.250.0.4"));
        assertEquals(4, n4.nodeid());
        CorosyncConf added = sample.withNodeAdded(n4).withConfigVersionBumped();
        String expected = Samples.cluster3Node()
                .replace("    ring0_addr: 10.250.0.3\n  }\n", """
                            ring0_addr: 10.250.0.3
                          }
                          node {
                            name: pmxa-n4
                            nodeid: 4
                            quorum_votes: 1
                            ring0_addr: 10.250.0.4
                          }
                        """)
                .replace("config_version: 3", "config_version: 4");
        assertEquals(expected, added.text());
        assertEquals(OptionalLong.of(4), added.configVersion());
        assertEquals(4, added.nodes().size());
        assertEquals(added.nodes().get(3).line(), 27);

        // The unchanged sample is untouched (immutability).
        assertEquals(Samples.cluster3Node(), sample.text());
    }

    @Test
    void addNodeGoesBeforeTheFirstNodeThatSortsAfterIt() throws Exception {
        CorosyncConf conf = CorosyncConf.parse(BASE).withNodeAdded(
                NodeEntry.of("aa", 3, 0, Map.of(0, "10.0.0.3", 1, "10.1.0.3")));
        assertEquals(List.of("a", "aa", "b"), conf.nodes().stream().map(NodeEntry::name).toList());
        assertTrue(conf.text().contains("""
                  node {
                    name: aa
                    nodeid: 3
                    quorum_votes: 0
                    ring0_addr: 10.0.0.3
                    ring1_addr: 10.1.0.3
                  }
                """), conf.text());
        assertEquals(0, conf.node("aa").orElseThrow().quorumVotes());
    }

    @Test
    void addNodeCopiesTheIndentationOfItsSiblings() throws Exception {
        String tabbed = "totem {\n\tcluster_name: c\n}\nnodelist {\n\tnode {\n\t\tname: a\n\t\tnodeid: 1\n"
                + "\t\tring0_addr: x\n\t}\n}\n";
        CorosyncConf conf = CorosyncConf.parse(tabbed).withNodeAdded(NodeEntry.of("b", 2, 1, Map.of(0, "y")));
        assertEquals(tabbed.replace("\t}\n}\n",
                "\t}\n\tnode {\n\t\tname: b\n\t\tnodeid: 2\n\t\tquorum_votes: 1\n\t\tring0_addr: y\n\t}\n}\n"), conf.text());
    }

    @Test
    void addNodeRefusesDuplicates() throws Exception {
        CorosyncConf conf = CorosyncConf.parse(BASE);
        CorosyncConfException sameName = assertThrows(CorosyncConfException.class,
                () -> conf.withNodeAdded(NodeEntry.of("b", 9, 1, Map.of(0, "10.0.0.9"))));
        assertEquals("line 15: node 'b' already exists", sameName.getMessage());
        CorosyncConfException sameId = assertThrows(CorosyncConfException.class,
                () -> conf.withNodeAdded(NodeEntry.of("c", 2, 1, Map.of(0, "10.0.0.9"))));
        assertEquals("line 15: nodeid 2 is already used by node 'b'", sameId.getMessage());
        CorosyncConfException badValue = assertThrows(CorosyncConfException.class,
                () -> conf.withNodeAdded(NodeEntry.of("c", 3, 1, Map.of(0, "10.0.0.9 {"))));
        assertEquals("ring0_addr: value must not contain line breaks or '{': '10.0.0.9 {'", badValue.getMessage());
    }

    /** pvecm qdevice setup/remove (reference 4.7): the device block in the reference's layout, and back. */
    @Test
    void quorumDeviceAddedInPvecmsLayoutAndRemoved() throws Exception {
        CorosyncConf sample = CorosyncConf.parse(Samples.cluster3NodeBytes());
        String withDevice = Samples.cluster3Node().replace("""
                quorum {
                  provider: corosync_votequorum
                }
                """, """
                quorum {
                  device {
                    model: net
                    net {
                      algorithm: ffsplit
                      host: 10.0.0.5
                      tls: on
                    }
                    votes: 1
                  }
                  provider: corosync_votequorum
                }
                """);
        CorosyncConf added = sample.withQuorumDevice("10.0.0.5", java.util.OptionalInt.empty(), "ffsplit", java.util.OptionalInt.of(1));
        assertEquals(withDevice, added.text());
        assertEquals(java.util.Map.of("host", "10.0.0.5", "algorithm", "ffsplit", "tls", "on"),
                added.quorum().device().orElseThrow().net());
        // lms: no votes key, votequorum gives the device nodes - 1
        assertEquals(false, sample.withQuorumDevice("10.0.0.5", java.util.OptionalInt.empty(), "lms", java.util.OptionalInt.empty()).text()
                .contains("votes: 1\n  }"));
        assertEquals(Samples.cluster3Node(), added.withoutQuorumDevice().text());
        assertEquals(true, sample.withQuorumDevice("10.0.0.5", java.util.OptionalInt.of(17500), "ffsplit",
                java.util.OptionalInt.of(1)).text().contains("      host: 10.0.0.5\n      port: 17500\n      tls: on\n"));
        // replacing keeps one block
        assertEquals(withDevice, added.withQuorumDevice("10.0.0.5", java.util.OptionalInt.empty(), "ffsplit", java.util.OptionalInt.of(1)).text());
    }

    @Test
    void removeNodeByNameOrAddress() throws Exception {
        CorosyncConf sample = CorosyncConf.parse(Samples.cluster3NodeBytes());
        String withoutN2 = Samples.cluster3Node().replace("""
                  node {
                    name: pmxa-n2
                    nodeid: 2
                    quorum_votes: 1
                    ring0_addr: 10.250.0.2
                  }
                """, "");
        assertEquals(withoutN2, sample.withNodeRemoved("pmxa-n2").text());
        assertEquals(withoutN2, sample.withNodeRemoved("10.250.0.2").text());
        assertEquals(withoutN2.replace("config_version: 3", "config_version: 4"),
                sample.withNodeRemoved("pmxa-n2").withConfigVersionBumped().text());

        CorosyncConfException unknown = assertThrows(CorosyncConfException.class,
                () -> sample.withNodeRemoved("pmxa-n9"));
        assertEquals("Node/IP: pmxa-n9 is not a known host of the cluster.", unknown.getMessage());
    }

    @Test
    void findNodeByNameThenRing0ThenRing1() throws Exception {
        CorosyncConf conf = CorosyncConf.parse(BASE.replace("ring0_addr: 10.0.0.2",
                "ring0_addr: 10.0.0.2\n    ring1_addr: 10.1.0.2"));
        assertEquals("b", conf.findNode("b").orElseThrow().name());
        assertEquals("b", conf.findNode("10.0.0.2").orElseThrow().name());
        assertEquals("b", conf.findNode("10.1.0.2").orElseThrow().name());
        assertEquals(Optional.empty(), conf.findNode("10.2.0.2"));
    }

    @Test
    void nextFreeNodeIdReusesGaps() throws Exception {
        assertEquals(3, CorosyncConf.parse(BASE).nextFreeNodeId());
        assertEquals(2, CorosyncConf.parse(BASE.replace("nodeid: 2", "nodeid: 3")).nextFreeNodeId());
        assertEquals(1, CorosyncConf.parse(BASE.replace("nodeid: 1", "nodeid: 5")).nextFreeNodeId());
    }

    @Test
    void bumpingNeedsAConfigVersion() throws Exception {
        CorosyncConf noVersion = CorosyncConf.parse(BASE.replace("  config_version: 4\n", ""));
        CorosyncConfException e = assertThrows(CorosyncConfException.class, noVersion::withConfigVersionBumped);
        assertEquals("invalid corosync config: unable to read config version", e.getMessage());
        assertEquals(OptionalLong.of(10), CorosyncConf.parse(BASE).withConfigVersion(10).configVersion());
    }

    @Test
    void pveLayoutOfTheSample() throws Exception {
        // What pvecm would write back for the sample: keys sorted, a blank line after every section.
        String expected = Samples.cluster3Node()
                .replace("  debug: off\n  to_syslog: no\n  to_stderr: yes\n  timestamp: hires\n",
                        "  debug: off\n  timestamp: hires\n  to_stderr: yes\n  to_syslog: no\n")
                + "\n";
        assertEquals(expected, CorosyncConf.parse(Samples.cluster3NodeBytes()).pveText());
    }

    @Test
    void pveLayoutSortsNodesByNameAndDropsComments() throws Exception {
        String text = """
                # managed by hand
                nodelist {
                  node {
                    ring0_addr: 10.0.0.2
                    nodeid: 2
                    name: zz
                  }
                  node {
                    nodeid: 1
                    ring0_addr: 10.0.0.1
                  }
                }
                totem {
                  interface {
                    linknumber: 1
                  }
                  interface {
                    linknumber: 0
                  }
                  cluster_name: c
                }
                """;
        assertEquals("""
                nodelist {
                  node {
                    nodeid: 1
                    ring0_addr: 10.0.0.1
                  }
                  node {
                    name: zz
                    nodeid: 2
                    ring0_addr: 10.0.0.2
                  }
                }

                totem {
                  cluster_name: c
                  interface {
                    linknumber: 0
                  }
                  interface {
                    linknumber: 1
                  }
                }

                """, CorosyncConf.parse(text).pveText());
    }

    @Test
    void equalityFollowsText() throws Exception {
        assertEquals(CorosyncConf.parse(BASE), CorosyncConf.parse(BASE));
        assertEquals(CorosyncConf.parse(BASE).hashCode(), CorosyncConf.parse(BASE).hashCode());
        assertFalse(CorosyncConf.parse(BASE).equals(CorosyncConf.parse(BASE + "\n")));
    }
}
