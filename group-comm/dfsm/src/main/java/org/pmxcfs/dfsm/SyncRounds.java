package org.pmxcfs.dfsm;

/**
 * How often this member synchronised with its group and how long it took: from entering
 * START_SYNC (a view change) until SYNCED, on the monotonic clock. A round cut short by another
 * view change goes on in the next one and counts once, with its whole duration.
 */
public final class SyncRounds {

    /** A consistent reading. */
    public record Snapshot(long started, long completed, long totalNanos, long lastNanos) {}

    private long started;
    private long completed;
    private long totalNanos;
    private long lastNanos;
    private long since = -1;

    synchronized void started(long nanos) {
        if (since < 0) {
            started++;
            since = nanos;
        }
    }

    synchronized void completed(long nanos) {
        if (since >= 0) {
            completed++;
            lastNanos = nanos - since;
            totalNanos += lastNanos;
            since = -1;
        }
    }

    /** The round ended in an error mode: the restart after it is a new round. */
    synchronized void abandoned() {
        since = -1;
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(started, completed, totalNanos, lastNanos);
    }
}
