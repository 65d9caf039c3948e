package org.pmxcfs.corosync;

import java.util.List;
import java.util.Objects;

/**
 * What {@link CorosyncConfSync#sync} did.
 *
 * @param decision       the copy rule's decision
 * @param written        whether the local file was replaced
 * @param reloadCorosync whether the caller should now run {@code corosync-cfgtool -R}: the file
 *                       was written, the change came from this node (or it is start-up), and the
 *                       old file had a version. The original first sleeps 1 s so the other nodes
 *                       get the file too, and never reloads after a sync commit.
 * @param log            everything logged, in order (decision lines, then the write's)
 */
public record SyncReport(SyncDecision decision, boolean written, boolean reloadCorosync, List<LogLine> log) {

    public SyncReport {
        Objects.requireNonNull(decision, "decision");
        log = List.copyOf(log);
    }
}
