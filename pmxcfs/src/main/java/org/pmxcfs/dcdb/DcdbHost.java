package org.pmxcfs.dcdb;

import java.util.List;
import org.pmxcfs.dbstore.TreeEntry;

/**
 * Everything {@link Dcdb} needs besides the memdb: the daemon implements it on top of its
 * {@code Dfsm}, quorum tracking, lock table and corosync.conf writer. Called on the dfsm's
 * delivery thread.
 */
public interface DcdbHost {

    /** Whether this node is quorate now ({@code cfs_is_quorate}). */
    boolean isQuorate();

    /** Multicasts a normal message without waiting for its delivery ({@code Dfsm#submit}). */
    void submit(int subtype, byte[] payload);

    /**
     * The database failed for good: stop the cluster connection ({@code dfsm_set_errormode},
     * "serious internal error - stop cluster connection").
     */
    void setErrorMode();

    /**
     * Whether the lock directory at {@code path}, as {@code lock} is now, has been unchanged for
     * longer than the lock lifetime by this node's own clock ({@code memdb_lock_expired}); a lock
     * seen for the first time or in a new state starts its timer.
     */
    boolean lockExpired(String path, TreeEntry lock);

    /**
     * {@code corosync.conf} in the tree may have changed: copy it to the local corosync
     * configuration if it is newer (reference 3.10); ask corosync to reload only if
     * {@code reloadCorosync} (this node sent the change).
     */
    void syncCorosyncConf(boolean reloadCorosync);

    /**
     * A state transfer is about to delete or overwrite these local paths (sorted; entries only
     * the leader has are not included): the place to save the local tree, e.g. with
     * {@code MemDb.dumpSql}. Throwing refuses the transfer; the dfsm then leaves the group
     * and tries again later.
     */
    void beforeStateTransfer(List<String> discardedPaths);
}
