package org.pmxcfs.dcdb;

/**
 * The dcdb application message types: the {@code subtype} of a normal dfsm message in group
 * {@code pve_dcdb_v1} ({@code dcdb_message_t} in the original's dcdb.h). Codes are stable forever.
 */
public enum DcdbMessageType {
    /** Write, or with flag 1 truncate; fuse message. */
    WRITE(1),
    MKDIR(2),
    /** unlink and rmdir alike. */
    DELETE(3),
    /** Fuse message with {@code to}. */
    RENAME(4),
    CREATE(5),
    /** utimens; the new mtime travels in {@code offset}. */
    MTIME(6),
    /** {@code u8 csum[32], path\0}: asks the lowest node id to expire a lock. */
    UNLOCK_REQUEST(7),
    /** {@code u8 csum[32], path\0}: removes the lock if its checksum still matches. */
    UNLOCK(8);

    private static final DcdbMessageType[] BY_CODE = {null, WRITE, MKDIR, DELETE, RENAME, CREATE, MTIME,
        UNLOCK_REQUEST, UNLOCK};

    private final int code;

    DcdbMessageType(int code) {
        this.code = code;
    }

    /** The wire code (header {@code subtype}). */
    public int code() {
        return code;
    }

    /** The type with this code, or null if there is none. */
    public static DcdbMessageType of(int code) {
        return code >= 1 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
