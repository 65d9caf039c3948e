package org.pmxcfs.dcdb;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.pmxcfs.dbstore.Index;
import org.pmxcfs.dbstore.WireFormatException;

/**
 * A member's STATE in a dcdb sync round: its memdb index (the original's state), then its agreed
 * version (u64 little-endian; see {@link Dcdb}). Two members hold the same tree when their
 * indexes are equal, whatever their agreed versions.
 *
 * @param indexBytes the encoded index, as sent
 * @param index the decoded index
 * @param agreed the version of the last quorate round known to be completed by all its members
 */
record SyncState(byte[] indexBytes, Index index, long agreed) {

    private static final int AGREED_BYTES = 8;

    static byte[] encode(byte[] indexBytes, long agreed) {
        return ByteBuffer.allocate(indexBytes.length + AGREED_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                .put(indexBytes).putLong(agreed).array();
    }

    static SyncState decode(byte[] state) throws WireFormatException {
        if (state.length < AGREED_BYTES) {
            throw new WireFormatException("sync state of " + state.length + " bytes is too short");
        }
        byte[] index = Arrays.copyOf(state, state.length - AGREED_BYTES);
        long agreed = ByteBuffer.wrap(state, index.length, AGREED_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                .getLong();
        return new SyncState(index, Index.decode(index), agreed);
    }

    /** Whether this member holds the same tree as {@code other}. */
    boolean sameTree(SyncState other) {
        return Arrays.equals(indexBytes, other.indexBytes);
    }

    /**
     * Whether this state should lead rather than {@code other}: the higher agreed version, then
     * the original's rule (higher version, then later root mtime).
     */
    boolean newerThan(SyncState other) {
        if (agreed != other.agreed) {
            return Long.compareUnsigned(agreed, other.agreed) > 0;
        }
        return index.newerThan(other.index);
    }
}
