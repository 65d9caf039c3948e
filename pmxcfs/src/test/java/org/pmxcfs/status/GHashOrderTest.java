package org.pmxcfs.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class GHashOrderTest {

    private static List<Long> order(Long... keys) {
        return GHashOrder.order(List.of(keys), k -> GHashOrder.intHash(k));
    }

    @Test
    void matchesTheSamples() {
        assertEquals(List.of(100L, 102L, 101L), order(100L, 101L, 102L)); // cluster-3node vmlist
        assertEquals(List.of(100L, 200L), order(100L, 200L)); // local-after-2-guests vmlist
        assertEquals(List.of(1L, 2L, 3L), order(1L, 2L, 3L)); // cluster-3node members
    }

    @Test
    void collisionsDependOnInsertionOrder() {
        // node id 1 hashes like 2 (GLib reserves hash values 0 and 1)
        assertEquals(List.of(2L, 1L, 3L), order(3L, 2L, 1L));
        assertEquals(List.of(1L, 2L, 4L, 3L, 5L), order(1L, 2L, 3L, 4L, 5L));
    }

    @Test
    void growsAtEightEntries() {
        // hand-computed: 8 entries fill the 8-bucket table, it regrows to 16 buckets (mod 13)
        assertEquals(List.of(104L, 103L, 102L, 101L, 107L, 100L, 106L, 105L),
                order(100L, 101L, 102L, 103L, 104L, 105L, 106L, 107L));
        assertEquals(List.of(105L, 100L, 102L, 104L, 106L, 101L, 103L),
                order(100L, 101L, 102L, 103L, 104L, 105L, 106L));
    }

    @Test
    void keepsEveryItemThroughManyResizes() {
        Random r = new Random(1);
        List<Long> keys = new ArrayList<>();
        HashSet<Long> seen = new HashSet<>();
        while (keys.size() < 5000) {
            long k = 100 + r.nextInt(1_000_000);
            if (seen.add(k)) {
                keys.add(k);
            }
        }
        List<Long> out = GHashOrder.order(keys, k -> GHashOrder.intHash(k));
        assertEquals(keys.size(), out.size());
        assertEquals(seen, new HashSet<>(out));
    }

    @Test
    void strHashIsDjb2OverSignedBytes() {
        assertEquals(5381, GHashOrder.strHash(""));
        assertEquals(5381 * 33 + 'a', GHashOrder.strHash("a"));
        // 'ä' = 0xC3 0xA4, both negative as signed chars
        assertEquals((5381 * 33 + (byte) 0xC3) * 33 + (byte) 0xA4, GHashOrder.strHash("ä"));
    }
}
