package org.pmxcfs.dbstore;

import java.util.ArrayList;
import java.util.List;

/**
 * What turns a member's tree into the leader's, from the two indexes alone: the inodes the
 * leader has to send (missing at the member or with another digest) and the inodes the member
 * has to delete (unknown to the leader). Both lists are in ascending inode order.
 */
public record IndexDiff(List<Long> send, List<Long> delete) {

    public IndexDiff {
        send = List.copyOf(send);
        delete = List.copyOf(delete);
    }

    /** Compares by walking both sorted indexes once (dcdb_create_and_send_updates). */
    public static IndexDiff between(Index leader, Index member) {
        List<Index.Entry> l = leader.entries();
        List<Index.Entry> m = member.entries();
        List<Long> send = new ArrayList<>();
        List<Long> delete = new ArrayList<>();
        int j = 0;
        for (Index.Entry e : l) {
            while (j < m.size() && Long.compareUnsigned(m.get(j).inode(), e.inode()) < 0) {
                delete.add(m.get(j++).inode());
            }
            if (j < m.size() && m.get(j).inode() == e.inode()) {
                if (!m.get(j).sameDigest(e)) {
                    send.add(e.inode());
                }
                j++;
            } else {
                send.add(e.inode());
            }
        }
        while (j < m.size()) {
            delete.add(m.get(j++).inode());
        }
        return new IndexDiff(send, delete);
    }

    /** True if the member already has the leader's tree. */
    public boolean isEmpty() {
        return send.isEmpty() && delete.isEmpty();
    }
}
