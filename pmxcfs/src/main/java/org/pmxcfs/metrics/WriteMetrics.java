package org.pmxcfs.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.pmxcfs.dbstore.Errno;

/**
 * Tree mutations by result ({@code ok} or the errno) and their latency as a histogram with fixed
 * buckets, from 0.5 ms (a local write) to 30 s (the cluster write timeout). Lock-free: a FUSE
 * thread only adds to counters.
 */
public final class WriteMetrics {

    /** Upper bounds of the latency buckets, in seconds. */
    static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
        10, 30};

    private final Map<String, LongAdder> byResult = new ConcurrentHashMap<>();
    private final AtomicLongArray bucketCounts = new AtomicLongArray(BUCKETS.length + 1);
    private final LongAdder sumNanos = new LongAdder();

    /** One mutation: its result ({@code null} = ok) and how long it took. */
    public void record(Errno error, long nanos) {
        byResult.computeIfAbsent(error == null ? "ok" : error.name(), k -> new LongAdder()).increment();
        double seconds = nanos / 1e9;
        int i = 0;
        while (i < BUCKETS.length && seconds > BUCKETS[i]) {
            i++;
        }
        bucketCounts.incrementAndGet(i);
        sumNanos.add(nanos);
    }

    void render(PromText out) {
        out.family("pmxcfs_writes_total", "counter", "Mutations of the tree (write, create, truncate, delete, rename,"
                + " mkdir, mtime, unlock) by result: ok or the errno returned to the caller.");
        Map<String, Long> results = new TreeMap<>();
        byResult.forEach((k, v) -> results.put(k, v.sum()));
        results.putIfAbsent("ok", 0L);
        results.forEach((k, v) -> out.sample("pmxcfs_writes_total", v, "result", k));
        out.family("pmxcfs_write_duration_seconds", "histogram", "Time from a mutation's request to its result"
                + " (cluster mode: the total-order round trip).");
        long cumulative = 0;
        for (int i = 0; i < BUCKETS.length; i++) {
            cumulative += bucketCounts.get(i);
            out.sample("pmxcfs_write_duration_seconds_bucket", cumulative, "le", PromText.format(BUCKETS[i]));
        }
        cumulative += bucketCounts.get(BUCKETS.length);
        out.sample("pmxcfs_write_duration_seconds_bucket", cumulative, "le", "+Inf");
        out.sample("pmxcfs_write_duration_seconds_sum", sumNanos.sum() / 1e9);
        out.sample("pmxcfs_write_duration_seconds_count", cumulative);
    }
}
