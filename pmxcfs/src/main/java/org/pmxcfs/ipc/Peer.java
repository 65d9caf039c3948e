package org.pmxcfs.ipc;

/**
 * The credentials of a connected client, from {@code SO_PEERCRED}, and the access they grant.
 * Ids are -1 when they could not be determined (such a peer is rejected).
 */
public record Peer(int uid, int gid, Access access) {

    public static Peer of(int uid, int gid, int wwwDataGid) {
        return new Peer(uid, gid, Access.decide(uid, gid, wwwDataGid));
    }

    @Override
    public String toString() {
        return "uid " + uid + " gid " + gid + " (" + access.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
