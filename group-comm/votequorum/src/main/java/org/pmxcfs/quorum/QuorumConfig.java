package org.pmxcfs.quorum;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.NodeEntry;

/**
 * The static inputs of votequorum: what corosync.conf says. Checked with the rules of
 * {@code votequorum_readconfig} ({@code exec/votequorum.c}) that concern these settings, with
 * corosync's wording.
 *
 * @param nodeVotes       node id to {@code quorum_votes} for every nodelist entry
 * @param expectedVotes   {@code quorum.expected_votes}, if set: replaces the nodelist sum
 * @param twoNode         {@code quorum.two_node}
 * @param waitForAll      {@code quorum.wait_for_all} if set explicitly ({@code two_node} turns it
 *                        on otherwise)
 * @param lastManStanding {@code quorum.last_man_standing}: reported as a flag, its timed
 *                        downscaling is not modelled (see {@link VoteQuorum})
 * @param qdevice         the {@code quorum.device} block, if configured
 */
public record QuorumConfig(SortedMap<Long, Integer> nodeVotes, OptionalInt expectedVotes, boolean twoNode,
                           Optional<Boolean> waitForAll, boolean lastManStanding, Optional<QDevice> qdevice) {

    /**
     * A configured quorum device.
     *
     * @param votes {@code quorum.device.votes}, if set. When absent, votequorum gives the device
     *              (number of nodes - 1) votes, which needs every node to have 1 vote and no
     *              {@code expected_votes} (the lms default; pvecm writes {@code votes: 1} for ffsplit)
     */
    public record QDevice(OptionalInt votes) {

        public QDevice {
            Objects.requireNonNull(votes, "votes");
            if (votes.isPresent() && votes.getAsInt() < 0) {
                throw new IllegalArgumentException("quorum.device.votes must not be negative");
            }
        }
    }

    public QuorumConfig {
        nodeVotes = Collections.unmodifiableSortedMap(new TreeMap<>(nodeVotes));
        Objects.requireNonNull(expectedVotes, "expectedVotes");
        Objects.requireNonNull(waitForAll, "waitForAll");
        Objects.requireNonNull(qdevice, "qdevice");
        if (nodeVotes.isEmpty()) {
            // votequorum could run on expected_votes alone, but pmxcfs/pvecm always have a nodelist.
            throw new IllegalArgumentException("configuration error: the nodelist has no nodes");
        }
        for (Map.Entry<Long, Integer> e : nodeVotes.entrySet()) {
            if (e.getKey() < 1 || e.getKey() > NodeEntry.MAX_NODEID) {
                throw new IllegalArgumentException("invalid node id " + e.getKey());
            }
            if (e.getValue() < 0) {
                throw new IllegalArgumentException("node " + e.getKey() + " has negative votes");
            }
        }
        if (expectedVotes.isPresent() && expectedVotes.getAsInt() < 1) {
            throw new IllegalArgumentException("quorum.expected_votes must be at least 1");
        }
        if (twoNode && qdevice.isPresent()) {
            throw new IllegalArgumentException(
                    "configuration error: two_node and quorum device cannot be configured at the same time!");
        }
        if (lastManStanding && qdevice.isPresent()) {
            throw new IllegalArgumentException(
                    "configuration error: quorum.device is not compatible with last_man_standing");
        }
        if (qdevice.isPresent() && qdevice.get().votes().isEmpty()) {
            if (expectedVotes.isPresent()) {
                throw new IllegalArgumentException(
                        "configuration error: quorum.device.votes must be specified when quorum.expected_votes is set");
            }
            if (nodeVotes.values().stream().anyMatch(v -> v != 1)) {
                throw new IllegalArgumentException(
                        "configuration error: quorum.device.votes must be specified when not all nodes votes 1");
            }
        }
        if (qdevice.isPresent() && qdevice.get().votes().isPresent() && expectedVotes.isPresent()
                && expectedVotes.getAsInt() - qdevice.get().votes().getAsInt() < 2) {
            throw new IllegalArgumentException(
                    "configuration error: quorum.device.votes is too high or expected_votes is too low");
        }
    }

    /** Plain nodelist configuration: no expected_votes, no special features, no device. */
    public static QuorumConfig of(Map<Long, Integer> nodeVotes) {
        return new QuorumConfig(new TreeMap<>(nodeVotes), OptionalInt.empty(), false, Optional.empty(), false,
                Optional.empty());
    }

    /**
     * The quorum settings of a corosync.conf.
     *
     * @throws IllegalArgumentException for combinations votequorum refuses to start with
     */
    public static QuorumConfig from(CorosyncConf conf) {
        SortedMap<Long, Integer> votes = new TreeMap<>();
        for (NodeEntry n : conf.nodes()) {
            votes.put(n.nodeid(), n.quorumVotes());
        }
        var q = conf.quorum();
        return new QuorumConfig(votes, q.expectedVotes(), q.twoNode(), q.waitForAll(), q.lastManStanding(),
                q.device().map(d -> new QDevice(d.votes())));
    }

    public QuorumConfig withExpectedVotes(int expected) {
        return new QuorumConfig(nodeVotes, OptionalInt.of(expected), twoNode, waitForAll, lastManStanding, qdevice);
    }

    public QuorumConfig withTwoNode(boolean on) {
        return new QuorumConfig(nodeVotes, expectedVotes, on, waitForAll, lastManStanding, qdevice);
    }

    public QuorumConfig withWaitForAll(boolean on) {
        return new QuorumConfig(nodeVotes, expectedVotes, twoNode, Optional.of(on), lastManStanding, qdevice);
    }

    public QuorumConfig withLastManStanding(boolean on) {
        return new QuorumConfig(nodeVotes, expectedVotes, twoNode, waitForAll, on, qdevice);
    }

    public QuorumConfig withQDevice(QDevice device) {
        return new QuorumConfig(nodeVotes, expectedVotes, twoNode, waitForAll, lastManStanding, Optional.of(device));
    }

    /** Whether wait_for_all is in effect: explicit setting, else on with two_node (votequorum(5)). */
    public boolean waitForAllEnabled() {
        return waitForAll.orElse(twoNode);
    }

    /** Sum of the nodelist's votes. */
    public int nodelistVotes() {
        return nodeVotes.values().stream().mapToInt(Integer::intValue).sum();
    }

    /**
     * The device's votes: as configured, else (number of nodes - 1) as votequorum computes it; 0
     * without a device.
     */
    public int qdeviceVotes() {
        if (qdevice.isEmpty()) {
            return 0;
        }
        return qdevice.get().votes().orElse(nodeVotes.size() - 1);
    }

    /**
     * Expected votes from the configuration: {@code quorum.expected_votes} if set, else the
     * nodelist's votes plus the device's (reference 4.8).
     */
    public int configuredExpectedVotes() {
        return expectedVotes.orElse(nodelistVotes() + qdeviceVotes());
    }
}
