package org.pmxcfs.quorum;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * votequorum's view from one partition, the numbers {@code corosync-quorumtool -s} and
 * {@code pvecm status} print under "Votequorum information".
 *
 * @param totalVotes      {@code Total votes}: votes of the online members, plus the device's if it
 *                        casts its vote
 * @param expectedVotes   {@code Expected votes} in effect
 * @param highestExpected {@code Highest expected} (the members agree on expected votes, so this
 *                        equals {@code expectedVotes} here)
 * @param quorum          {@code Quorum}: votes needed
 * @param quorate         whether the partition has quorum
 * @param waitingForAll   not quorate only because wait_for_all still waits for all nodes
 * @param flags           the {@code Flags:} line's flags, in quorumtool's order
 */
public record QuorumStatus(int totalVotes, int expectedVotes, int highestExpected, int quorum, boolean quorate,
                           boolean waitingForAll, Set<QuorumFlag> flags) {

    public QuorumStatus {
        flags = flags.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(flags));
    }

    /** The flags in quorumtool's order. */
    public List<QuorumFlag> flagList() {
        return List.copyOf(flags.isEmpty() ? EnumSet.noneOf(QuorumFlag.class) : EnumSet.copyOf(flags));
    }

    /** What quorumtool prints after {@code "Flags:            "}: each flag plus a space. */
    public String flagsText() {
        StringBuilder sb = new StringBuilder();
        for (QuorumFlag f : flagList()) {
            sb.append(f.label()).append(' ');
        }
        return sb.toString();
    }

    /**
     * What quorumtool prints after {@code "Quorum:           "}: the number, a space, then a space
     * when quorate or {@code Activity blocked} when not.
     */
    public String quorumText() {
        return quorum + " " + (quorate ? " " : "Activity blocked");
    }
}
