package org.pmxcfs.ipc;

/**
 * What a connected client may do, decided once per connection from its peer credentials
 * (reference §3.11): uid 0 with primary gid 0 may read and write; primary group www-data (any uid,
 * root included) may only read; everyone else is turned away.
 */
public enum Access {
    READ_WRITE, READ_ONLY, REJECTED;

    /**
     * The access of a peer with user id {@code uid} and primary group id {@code gid}; a pure
     * function so it can be tested without switching users. Negative ids (unknown) are rejected.
     */
    public static Access decide(int uid, int gid, int wwwDataGid) {
        if (uid == 0 && gid == 0) {
            return READ_WRITE;
        }
        if (gid >= 0 && uid >= 0 && gid == wwwDataGid) {
            return READ_ONLY;
        }
        return REJECTED;
    }
}
