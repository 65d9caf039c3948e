package org.pmxcfs.quorum;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * votequorum's arithmetic as a pure, deterministic calculator (reference 4.8; corosync
 * {@code exec/votequorum.c}): configuration and the current membership in, {@link QuorumStatus}
 * out. No clock, no history beyond what the inputs say.
 *
 * <p>Rules, with where they come from in {@code votequorum.c}:
 * <ul>
 *   <li>Total votes = votes of the online members + the device's votes if it casts them
 *       ({@code calculate_quorum}).</li>
 *   <li>Expected votes = the runtime override ({@code pvecm expected}) if set, else
 *       {@link QuorumConfig#configuredExpectedVotes()}; raised to the members' votes plus the
 *       configured device votes when those are higher ({@code recalculate_quorum}: "keep
 *       expected_votes at the highest number of votes in the cluster").</li>
 *   <li>Quorum = max(⌊(expected + 2) / 2⌋, ⌊(total + 2) / 2⌋), a strict majority
 *       ({@code calculate_quorum}, "taken from the OpenVMS Cluster Systems manual");
 *       with {@code two_node} and at most 2 members (device included) quorum is 1.</li>
 *   <li>wait_for_all (on with two_node unless disabled): while still waiting, the partition is
 *       quorate only once total votes equal expected votes, i.e. all nodes are present
 *       ({@code are_we_quorate}). corosync starts waiting at start-up and waits again each time
 *       the partition loses quorum; whether that wait is over is an input here
 *       ({@link #waitForAllSatisfied()}).</li>
 *   <li>Quorate = not waiting and total ≥ quorum.</li>
 * </ul>
 *
 * <p>Not modelled, because they depend on history or timers rather than on the current
 * membership: quorum never decreasing on its own (corosync keeps the highest value it computed
 * since the last expected-votes change; a fresh calculation is what corosync shows after start-up
 * or {@code pvecm expected}), last_man_standing's downscaling after its window (the flag is
 * reported; a caller can apply the effect with {@link #withExpectedOverride}), auto_tie_breaker
 * and allow_downscale (not used by PVE).
 *
 * @param config              what corosync.conf says
 * @param online              node ids of the current members (this partition)
 * @param waitForAllSatisfied whether all nodes have been seen together since start-up or since
 *                            the partition last lost quorum (only matters with wait_for_all)
 * @param expectedOverride    runtime expected votes set by {@link #setExpected(long)}, if any
 * @param qdevice             the quorum device's state
 */
public record VoteQuorum(QuorumConfig config, SortedSet<Long> online, boolean waitForAllSatisfied,
                         OptionalInt expectedOverride, QDeviceState qdevice) {

    /** The original's error for a refused {@code votequorum_setexpected}. */
    public static final String SET_EXPECTED_ERROR = "Unable to set expected votes: CS_ERR_INVALID_PARAM";

    public VoteQuorum {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(expectedOverride, "expectedOverride");
        Objects.requireNonNull(qdevice, "qdevice");
        online = Collections.unmodifiableSortedSet(new TreeSet<>(online));
        for (Long id : online) {
            if (!config.nodeVotes().containsKey(id)) {
                throw new IllegalArgumentException("node " + id + " is online but not in the nodelist");
            }
        }
        if (qdevice != QDeviceState.NOT_REGISTERED && config.qdevice().isEmpty()) {
            throw new IllegalArgumentException("a quorum device is registered but none is configured");
        }
    }

    /** Fresh start: these members, nothing waited for yet, no override, no device. */
    public static VoteQuorum of(QuorumConfig config, Collection<Long> online) {
        return new VoteQuorum(config, new TreeSet<>(online), false, OptionalInt.empty(), QDeviceState.NOT_REGISTERED);
    }

    public VoteQuorum withOnline(Collection<Long> members) {
        return new VoteQuorum(config, new TreeSet<>(members), waitForAllSatisfied, expectedOverride, qdevice);
    }

    public VoteQuorum withWaitForAllSatisfied(boolean satisfied) {
        return new VoteQuorum(config, online, satisfied, expectedOverride, qdevice);
    }

    public VoteQuorum withExpectedOverride(int expected) {
        return new VoteQuorum(config, online, waitForAllSatisfied, OptionalInt.of(expected), qdevice);
    }

    public VoteQuorum withQDevice(QDeviceState state) {
        return new VoteQuorum(config, online, waitForAllSatisfied, expectedOverride, state);
    }

    /** The quorum state for these inputs. */
    public QuorumStatus status() {
        int memberVotes = memberVotes();
        int total = totalVotes(memberVotes);
        int expected = expectedOverride.orElse(config.configuredExpectedVotes());
        // recalculate_quorum counts the device's configured votes whether or not it votes now.
        int present = memberVotes + config.qdeviceVotes();
        if (present > expected) {
            expected = present;
        }
        int quorum = quorum(expected, total);
        boolean waiting = config.waitForAllEnabled() && !waitForAllSatisfied && total != expected;
        boolean quorate = !waiting && total >= quorum;

        Set<QuorumFlag> flags = EnumSet.noneOf(QuorumFlag.class);
        if (config.twoNode()) {
            flags.add(QuorumFlag.TWO_NODE);
        }
        if (quorate) {
            flags.add(QuorumFlag.QUORATE);
        }
        if (config.waitForAllEnabled()) {
            flags.add(QuorumFlag.WAIT_FOR_ALL);
        }
        if (config.lastManStanding()) {
            flags.add(QuorumFlag.LAST_MAN_STANDING);
        }
        if (qdevice != QDeviceState.NOT_REGISTERED) {
            flags.add(QuorumFlag.QDEVICE);
        }
        return new QuorumStatus(total, expected, expected, quorum, quorate, waiting, flags);
    }

    /**
     * {@code pvecm expected <n>} = {@code corosync-quorumtool -e <n>} =
     * {@code votequorum_setexpected}. Rules and sources:
     * <ul>
     *   <li>n at least 1: pvecm's parameter schema ({@code expected: value must have a minimum
     *       value of 1}); corosync-quorumtool refuses n of 0 or less as well.</li>
     *   <li>n below the current total votes is refused (reference 4.8, from
     *       {@code message_handler_req_lib_votequorum_setexpected} in corosync's HEAD).</li>
     *   <li>A quorate partition refuses an n whose quorum (computed as in {@link #status()}, but
     *       allowed to decrease, i.e. {@code calculate_quorum(1, n, ...)}) would exceed the total
     *       votes: the partition would make itself inquorate (same source).</li>
     * </ul>
     * Both refusals are {@code CS_ERR_INVALID_PARAM} ({@link #SET_EXPECTED_ERROR}). Older corosync
     * releases used a different test (refuse when the new quorum is below half the total votes or
     * above the total, quorate or not); this follows reference 4.8.
     */
    public SetExpectedResult setExpected(long n) {
        if (n < 1) {
            return new SetExpectedResult.Rejected("expected: value must have a minimum value of 1",
                    "expected votes must be a positive number, got " + n);
        }
        if (n > Integer.MAX_VALUE) {
            return new SetExpectedResult.Rejected(SET_EXPECTED_ERROR, "expected votes " + n + " is too large");
        }
        int total = totalVotes(memberVotes());
        if (n < total) {
            return new SetExpectedResult.Rejected(SET_EXPECTED_ERROR,
                    "expected votes " + n + " is lower than the " + total + " votes present");
        }
        int newQuorum = quorum((int) n, total);
        if (status().quorate() && newQuorum > total) {
            return new SetExpectedResult.Rejected(SET_EXPECTED_ERROR,
                    "with " + n + " expected votes the quorum would be " + newQuorum + ", more than the " + total
                            + " votes present: the partition would lose quorum");
        }
        return new SetExpectedResult.Accepted(withExpectedOverride((int) n));
    }

    private int memberVotes() {
        int votes = 0;
        for (Long id : online) {
            votes += config.nodeVotes().get(id);
        }
        return votes;
    }

    private int totalVotes(int memberVotes) {
        return memberVotes + (qdevice == QDeviceState.CASTING_VOTE ? config.qdeviceVotes() : 0);
    }

    /** calculate_quorum with allow_decrease: strict majority of the larger of expected and total. */
    private int quorum(int expected, int total) {
        int members = online.size() + (qdevice == QDeviceState.CASTING_VOTE ? 1 : 0);
        if (config.twoNode() && members <= 2) {
            // two_node: either node alone keeps quorum (fencing decides); off beyond 2 members.
            return 1;
        }
        return Math.max((expected + 2) / 2, (total + 2) / 2);
    }
}
