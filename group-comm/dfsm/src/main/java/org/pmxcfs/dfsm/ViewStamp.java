package org.pmxcfs.dfsm;

import java.nio.ByteBuffer;

/**
 * A view as stamped on messages: its number and a fingerprint of its creator. View numbers grow
 * at every member, but the two sides of a partition count independently, so after a cut both
 * sides usually have a view with the same number; only the creator tells them apart.
 *
 * @param id the view number
 * @param creator a fingerprint of the member that created the view
 */
public record ViewStamp(long id, long creator) {

    /** Bytes of {@link #write}. */
    public static final int BYTES = 16;
    /** Before the first view: older than every view. */
    public static final ViewStamp NONE = new ViewStamp(-1, 0);

    /** Reads what {@link #write} wrote. */
    public static ViewStamp read(ByteBuffer b) {
        return new ViewStamp(b.getLong(), b.getLong());
    }

    /** Writes the 16 bytes: number, creator (big-endian). */
    public void write(ByteBuffer b) {
        b.putLong(id).putLong(creator);
    }

    @Override
    public String toString() {
        return id + "/" + Long.toHexString(creator);
    }
}
