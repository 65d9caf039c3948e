package org.pmxcfs.dcdb;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.pmxcfs.dbstore.IndexSummary;
import org.pmxcfs.dbstore.WireFormatException;

/**
 * A member's STATE in a dcdb sync round: the summary of its memdb index ({@link IndexSummary};
 * the original sends the whole index), then its agreed version (u64 little-endian; see
 * {@link Dcdb}). Two members hold the same tree when their summaries are equal, whatever their
 * agreed versions.
 *
 * @param summary the summary of the member's index
 * @param agreed the version of the last quorate round known to be completed by all its members
 */
record SyncState(IndexSummary summary, long agreed) {

    static final int BYTES = IndexSummary.BYTES + 8;

    byte[] encode() {
        return ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN).put(summary.encode()).putLong(agreed)
                .array();
    }

    static SyncState decode(byte[] state) throws WireFormatException {
        if (state.length != BYTES) {
            throw new WireFormatException("sync state of " + state.length + " bytes, expected " + BYTES);
        }
        byte[] summary = new byte[IndexSummary.BYTES];
        ByteBuffer b = ByteBuffer.wrap(state).order(ByteOrder.LITTLE_ENDIAN);
        b.get(summary);
        return new SyncState(IndexSummary.decode(summary), b.getLong());
    }

    /** Whether this member holds the same tree as {@code other}. */
    boolean sameTree(SyncState other) {
        return summary.sameTree(other.summary);
    }

    /**
     * Whether this state should lead rather than {@code other}: the higher agreed version, then
     * the original's rule (higher version, then later root mtime).
     */
    boolean newerThan(SyncState other) {
        if (agreed != other.agreed) {
            return Long.compareUnsigned(agreed, other.agreed) > 0;
        }
        return summary.newerThan(other.summary);
    }
}
