package org.pmxcfs.qdevice;

import java.util.Locale;

/** The qnetd decision algorithms a PVE cluster uses ({@code quorum.device.net.algorithm}). */
public enum Algorithm {
    /** 50:50 split: the vote goes to the larger partition, on a tie to the tie-breaker's. */
    FFSPLIT(1),
    /** Last man standing: the vote goes to the partition with the most nodes, down to one. */
    LMS(3);

    private final int wire;

    Algorithm(int wire) {
        this.wire = wire;
    }

    /** {@code tlv_decision_algorithm_type}. */
    public int wire() {
        return wire;
    }

    /** The corosync.conf spelling; fails with the accepted values otherwise. */
    public static Algorithm parse(String text) {
        for (Algorithm a : values()) {
            if (a.name().toLowerCase(Locale.ROOT).equals(text)) {
                return a;
            }
        }
        throw new IllegalArgumentException("quorum.device.net.algorithm '" + text + "' is not supported - use ffsplit or lms");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
