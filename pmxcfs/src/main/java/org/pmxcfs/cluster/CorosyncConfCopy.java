package org.pmxcfs.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.pmxcfs.corosync.CorosyncConfSync;
import org.pmxcfs.corosync.SyncDecision;
import org.pmxcfs.corosync.SyncReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The copy of the tree's corosync.conf to the local corosync config, by the original's
 * config_version rule (reference 3.10): at start-up, after each write of corosync.conf and after
 * each sync round. The rule depends on the two files only, so a copy whose inputs did not change
 * since the last one is skipped: a node starting on a newer local file says once that the
 * cluster's older copy is not applied, not again at the end of its first sync round.
 */
final class CorosyncConfCopy {

    private static final Logger log = LoggerFactory.getLogger("main");

    private final Path local;
    private final CorosyncConfSync sync;
    /** Whether the last copy was decided and done; then its inputs: the tree's file and the local one after it (null: missing). */
    private boolean copied;
    private byte[] lastTree;
    private byte[] lastLocal;

    CorosyncConfCopy(Path local) {
        this.local = local;
        this.sync = new CorosyncConfSync(local);
    }

    /**
     * Copies {@code treeCopy} (null: the tree has none) to the local file if the rule says so;
     * {@code reloadCorosync} as {@link CorosyncConfSync#sync}. Returns whether the local file was
     * written.
     */
    synchronized boolean sync(byte[] treeCopy, boolean reloadCorosync) {
        byte[] localNow = null;
        boolean localKnown = true;
        try {
            localNow = Files.readAllBytes(local);
        } catch (NoSuchFileException e) {
            // missing: the rule copies
        } catch (IOException e) {
            localKnown = false; // unreadable: the rule logs it, every time
        }
        if (localKnown && copied && Arrays.equals(treeCopy, lastTree) && Arrays.equals(localNow, lastLocal)) {
            return false;
        }
        SyncReport report = sync.sync(treeCopy, reloadCorosync); // logs its decision itself
        // a copy that failed to write is tried again next time
        copied = localKnown && (report.written() || report.decision().action() != SyncDecision.Action.COPY);
        lastTree = treeCopy;
        lastLocal = report.written() ? treeCopy : localNow;
        if (!report.written()) {
            explainRefusal(report);
        }
        return report.written();
    }

    /** The original's "local corosync.conf is newer" does not say what stays in force, nor what to do. */
    private void explainRefusal(SyncReport report) {
        if (report.decision().reason() == SyncDecision.Reason.LOCAL_NEWER) {
            String old = Long.toUnsignedString(report.decision().oldVersion());
            log.warn("not applying the cluster's corosync.conf (version {}): the local '{}' has version {} and stays"
                    + " in force - to change the cluster's config, write it with a config_version above {} to"
                    + " corosync.conf in the cluster filesystem", Long.toUnsignedString(report.decision().newVersion()),
                    local, old, old);
        }
    }
}
