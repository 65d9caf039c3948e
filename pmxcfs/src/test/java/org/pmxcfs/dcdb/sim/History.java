package org.pmxcfs.dcdb.sim;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.pmxcfs.dbstore.MemDb;

/**
 * Which appends a tree holds, as applied, in the order applied: shared (a new tree points at
 * the history of the tree it came from), and registered by tree, so that a member that takes a
 * tree in a state transfer, or loads one from its disk, takes its history with it. An append
 * applied twice to one lineage appears twice.
 *
 * @param id the append applied last
 * @param before the history before it; null for the tree every node starts with
 */
record History(long id, History before) {

    /** Histories by the tree they describe (its index bytes: version and every entry). */
    static final class Registry {
        private final Map<ByteBuffer, History> byTree = new HashMap<>();

        void put(MemDb db, History h) {
            byTree.put(ByteBuffer.wrap(db.index().encode()), h);
        }

        /** The history of {@code db}'s tree; throws if no member ever had that tree. */
        History of(MemDb db) {
            ByteBuffer key = ByteBuffer.wrap(db.index().encode());
            if (!byTree.containsKey(key)) {
                throw new IllegalStateException("a tree no member ever had: v" + db.stats().version());
            }
            return byTree.get(key);
        }
    }

    /** How often each append of {@code h} was applied. */
    static Map<Long, Integer> counts(History h) {
        Map<Long, Integer> n = new HashMap<>();
        for (History x = h; x != null; x = x.before()) {
            n.merge(x.id(), 1, Integer::sum);
        }
        return n;
    }
}
