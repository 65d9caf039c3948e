package org.pmxcfs.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.status.ClusterLog;
import org.pmxcfs.status.ClusterLogEntry;
import org.pmxcfs.status.StatusListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sync is about to replace local entries. Entries written in local mode (writer 0) that the
 * cluster does not have are changes it never saw: the whole local tree is saved first
 * ({@link Backups}), and a warning and a cluster log entry name the paths.
 */
final class DivergenceBackup {

    private static final Logger log = LoggerFactory.getLogger("dcdb");

    private final MemDb db;
    private final Path dir;
    private final ClusterLog clusterLog;
    private final StatusListener others;
    private final Clock clock;

    /** @param others where the cluster log entry goes to the other nodes */
    DivergenceBackup(MemDb db, Path dir, ClusterLog clusterLog, StatusListener others, Clock clock) {
        this.db = db;
        this.dir = dir;
        this.clusterLog = clusterLog;
        this.others = others;
        this.clock = clock;
    }

    /**
     * Before a state transfer deletes or overwrites {@code discardedPaths}. Throws if the backup
     * cannot be written: the transfer is then refused, and the dfsm tries again later.
     */
    void beforeStateTransfer(List<String> discardedPaths) {
        List<String> local = new ArrayList<>();
        for (String p : discardedPaths) {
            db.lookup(p).filter(e -> e.writer() == 0).ifPresent(e -> local.add(p));
        }
        // a new database holding nothing but the corosync.conf it imported (or that 'pvecm add'
        // reset it to) has nothing to lose: that copy is the local file's
        if (local.isEmpty() || local.equals(List.of("corosync.conf")) && db.list("").size() == 1) {
            return;
        }
        Path backup;
        try {
            backup = Backups.save(db, dir, clock.millis() / 1000);
        } catch (IOException e) {
            throw new IllegalStateException("unable to back up the local database before a sync: " + e.getMessage(), e);
        }
        String msg = "local changes not known to the cluster are replaced by the cluster's state: "
                + String.join(", ", local) + " - the local database was saved as " + backup;
        log.warn(msg);
        ClusterLogEntry entry = clusterLog.addLocal(4, "root", "pmxcfs", ProcessHandle.current().pid(), msg,
                clock.millis() / 1000);
        others.clusterLogged(entry);
    }
}
