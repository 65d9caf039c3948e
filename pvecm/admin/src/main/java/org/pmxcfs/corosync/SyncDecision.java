package org.pmxcfs.corosync;

import java.util.List;
import java.util.Objects;

/**
 * What the corosync.conf copy rule decided (reference 3.10, {@code dcdb_sync_corosync_conf}).
 *
 * @param action     what to do with the local file
 * @param reason     why, in one word
 * @param newVersion version found in the memdb copy (unsigned; 0 if none)
 * @param oldVersion version found in the local file (unsigned; 0 if missing, unreadable, empty or
 *                   without one)
 * @param log        what the original logs for this decision (before writing)
 */
public record SyncDecision(Action action, Reason reason, long newVersion, long oldVersion, List<LogLine> log) {

    /** The three possible outcomes. */
    public enum Action {
        /** Leave the local file alone, nothing to report. */
        NOTHING,
        /** Write the memdb copy to the local file. */
        COPY,
        /** Leave the local file alone and complain (logged as crit). */
        REFUSE
    }

    /** The rule that decided. */
    public enum Reason {
        /** The memdb has no corosync.conf, or an empty one. */
        NO_CLUSTER_CONF,
        /** No {@code config_version}, or 0, in the memdb copy: {@code unable to parse cluster config_version}. */
        UNPARSABLE_VERSION,
        /** The local file already has exactly these bytes. */
        IDENTICAL,
        /** The local version is higher: {@code local corosync.conf is newer}. */
        LOCAL_NEWER,
        /** Same or higher version with different bytes (or no local file). */
        UPDATE
    }

    public SyncDecision {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(reason, "reason");
        log = List.copyOf(log);
    }
}
