package org.pmxcfs.quorum;

/**
 * The flags {@code corosync-quorumtool -s} prints on its {@code Flags:} line, in its order, each
 * followed by a space ({@code tools/corosync-quorumtool.c}).
 */
public enum QuorumFlag {
    TWO_NODE("2Node"),
    QUORATE("Quorate"),
    WAIT_FOR_ALL("WaitForAll"),
    LAST_MAN_STANDING("LastManStanding"),
    AUTO_TIE_BREAKER("AutoTieBreaker"),
    ALLOW_DOWNSCALE("AllowDownscale"),
    QDEVICE("Qdevice");

    private final String label;

    QuorumFlag(String label) {
        this.label = label;
    }

    /** The word corosync-quorumtool prints. */
    public String label() {
        return label;
    }
}
