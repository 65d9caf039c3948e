package org.pmxcfs.metrics;

import java.util.function.Supplier;
import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.Result;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.plug.Applier;

/**
 * An {@link Applier} that counts every mutation's result and latency in {@link WriteMetrics}.
 * Mutations refused before they reach it (no quorum: EACCES from the filesystem's gate) are not
 * counted; {@code pmxcfs_quorate} shows that state.
 */
public final class MeteredApplier implements Applier {

    private final Applier inner;
    private final WriteMetrics metrics;

    public MeteredApplier(Applier inner, WriteMetrics metrics) {
        this.inner = inner;
        this.metrics = metrics;
    }

    @Override
    public Result submit(Operation op) {
        return timed(() -> inner.submit(op));
    }

    @Override
    public Result requestUnlock(String path, TreeEntry lock) {
        return timed(() -> inner.requestUnlock(path, lock));
    }

    private Result timed(Supplier<Result> call) {
        long start = System.nanoTime();
        Result r = call.get();
        metrics.record(r.error(), System.nanoTime() - start);
        return r;
    }
}
