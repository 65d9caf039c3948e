package org.pmxcfs.watch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.pmxcfs.dbstore.MemDb;

/**
 * The recent changes of the tree, numbered, for clients that wait for changes under a path (as
 * etcd's watch): every changed path, local or replicated, becomes one {@link Event} with the next
 * revision. The newest {@link #capacity} events are kept; a client that asks for older ones is
 * told that they were compacted and re-reads what it watches. Revisions count from the daemon's
 * start.
 */
public final class ChangeFeed implements MemDb.ChangeListener {

    /** Events kept. */
    public static final int DEFAULT_CAPACITY = 4096;

    /**
     * One change.
     *
     * @param revision its number, one more than the one before
     * @param path     the changed path; {@code ""} for a reload of the whole tree (start-up sync,
     *                 state transfer), which concerns every path
     * @param millis   when it was seen, epoch milliseconds
     */
    public record Event(long revision, String path, long millis) {
        /** True if a watcher of {@code prefix} ({@code ""} = everything) is concerned. */
        public boolean concerns(String prefix) {
            return path.isEmpty() || prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix + "/");
        }
    }

    /**
     * The answer to a poll.
     *
     * @param revision  the newest revision: the {@code since} of the next poll
     * @param events    the matching events after {@code since}, oldest first
     * @param compacted true if events after {@code since} were dropped already: re-read everything
     */
    public record Batch(long revision, List<Event> events, boolean compacted) {}

    private final int capacity;
    private final LongSupplier clockMillis;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private long revision;

    public ChangeFeed(int capacity, LongSupplier clockMillis) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
        this.clockMillis = clockMillis;
    }

    /** Called under the memdb's lock: only appends and wakes the waiting pollers. */
    @Override
    public synchronized void changed(String path) {
        add(path);
    }

    @Override
    public synchronized void reloaded() {
        add("");
    }

    private void add(String path) {
        if (events.size() == capacity) {
            events.removeFirst();
        }
        events.addLast(new Event(++revision, path, clockMillis.getAsLong()));
        notifyAll();
    }

    /** The newest revision. */
    public synchronized long revision() {
        return revision;
    }

    /**
     * The events after {@code since} that {@code wanted} accepts (at most {@code max}); if there
     * are none yet, waits up to {@code timeoutMillis} for one.
     */
    public synchronized Batch poll(long since, Predicate<Event> wanted, int max, long timeoutMillis)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            Event oldest = events.peekFirst();
            // before the oldest kept event, or from before a restart of the daemon (numbers start anew)
            if (oldest != null && since < oldest.revision() - 1 || since > revision) {
                return new Batch(revision, List.of(), true);
            }
            List<Event> out = new ArrayList<>();
            long last = since;
            for (Event e : events) {
                if (e.revision() <= since) {
                    continue;
                }
                if (out.size() == max) {
                    break;
                }
                last = e.revision();
                if (wanted.test(e)) {
                    out.add(e);
                }
            }
            long left = deadline - System.nanoTime();
            if (!out.isEmpty() || left <= 0) {
                // with a full batch the next poll goes on after its last event, else after everything
                return new Batch(out.size() == max ? last : revision, out, false);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
