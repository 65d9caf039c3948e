package org.pmxcfs.corosync;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@code quorum} section. Flags are corosync uint8 values; any non-zero value means on.
 *
 * @param provider        {@code provider} ({@code corosync_votequorum}), if set
 * @param expectedVotes   {@code expected_votes}, if set (overrides the nodelist sum)
 * @param twoNode         {@code two_node} (not written by pvecm)
 * @param waitForAll      {@code wait_for_all} if set explicitly; see {@link #waitForAllEnabled()}
 * @param lastManStanding {@code last_man_standing}
 * @param device          the {@code device} block, if any
 * @param line            1-based line of the section, 0 when the file has none
 */
public record QuorumSection(Optional<String> provider, OptionalInt expectedVotes, boolean twoNode,
                            Optional<Boolean> waitForAll, boolean lastManStanding, Optional<QuorumDevice> device,
                            int line) {

    /** A file without a {@code quorum} section. */
    public static QuorumSection absent() {
        return new QuorumSection(Optional.empty(), OptionalInt.empty(), false, Optional.empty(), false,
                Optional.empty(), 0);
    }

    /** {@code two_node: 1} turns wait_for_all on unless it is set explicitly (votequorum(5)). */
    public boolean waitForAllEnabled() {
        return waitForAll.orElse(twoNode);
    }
}
