package org.pmxcfs.plug;

import java.time.Clock;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.Result;

/** Local mode: apply at once with writer 0 and the local time, as the original does. */
public final class LocalApplier implements Applier {
    private final MemDb db;
    private final Clock clock;

    public LocalApplier(MemDb db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public Result submit(Operation op) {
        return db.apply(op, 0, clock.millis() / 1000);
    }
}
