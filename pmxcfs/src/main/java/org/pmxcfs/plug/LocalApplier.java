package org.pmxcfs.plug;

import java.time.Clock;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.Result;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.lock.LockTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local mode: apply at once with writer 0 and the local time, and expire locks by this node's
 * own lock table, as the original does.
 */
public final class LocalApplier implements Applier {

    private static final Logger log = LoggerFactory.getLogger("main");

    private final MemDb db;
    private final LockTable locks;
    private final Clock clock;

    public LocalApplier(MemDb db, LockTable locks, Clock clock) {
        this.db = db;
        this.locks = locks;
        this.clock = clock;
    }

    @Override
    public Result requestUnlock(String path, TreeEntry lock) {
        if (!locks.expired(path, lock, clock.millis())) {
            return Result.fail(Errno.EACCES);
        }
        return submit(new Operation.Unlock(path, lock.metaDigest())); // the table forgets it as a change
    }

    @Override
    public Result submit(Operation op) {
        Result r = db.apply(op, 0, clock.millis() / 1000);
        if (log.isDebugEnabled()) {
            log.debug("apply {} locally: {}", op.describe(), r.isOk() ? "ok" : r.error());
        }
        return r;
    }
}
