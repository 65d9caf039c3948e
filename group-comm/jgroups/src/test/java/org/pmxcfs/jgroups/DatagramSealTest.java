package org.pmxcfs.jgroups;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatagramSealTest {

    private static byte[] key(int seed) {
        byte[] k = new byte[256];
        new Random(seed).nextBytes(k);
        return k;
    }

    private static byte[] open(DatagramSeal s, byte[] sealed) {
        byte[] out = new byte[sealed.length];
        int n = s.open(sealed, 0, sealed.length, out);
        return n < 0 ? null : Arrays.copyOf(out, n);
    }

    @Test
    void roundTripsAnySliceAndSizeUpToADatagram() {
        DatagramSeal s = DatagramSeal.forGroup(key(1), "c-dcdb");
        Random r = new Random(7);
        for (int size : new int[] {0, 1, 15, 16, 17, 1000, 63_000}) {
            byte[] data = new byte[size + 10];
            r.nextBytes(data);
            byte[] sealed = s.seal(data, 5, size);
            assertEquals(size + DatagramSeal.OVERHEAD, sealed.length);
            assertArrayEquals(Arrays.copyOfRange(data, 5, 5 + size), open(s, sealed));
        }
    }

    @Test
    void anotherKeyAnotherGroupWithoutKeyOrAnyAlteredByteDoesNotOpen() {
        DatagramSeal s = DatagramSeal.forGroup(key(1), "c-dcdb");
        byte[] sealed = s.seal(new byte[] {1, 2, 3, 4}, 0, 4);
        assertEquals(null, open(DatagramSeal.forGroup(key(2), "c-dcdb"), sealed));
        assertEquals(null, open(DatagramSeal.forGroup(null, "c-dcdb"), sealed));
        for (int i = 0; i < sealed.length; i++) {
            byte[] bad = sealed.clone();
            bad[i] ^= 0x40;
            assertEquals(null, open(s, bad), "byte " + i + " altered");
        }
        for (int len = 0; len < sealed.length; len++) {
            assertEquals(null, open(s, Arrays.copyOf(sealed, len)), "truncated to " + len);
        }
    }

    @Test
    void withoutAnAuthkeyGroupsStillKeepEachOthersTrafficOut() {
        byte[] sealed = DatagramSeal.forGroup(null, "a-dcdb").seal(new byte[8], 0, 8);
        assertEquals(null, open(DatagramSeal.forGroup(null, "b-dcdb"), sealed));
        assertArrayEquals(new byte[8], open(DatagramSeal.forGroup(null, "a-dcdb"), sealed));
    }

    @Test
    void garbageNeverOpens() {
        DatagramSeal s = DatagramSeal.forGroup(key(1), "c-dcdb");
        Random r = new Random(3);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[r.nextInt(200)];
            r.nextBytes(junk);
            if (junk.length > 0) {
                junk[0] = 1; // even with the right version byte
            }
            assertEquals(null, open(s, junk));
        }
    }

    @Test
    void noNonceRepeats() {
        DatagramSeal s = DatagramSeal.forGroup(key(1), "c-dcdb");
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            byte[] sealed = s.seal(new byte[0], 0, 0);
            assertFalse(!nonces.add(Arrays.toString(Arrays.copyOfRange(sealed, 1, 13))), "nonce repeated at " + i);
        }
    }
}
