package org.pmxcfs.status;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Reproduces the iteration order of a GLib {@code GHashTable} (GLib ≥ 2.60 open addressing with
 * quadratic probing, index {@code hash * 11 mod prime}, in-place resize) after inserting items in
 * a given order.
 *
 * <p>The original prints {@code .vmlist}, the {@code .members} node list and the {@code .version}
 * kv keys by iterating such tables, so byte-exact output needs this order (e.g. VMIDs 100, 101,
 * 102 print as 100, 102, 101). JSON clients do not care; it only matters for byte comparisons.
 * Removals (tombstones) are not modelled: the result is exact for tables that only grew.
 */
final class GHashOrder {

    private static final int MIN_SHIFT = 3;
    /** GLib's {@code prime_mod}: the largest prime below each power of two. */
    private static final int[] PRIME_MOD = {
        1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521,
        131071, 262139, 524287, 1048573, 2097143, 4194301, 8388593, 16777213, 33554393,
        67108859, 134217689, 268435399, 536870909, 1073741789, 2147483647,
    };

    private GHashOrder() {}

    /** {@code g_int_hash} / {@code g_int32_hash}: the low 32 bits of the key. */
    static int intHash(long key) {
        return (int) key;
    }

    /** {@code g_str_hash}: djb2 over the bytes as signed chars. */
    static int strHash(String s) {
        int h = 5381;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = (h << 5) + h + b;
        }
        return h;
    }

    /**
     * The items in the order a GHashTable iterates them after they were inserted in
     * {@code insertionOrder}. Items must have distinct keys (equal hashes are fine).
     */
    static <T> List<T> order(List<T> insertionOrder, ToIntFunction<T> hash) {
        Table t = new Table();
        for (T item : insertionOrder) {
            int h = hash.applyAsInt(item);
            t.insert(Integer.compareUnsigned(h, 2) < 0 ? 2 : h, item); // 0, 1 mark unused/tombstone
        }
        List<T> out = new ArrayList<>(insertionOrder.size());
        for (int i = 0; i < t.size; i++) {
            if (isReal(t.hashes[i])) {
                @SuppressWarnings("unchecked")
                T item = (T) t.values[i];
                out.add(item);
            }
        }
        return out;
    }

    private static boolean isReal(int h) {
        return Integer.compareUnsigned(h, 2) >= 0;
    }

    /** Just the bucket arrays and counters of a GHashTable. */
    private static final class Table {
        int size;
        int mod;
        int mask;
        int nnodes;
        int noccupied;
        int[] hashes;
        Object[] values;

        Table() {
            setShift(MIN_SHIFT);
            hashes = new int[size];
            values = new Object[size];
        }

        void setShift(int shift) {
            size = 1 << shift;
            mod = PRIME_MOD[shift];
            mask = size - 1;
        }

        void setShiftFromSize(int n) {
            int shift = 0;
            while (n != 0) {
                n >>= 1;
                shift++;
            }
            setShift(Math.max(shift, MIN_SHIFT));
        }

        int toIndex(int hash) {
            return Integer.remainderUnsigned(hash * 11, mod);
        }

        void insert(int hash, Object value) {
            int idx = toIndex(hash);
            int step = 0;
            while (hashes[idx] != 0) {
                step++;
                idx = (idx + step) & mask;
            }
            hashes[idx] = hash;
            values[idx] = value;
            nnodes++;
            noccupied++;
            maybeResize();
        }

        void maybeResize() {
            if ((size > nnodes * 4 && size > 1 << MIN_SHIFT) || size <= noccupied + noccupied / 16) {
                resize();
            }
        }

        /** {@code g_hash_table_resize}: in-place rehash with eviction, as GLib does it. */
        void resize() {
            int oldSize = size;
            setShiftFromSize((int) (nnodes * 1.333));
            if (size > oldSize) {
                hashes = Arrays.copyOf(hashes, size);
                values = Arrays.copyOf(values, size);
            }
            boolean[] placed = new boolean[Math.max(size, oldSize)];
            for (int i = 0; i < oldSize; i++) {
                int nodeHash = hashes[i];
                if (!isReal(nodeHash)) {
                    hashes[i] = 0;
                    continue;
                }
                if (placed[i]) {
                    continue;
                }
                hashes[i] = 0;
                Object value = values[i];
                values[i] = null;
                for (;;) {
                    int idx = toIndex(nodeHash);
                    int step = 0;
                    while (placed[idx]) {
                        step++;
                        idx = (idx + step) & mask;
                    }
                    placed[idx] = true;
                    int replaced = hashes[idx];
                    hashes[idx] = nodeHash;
                    Object evicted = values[idx];
                    values[idx] = value;
                    if (!isReal(replaced)) {
                        break;
                    }
                    nodeHash = replaced;
                    value = evicted;
                }
            }
            if (size < oldSize) {
                hashes = Arrays.copyOf(hashes, size);
                values = Arrays.copyOf(values, size);
            }
            noccupied = nnodes;
        }
    }
}
