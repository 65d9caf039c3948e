package org.pmxcfs.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The byte-position bookkeeping of the original's cluster log ring buffer ({@code clog_base_t}),
 * without the bytes.
 *
 * <p>Each entry occupies its packed size rounded up to 8 bytes, placed right after the previous
 * one, wrapping to the start when it would not fit; whatever it lands on is overwritten. Reading
 * walks the {@code prev} links back from the newest entry with the original's stop rules. Modelling
 * positions instead of a plain size budget makes the number of retained entries match the
 * original exactly. Not thread-safe: {@link ClusterLog} guards it.
 */
final class LogRing {

    /** {@code sizeof(clog_base_t)}: the buffer header before the first entry. */
    static final int BASE_HEADER = 8;

    private record Slot(int pos, int prev, int next, ClusterLogEntry entry) {}

    private final int size;
    /** Entries not (yet) overwritten, by start position. */
    private final TreeMap<Integer, Slot> slots = new TreeMap<>();
    /** Position of the newest entry, 0 when empty (the original's {@code cpos}). */
    private int cpos;

    LogRing(int size) {
        if (size < ClusterLog.MAX_ENTRY_SIZE * 10) {
            throw new IllegalArgumentException("cluster log too small: " + size);
        }
        this.size = size;
    }

    int size() {
        return size;
    }

    /** Rounds a packed entry size up to the 8-byte slot it occupies. */
    static int slotSize(int packedSize) {
        return (packedSize + 7) & ~7;
    }

    /** Stores an entry of {@code packedSize} bytes (≤ 4096) as the newest one. */
    void append(ClusterLogEntry entry, int packedSize) {
        int real = slotSize(packedSize);
        int newpos;
        if (cpos == 0) {
            newpos = BASE_HEADER;
        } else {
            newpos = slots.get(cpos).next();
            if (newpos + real >= size) {
                newpos = BASE_HEADER;
            }
        }
        int end = newpos + real;
        slots.subMap(newpos, end).clear();
        Map.Entry<Integer, Slot> below = slots.lowerEntry(newpos);
        if (below != null && below.getValue().next() > newpos) {
            slots.remove(below.getKey()); // partly overwritten
        }
        slots.put(newpos, new Slot(newpos, cpos, end, entry));
        cpos = newpos;
    }

    /**
     * Up to {@code max} readable entries matching {@code filter}, newest first (insertion order
     * reversed), following the original's walk: stop at a position within one maximum entry
     * after the newest one, and after an entry whose predecessor was overwritten by wrap-around.
     */
    List<ClusterLogEntry> newestFirst(int max, Predicate<ClusterLogEntry> filter) {
        List<ClusterLogEntry> out = new ArrayList<>();
        int c = cpos;
        int guard = slots.size();
        while (c != 0 && (c <= cpos || c > cpos + ClusterLog.MAX_ENTRY_SIZE) && out.size() < max && guard-- > 0) {
            Slot s = slots.get(c);
            if (s == null) {
                break; // cannot happen by the layout rules; do not loop on a broken chain
            }
            if (filter.test(s.entry())) {
                out.add(s.entry());
            }
            if (c < s.prev() && s.prev() <= cpos) {
                break;
            }
            c = s.prev();
        }
        return out;
    }
}
