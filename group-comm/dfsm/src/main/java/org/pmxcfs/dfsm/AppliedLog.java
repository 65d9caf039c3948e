package org.pmxcfs.dfsm;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The normal messages whose effect the replicated state holds, per sender: message counter →
 * {@link DfsmCallbacks#deliver}'s result, the newest {@link #PER_SENDER} of each sender. It
 * travels with every STATE, and after a sync round every member holds the union of the synced
 * members' logs, so it describes the state they all share. Two uses: a writer whose message was
 * caught by a membership change learns whether it was applied (and its result) or must be sent
 * again, and a message that arrives twice (a re-send and a late original) is applied once,
 * identically everywhere.
 *
 * <p>The log lives in memory, the state it describes on disk: a restarted process holds
 * messages its previous incarnation applied and an empty log. So a log also tells how long it
 * may still miss messages of the state ({@link #uncoveredMillis()}): the rest of the
 * {@link Dfsm.Options#resendWindow} after the process started, for which its state may hold
 * messages sent before the start. A union misses only what all its logs miss, so it carries
 * the smallest of their values.
 */
final class AppliedLog {

    /**
     * Entries kept per sender: far more than the messages one node has in flight at a view
     * change (a FUSE thread has one at a time), and its late copies arrive in the next view.
     */
    static final int PER_SENDER = 256;
    /** Senders kept: every incarnation (restart) of every node is one. */
    static final int MAX_SENDERS = 8;

    private final Map<MemberId, TreeMap<Long, Integer>> bySender = new HashMap<>();
    private long uncoveredMillis;

    /**
     * For how many more milliseconds (from when the log was sent) the state may hold messages
     * this log does not know: those sent before a process restart; 0 if none.
     */
    long uncoveredMillis() {
        return uncoveredMillis;
    }

    /** A copy that says it misses messages for {@code millis} more (capped at u32). */
    AppliedLog uncovered(long millis) {
        AppliedLog copy = new AppliedLog();
        copy.replaceWith(this);
        copy.uncoveredMillis = Math.min(0xFFFFFFFFL, Math.max(0, millis));
        return copy;
    }

    /** Records that {@code sender}'s message {@code count} was applied with {@code result}. */
    void record(MemberId sender, long count, int result) {
        TreeMap<Long, Integer> m = bySender.computeIfAbsent(sender, s -> new TreeMap<>());
        m.put(count, result);
        while (m.size() > PER_SENDER) {
            m.pollFirstEntry();
        }
    }

    /** The result {@code sender}'s message {@code count} was applied with, or null if not recorded. */
    Integer result(MemberId sender, long count) {
        TreeMap<Long, Integer> m = bySender.get(sender);
        return m == null ? null : m.get(count);
    }

    /** Adds every entry of {@code other} (a union). */
    void addAll(AppliedLog other) {
        other.bySender.forEach((sender, m) -> m.forEach((count, result) -> record(sender, count, result)));
    }

    /**
     * Keeps at most {@link #MAX_SENDERS} senders, dropping first the earlier incarnations of the
     * nodes in {@code members} (those processes are gone: no writer of theirs waits, and their
     * late messages belong to old views), then the lowest other senders not in {@code members}.
     * A sender outside the view is kept otherwise: a partition heals, and its messages caught by
     * the cut come back; dropping the lowest first dropped the log of a node's running process
     * that was cut off, and its writes were applied twice after the heal (simulation seed 37973).
     * Members that hold the same log and view drop the same.
     */
    void trim(Collection<MemberId> members) {
        if (bySender.size() <= MAX_SENDERS) {
            return;
        }
        java.util.Set<Integer> nodesInView = new java.util.HashSet<>();
        members.forEach(m -> nodesInView.add(m.nodeId()));
        for (MemberId m : new java.util.TreeSet<>(bySender.keySet())) {
            if (bySender.size() <= MAX_SENDERS) {
                return;
            }
            if (!members.contains(m) && nodesInView.contains(m.nodeId())) {
                bySender.remove(m);
            }
        }
        for (MemberId m : new java.util.TreeSet<>(bySender.keySet())) {
            if (bySender.size() <= MAX_SENDERS) {
                return;
            }
            if (!members.contains(m)) {
                bySender.remove(m);
            }
        }
    }

    /** Replaces the content with {@code other}'s, its {@link #uncoveredMillis()} included. */
    void replaceWith(AppliedLog other) {
        bySender.clear();
        addAll(other);
        uncoveredMillis = other.uncoveredMillis;
    }

    int size() {
        return bySender.values().stream().mapToInt(Map::size).sum();
    }

    /**
     * Bytes of {@link #writeTo}: u32 uncovered milliseconds, u32 senders, then per sender u32
     * node id, u64 pid, u32 n, n × (u64 count, i32 result).
     */
    int encodedSize() {
        return 8 + bySender.size() * 16 + size() * 12;
    }

    /** Writes the log in sender order, in {@code b}'s byte order. */
    void writeTo(ByteBuffer b) {
        b.putInt((int) uncoveredMillis);
        b.putInt(bySender.size());
        for (Map.Entry<MemberId, TreeMap<Long, Integer>> e : new TreeMap<>(bySender).entrySet()) {
            b.putInt(e.getKey().nodeId()).putLong(e.getKey().pid()).putInt(e.getValue().size());
            e.getValue().forEach((count, result) -> b.putLong(count).putInt(result));
        }
    }

    /** Reads what {@link #writeTo} wrote, to the end of {@code b}. */
    static AppliedLog readFrom(ByteBuffer b) throws MalformedMessageException {
        AppliedLog log = new AppliedLog();
        try {
            log.uncoveredMillis = Integer.toUnsignedLong(b.getInt());
            long senders = Integer.toUnsignedLong(b.getInt());
            if (senders * 16 > b.remaining()) { // a view may hold more members than MAX_SENDERS
                throw new MalformedMessageException("applied log claims " + senders + " senders");
            }
            for (long s = 0; s < senders; s++) {
                MemberId sender = new MemberId(b.getInt(), b.getLong());
                long n = Integer.toUnsignedLong(b.getInt());
                if (n > PER_SENDER || n * 12 > b.remaining()) {
                    throw new MalformedMessageException("applied log of " + sender + " claims " + n + " entries");
                }
                for (long k = 0; k < n; k++) {
                    log.record(sender, b.getLong(), b.getInt());
                }
            }
        } catch (BufferUnderflowException e) {
            throw new MalformedMessageException("applied log cut short");
        }
        if (b.hasRemaining()) {
            throw new MalformedMessageException(b.remaining() + " bytes after the applied log");
        }
        return log;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AppliedLog l && l.bySender.equals(bySender) && l.uncoveredMillis == uncoveredMillis;
    }

    @Override
    public int hashCode() {
        return bySender.hashCode() * 31 + Long.hashCode(uncoveredMillis);
    }

    @Override
    public String toString() {
        return bySender.size() + " senders, " + size() + " entries, uncovered " + uncoveredMillis + " ms";
    }
}
