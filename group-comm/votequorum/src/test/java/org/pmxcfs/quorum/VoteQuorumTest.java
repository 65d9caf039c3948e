package org.pmxcfs.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pmxcfs.corosync.CorosyncConf;

class VoteQuorumTest {

    /** Nodes 1..n with the given votes. */
    private static QuorumConfig nodes(int... votes) {
        Map<Long, Integer> m = new TreeMap<>();
        for (int i = 0; i < votes.length; i++) {
            m.put((long) i + 1, votes[i]);
        }
        return QuorumConfig.of(m);
    }

    private static QuorumConfig ones(int n) {
        int[] votes = new int[n];
        java.util.Arrays.fill(votes, 1);
        return nodes(votes);
    }

    private static VoteQuorum vq(QuorumConfig config, Long... online) {
        return VoteQuorum.of(config, List.of(online));
    }

    /**
     * description, calculator, total votes, expected votes, quorum, quorate, Flags line text.
     * Numbers follow reference 4.8 (2 nodes -> quorum 2, 3 -> 2, 4 -> 3, 5 -> 3).
     */
    static Stream<Arguments> table() {
        QuorumConfig twoNode = ones(2).withTwoNode(true);
        QuorumConfig ffsplit = ones(2).withQDevice(new QuorumConfig.QDevice(OptionalInt.of(1)));
        QuorumConfig lmsDevice = ones(5).withQDevice(new QuorumConfig.QDevice(OptionalInt.empty()));
        return Stream.of(
                Arguments.of("1 node", vq(ones(1), 1L), 1, 1, 1, true, "Quorate "),
                Arguments.of("2 nodes, both up", vq(ones(2), 1L, 2L), 2, 2, 2, true, "Quorate "),
                Arguments.of("2 nodes, one up", vq(ones(2), 1L), 1, 2, 2, false, ""),
                Arguments.of("3 nodes, all up", vq(ones(3), 1L, 2L, 3L), 3, 3, 2, true, "Quorate "),
                Arguments.of("3 nodes, 2 up", vq(ones(3), 1L, 3L), 2, 3, 2, true, "Quorate "),
                Arguments.of("3 nodes, 1 up (sample n1-no-quorum)", vq(ones(3), 1L), 1, 3, 2, false, ""),
                Arguments.of("4 nodes, all up", vq(ones(4), 1L, 2L, 3L, 4L), 4, 4, 3, true, "Quorate "),
                Arguments.of("4 nodes, 3 up", vq(ones(4), 1L, 2L, 3L), 3, 4, 3, true, "Quorate "),
                Arguments.of("4 nodes, 2 up (half is not enough)", vq(ones(4), 1L, 2L), 2, 4, 3, false, ""),
                Arguments.of("5 nodes, all up", vq(ones(5), 1L, 2L, 3L, 4L, 5L), 5, 5, 3, true, "Quorate "),
                Arguments.of("5 nodes, 3 up", vq(ones(5), 1L, 2L, 5L), 3, 5, 3, true, "Quorate "),
                Arguments.of("5 nodes, 2 up", vq(ones(5), 4L, 5L), 2, 5, 3, false, ""),
                Arguments.of("votes 3,1,1: heavy node alone", vq(nodes(3, 1, 1), 1L), 3, 5, 3, true, "Quorate "),
                Arguments.of("votes 3,1,1: light nodes together", vq(nodes(3, 1, 1), 2L, 3L), 2, 5, 3, false, ""),
                Arguments.of("votes 2,1: heavy node alone", vq(nodes(2, 1), 1L), 2, 3, 2, true, "Quorate "),
                Arguments.of("votes 2,1: light node alone", vq(nodes(2, 1), 2L), 1, 3, 2, false, ""),
                Arguments.of("votes 0,1,1: voteless node does not help", vq(nodes(0, 1, 1), 1L, 2L), 1, 2, 2, false, ""),
                Arguments.of("expected_votes 5 in the config", vq(ones(3).withExpectedVotes(5), 1L, 2L, 3L),
                        3, 5, 3, true, "Quorate "),
                Arguments.of("expected_votes below the votes present is raised",
                        vq(ones(3).withExpectedVotes(2), 1L, 2L, 3L), 3, 3, 2, true, "Quorate "),
                Arguments.of("two_node, both up", vq(twoNode, 1L, 2L), 2, 2, 1, true, "2Node Quorate WaitForAll "),
                Arguments.of("two_node, one up, both never seen: wait_for_all blocks",
                        vq(twoNode, 1L), 1, 2, 1, false, "2Node WaitForAll "),
                Arguments.of("two_node, one up after both were seen: quorum 1",
                        vq(twoNode, 1L).withWaitForAllSatisfied(true), 1, 2, 1, true, "2Node Quorate WaitForAll "),
                Arguments.of("two_node with wait_for_all: 0",
                        vq(twoNode.withWaitForAll(false), 2L), 1, 2, 1, true, "2Node Quorate "),
                Arguments.of("two_node ignored with 3 members", vq(ones(3).withTwoNode(true), 1L, 2L, 3L)
                        .withWaitForAllSatisfied(true), 3, 3, 2, true, "2Node Quorate WaitForAll "),
                Arguments.of("wait_for_all, 2 of 3 up, never all seen",
                        vq(ones(3).withWaitForAll(true), 1L, 2L), 2, 3, 2, false, "WaitForAll "),
                Arguments.of("wait_for_all, 2 of 3 up after all were seen",
                        vq(ones(3).withWaitForAll(true), 1L, 2L).withWaitForAllSatisfied(true), 2, 3, 2, true,
                        "Quorate WaitForAll "),
                Arguments.of("wait_for_all, all up now", vq(ones(3).withWaitForAll(true), 1L, 2L, 3L),
                        3, 3, 2, true, "Quorate WaitForAll "),
                Arguments.of("runtime expected 1 (pvecm expected 1), 1 of 3 up",
                        vq(ones(3), 1L).withExpectedOverride(1), 1, 1, 1, true, "Quorate "),
                Arguments.of("last_man_standing is reported", vq(ones(3).withLastManStanding(true), 1L, 2L, 3L),
                        3, 3, 2, true, "Quorate LastManStanding "),
                Arguments.of("2 nodes + ffsplit device voting: expected 3, quorum 2",
                        vq(ffsplit, 1L, 2L).withQDevice(QDeviceState.CASTING_VOTE), 3, 3, 2, true, "Quorate Qdevice "),
                Arguments.of("2 nodes + ffsplit, one node with the device",
                        vq(ffsplit, 2L).withQDevice(QDeviceState.CASTING_VOTE), 2, 3, 2, true, "Quorate Qdevice "),
                Arguments.of("2 nodes + ffsplit, one node, device not voting for it",
                        vq(ffsplit, 2L).withQDevice(QDeviceState.REGISTERED), 1, 3, 2, false, "Qdevice "),
                Arguments.of("5 nodes + lms device (4 votes): expected 9, quorum 5",
                        vq(lmsDevice, 1L, 2L, 3L, 4L, 5L).withQDevice(QDeviceState.CASTING_VOTE), 9, 9, 5, true,
                        "Quorate Qdevice "),
                Arguments.of("5 nodes + lms: one node and the device survive",
                        vq(lmsDevice, 3L).withQDevice(QDeviceState.CASTING_VOTE), 5, 9, 5, true, "Quorate Qdevice "),
                Arguments.of("5 nodes + lms: device lost, 4 nodes are not enough",
                        vq(lmsDevice, 1L, 2L, 3L, 4L).withQDevice(QDeviceState.NOT_REGISTERED), 4, 9, 5, false, ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void status(String name, VoteQuorum q, int total, int expected, int quorum, boolean quorate, String flags) {
        QuorumStatus s = q.status();
        assertEquals(total, s.totalVotes(), "total votes");
        assertEquals(expected, s.expectedVotes(), "expected votes");
        assertEquals(expected, s.highestExpected(), "highest expected");
        assertEquals(quorum, s.quorum(), "quorum");
        assertEquals(quorate, s.quorate(), "quorate");
        assertEquals(flags, s.flagsText(), "flags");
    }

    /** Accepted: the new expected, quorum and quorate; rejected: null and the reason's start. */
    static Stream<Arguments> setExpected() {
        VoteQuorum allOf3 = vq(ones(3), 1L, 2L, 3L);
        VoteQuorum twoOf3 = vq(ones(3), 1L, 2L);
        VoteQuorum oneOf3 = vq(ones(3), 1L);
        return Stream.of(
                Arguments.of("1 of 3, expected 1", oneOf3, 1L, 1, 1, true),
                Arguments.of("1 of 3, expected 2 (allowed, still inquorate)", oneOf3, 2L, 2, 2, false),
                Arguments.of("1 of 3, expected 7 (inquorate anyway)", oneOf3, 7L, 7, 4, false),
                Arguments.of("all of 3, expected 3", allOf3, 3L, 3, 2, true),
                Arguments.of("all of 3, expected 5 (quorum 3 still met)", allOf3, 5L, 5, 3, true),
                Arguments.of("2 of 3, expected 3", twoOf3, 3L, 3, 2, true),
                Arguments.of("2 of 3, expected 2", twoOf3, 2L, 2, 2, true),
                Arguments.of("two_node, survivor, expected 1",
                        vq(ones(2).withTwoNode(true), 1L).withWaitForAllSatisfied(true), 1L, 1, 1, true),
                Arguments.of("all of 3, expected 2 (below total)", allOf3, 2L, null, null, "expected votes 2 is lower than the 3 votes present"),
                Arguments.of("2 of 3, expected 1 (below total)", twoOf3, 1L, null, null, "expected votes 1 is lower than the 2 votes present"),
                Arguments.of("all of 3, expected 6 (would lose quorum)", allOf3, 6L, null, null,
                        "with 6 expected votes the quorum would be 4, more than the 3 votes present"),
                Arguments.of("2 of 3, expected 4 (would lose quorum)", twoOf3, 4L, null, null,
                        "with 4 expected votes the quorum would be 3, more than the 2 votes present"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setExpected")
    void setExpected(String name, VoteQuorum q, long n, Integer expected, Integer quorum, Object quorateOrReason) {
        SetExpectedResult r = q.setExpected(n);
        if (expected != null) {
            SetExpectedResult.Accepted a = assertInstanceOf(SetExpectedResult.Accepted.class, r, r.toString());
            QuorumStatus s = a.quorum().status();
            assertEquals(expected, s.expectedVotes());
            assertEquals(quorum, s.quorum());
            assertEquals(quorateOrReason, s.quorate());
            assertEquals(OptionalInt.of((int) n), a.quorum().expectedOverride());
        } else {
            SetExpectedResult.Rejected rej = assertInstanceOf(SetExpectedResult.Rejected.class, r, r.toString());
            assertEquals("Unable to set expected votes: CS_ERR_INVALID_PARAM", rej.message());
            assertTrue(rej.reason().startsWith((String) quorateOrReason), rej.reason());
        }
    }

    @Test
    void setExpectedNeedsAPositiveNumber() {
        SetExpectedResult r = vq(ones(3), 1L).setExpected(0);
        SetExpectedResult.Rejected rej = assertInstanceOf(SetExpectedResult.Rejected.class, r);
        assertEquals("expected: value must have a minimum value of 1", rej.message());
    }

    /** The sample: n1 alone in the 3-node cluster pmxa, then {@code pvecm expected 1}. */
    @Test
    void sampleNoQuorumScenario() throws Exception {
        QuorumConfig config = QuorumConfig.from(CorosyncConf.parse(resource("/org/pmxcfs/corosync/cluster-3node.conf")));
        assertEquals(Map.of(1L, 1, 2L, 1, 3L, 1), config.nodeVotes());

        QuorumStatus all = VoteQuorum.of(config, List.of(1L, 2L, 3L)).status();
        assertMatchesQuorumtool(all, "n1-quorumtool-s.txt");

        VoteQuorum alone = VoteQuorum.of(config, List.of(1L));
        assertFalse(alone.status().quorate());
        assertMatchesQuorumtool(alone.status(), "n1-no-quorum-quorumtool-s.txt");

        SetExpectedResult r = alone.setExpected(1);
        QuorumStatus after = assertInstanceOf(SetExpectedResult.Accepted.class, r).quorum().status();
        assertTrue(after.quorate());
        assertEquals(1, after.expectedVotes());
        assertEquals(1, after.quorum());
        assertEquals("1  ", after.quorumText());
    }

    /** Our numbers against the "Votequorum information" block the real corosync-quorumtool printed. */
    private static void assertMatchesQuorumtool(QuorumStatus s, String file) throws IOException {
        String out = new String(resource(file), StandardCharsets.UTF_8);
        List<String> expected = new ArrayList<>();
        List<String> actual = List.of(
                "Expected votes:   " + s.expectedVotes(),
                "Highest expected: " + s.highestExpected(),
                "Total votes:      " + s.totalVotes(),
                "Quorum:           " + s.quorumText(),
                "Flags:            " + s.flagsText(),
                "Quorate:          " + (s.quorate() ? "Yes" : "No"));
        for (String line : out.split("\n")) {
            for (String a : actual) {
                if (line.startsWith(a.substring(0, 18))) {
                    expected.add(line);
                }
            }
        }
        assertEquals(actual.stream().sorted().toList(), expected.stream().sorted().toList());
    }

    /** etcd-style check: on random plain configurations, quorate means a strict majority of expected. */
    @Test
    void randomConfigurationsMatchANaiveMajority() {
        Random random = new Random(20261122);
        for (int round = 0; round < 20_000; round++) {
            int n = 1 + random.nextInt(8);
            int[] votes = new int[n];
            List<Long> online = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                votes[i] = random.nextInt(4);
                if (random.nextBoolean()) {
                    online.add((long) i + 1);
                }
            }
            QuorumConfig config = nodes(votes);
            if (random.nextInt(4) == 0) {
                config = config.withExpectedVotes(1 + random.nextInt(12));
            }
            VoteQuorum q = VoteQuorum.of(config, online);
            QuorumStatus s = q.status();

            Map<Long, Integer> nodeVotes = config.nodeVotes();
            int present = online.stream().mapToInt(nodeVotes::get).sum();
            int expected = Math.max(config.configuredExpectedVotes(), present);
            String what = "round " + round + ": " + config + " online " + online;
            assertEquals(present, s.totalVotes(), what);
            assertEquals(expected, s.expectedVotes(), what);
            assertEquals(2 * present > expected, s.quorate(), what);

            long newExpected = 1 + random.nextInt(12);
            SetExpectedResult r = q.setExpected(newExpected);
            boolean accepted = r instanceof SetExpectedResult.Accepted;
            boolean naive = newExpected >= present && (!s.quorate() || 2L * present > newExpected);
            assertEquals(naive, accepted, what + " expected " + newExpected);
            if (r instanceof SetExpectedResult.Accepted a && s.quorate()) {
                assertTrue(a.quorum().status().quorate(), "a quorate partition stays quorate: " + what);
            }
        }
    }

    @Test
    void configurationErrorsUseCorosyncsWords() {
        assertEquals("configuration error: two_node and quorum device cannot be configured at the same time!",
                assertThrows(IllegalArgumentException.class, () -> ones(2).withTwoNode(true)
                        .withQDevice(new QuorumConfig.QDevice(OptionalInt.of(1)))).getMessage());
        assertEquals("configuration error: quorum.device is not compatible with last_man_standing",
                assertThrows(IllegalArgumentException.class, () -> ones(3).withLastManStanding(true)
                        .withQDevice(new QuorumConfig.QDevice(OptionalInt.of(1)))).getMessage());
        assertEquals("configuration error: quorum.device.votes must be specified when not all nodes votes 1",
                assertThrows(IllegalArgumentException.class,
                        () -> nodes(2, 1, 1).withQDevice(new QuorumConfig.QDevice(OptionalInt.empty()))).getMessage());
        assertEquals("configuration error: quorum.device.votes must be specified when quorum.expected_votes is set",
                assertThrows(IllegalArgumentException.class, () -> ones(3).withExpectedVotes(4)
                        .withQDevice(new QuorumConfig.QDevice(OptionalInt.empty()))).getMessage());
        assertEquals("configuration error: quorum.device.votes is too high or expected_votes is too low",
                assertThrows(IllegalArgumentException.class, () -> ones(2).withExpectedVotes(2)
                        .withQDevice(new QuorumConfig.QDevice(OptionalInt.of(1)))).getMessage());
        assertEquals("node 4 is online but not in the nodelist",
                assertThrows(IllegalArgumentException.class, () -> vq(ones(3), 4L)).getMessage());
    }

    @Test
    void fromCorosyncConfReadsTheQuorumSection() throws Exception {
        String text = new String(resource("/org/pmxcfs/corosync/cluster-3node.conf"), StandardCharsets.UTF_8)
                .replace("quorum_votes: 1\n    ring0_addr: 10.250.0.3", "quorum_votes: 2\n    ring0_addr: 10.250.0.3")
                .replace("provider: corosync_votequorum\n", "provider: corosync_votequorum\n  wait_for_all: 1\n"
                        + "  expected_votes: 5\n");
        QuorumConfig config = QuorumConfig.from(CorosyncConf.parse(text));
        assertEquals(Map.of(1L, 1, 2L, 1, 3L, 2), config.nodeVotes());
        assertEquals(OptionalInt.of(5), config.expectedVotes());
        assertTrue(config.waitForAllEnabled());
        assertEquals(5, config.configuredExpectedVotes());
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = VoteQuorumTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return in.readAllBytes();
        }
    }
}
