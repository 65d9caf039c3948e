package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reference 3.2 "UPDATE payload": layout, round trip, strict decoding. */
class InodeUpdateTest {

    private static void assertSameEntry(TreeEntry expected, TreeEntry actual) {
        assertEquals(expected.toString(), actual.toString());
        assertArrayEquals(expected.data(), actual.data());
    }

    private static TreeEntry roundTrip(TreeEntry e) throws WireFormatException {
        return InodeUpdate.decode(InodeUpdate.encode(e));
    }

    @Test
    void layoutIsTheOriginalsByteForByte() {
        TreeEntry e = new TreeEntry(12, 3, 40, 2, 1_700_000_000L, TreeEntry.TYPE_FILE, "a.cfg",
                "xyz".getBytes(StandardCharsets.UTF_8));
        ByteBuffer b = ByteBuffer.allocate(41 + 6 + 3).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(3).putLong(12).putLong(40).putInt(2).putInt(1_700_000_000).putInt(3).putInt(6).put((byte) 8)
                .put("a.cfg\0xyz".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(b.array(), InodeUpdate.encode(e));
    }

    @Test
    void filesDirectoriesAndEmptyFilesRoundTrip() throws Exception {
        for (TreeEntry e : new TreeEntry[] {
                new TreeEntry(12, 3, 40, 2, 1_700_000_000L, TreeEntry.TYPE_FILE, "a.cfg", new byte[] {0, 1, 2, (byte) 255}),
                new TreeEntry(5, 0, 5, -1, 0xFFFF_FFFFL, TreeEntry.TYPE_DIR, "nodes", null),
                new TreeEntry(6, 5, 9, 0, 1, TreeEntry.TYPE_FILE, "empty", null),
                new TreeEntry(7, 5, 9, 0, 1, TreeEntry.TYPE_FILE, "ümlaut ✓", new byte[MemDb.MAX_FILE_SIZE])}) {
            assertSameEntry(e, roundTrip(e));
        }
    }

    @Test
    void rootTravelsWithoutNameAsADirectory() throws Exception {
        // however the caller spells it: the root entry of the tree, or the stored version row
        for (TreeEntry root : new TreeEntry[] {
                new TreeEntry(0, 0, 77, 3, 1234, TreeEntry.TYPE_DIR, "", null),
                new TreeEntry(0, 0, 77, 3, 1234, TreeEntry.TYPE_FILE, Store.VERSION_ROW_NAME, null)}) {
            byte[] bytes = InodeUpdate.encode(root);
            assertEquals(42, bytes.length);
            assertEquals(1, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(36), "namelen counts the NUL");
            assertEquals(4, bytes[40]);
            TreeEntry back = InodeUpdate.decode(bytes);
            assertEquals("", back.name());
            assertEquals(TreeEntry.TYPE_DIR, back.type());
            assertEquals(77, back.version());
        }
    }

    @Test
    void rootOfALiveTreeRoundTrips() throws Exception {
        MemDb db = IndexTest.smallTree();
        TreeEntry root = db.entry(0).orElseThrow();
        assertSameEntry(root, roundTrip(root));
    }

    private static byte[] message(long size, long namelen, int type, byte[] tail) {
        ByteBuffer b = ByteBuffer.allocate(41 + tail.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(1).putLong(2).putLong(3).putInt(4).putInt(5).putInt((int) size).putInt((int) namelen).put((byte) type)
                .put(tail);
        return b.array();
    }

    private static String refused(byte[] bytes) {
        return assertThrows(WireFormatException.class, () -> InodeUpdate.decode(bytes)).getMessage();
    }

    @Test
    void malformedUpdatesAreRefusedWithAReason() {
        assertNull(assertThrowsNothing(message(0, 2, 8, new byte[] {'a', 0})).data());
        assertTrue(refused(new byte[40]).contains("shorter"));
        assertTrue(refused(message(0, 2, 2, new byte[] {'a', 0})).contains("unknown inode type 2"));
        assertTrue(refused(message(0, 3, 8, new byte[] {'a', 0})).contains("namelen 3"));
        assertTrue(refused(message(1, 2, 8, new byte[] {'a', 0})).contains("size 1"));
        assertTrue(refused(message(0, 2, 8, new byte[] {'a', 0, 9})).contains("follow the header"));
        assertTrue(refused(message(0, 0, 8, new byte[0])).contains("length 0"));
        assertTrue(refused(message(0, 2, 8, new byte[] {'a', 'b'})).contains("not NUL-terminated"));
        assertTrue(refused(message(0, 3, 8, new byte[] {'a', 0, 0})).contains("NUL byte at position 1"));
        assertTrue(refused(message(0, 2, 8, new byte[] {(byte) 0xC3, 0})).contains("UTF-8"));
        assertTrue(refused(message(1, 2, 4, new byte[] {'d', 0, 7})).contains("directory"));
        // lengths near 2^32 must not overflow into a match or an unchecked exception
        assertTrue(refused(message(0xFFFF_FFFFL, 2, 8, new byte[] {'a', 0})).contains("size 4294967295"));
        assertTrue(refused(message(0, 0xFFFF_FFFFL, 8, new byte[] {'a', 0})).contains("namelen 4294967295"));
        assertTrue(refused(message(0xFFFF_FFFFL, 0xFFFF_FFFFL, 8, new byte[] {'a', 0})).contains("namelen"));
    }

    private static TreeEntry assertThrowsNothing(byte[] bytes) {
        try {
            return InodeUpdate.decode(bytes);
        } catch (WireFormatException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyTruncationIsAWireFormatException() {
        byte[] good = InodeUpdate.encode(new TreeEntry(12, 3, 40, 2, 7, TreeEntry.TYPE_FILE, "a.cfg", new byte[10]));
        for (int n = 0; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            assertThrows(WireFormatException.class, () -> InodeUpdate.decode(cut), "length " + n);
        }
    }

    @Test
    void aBatchOfRecordsRoundTripsAndOneRecordIsTheOriginalsPayload() throws Exception {
        List<TreeEntry> entries = List.of(
                new TreeEntry(0, 0, 9, 1, 5, TreeEntry.TYPE_DIR, "", null),
                new TreeEntry(4, 0, 4, 2, 6, TreeEntry.TYPE_DIR, "nodes", null),
                new TreeEntry(7, 4, 7, 3, 7, TreeEntry.TYPE_FILE, "b.cfg", "content\n".getBytes()),
                new TreeEntry(8, 4, 8, 3, 8, TreeEntry.TYPE_FILE, "empty", null));
        java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
        for (TreeEntry e : entries) {
            batch.writeBytes(InodeUpdate.encode(e));
        }
        List<TreeEntry> back = InodeUpdate.decodeAll(batch.toByteArray());
        assertEquals(entries.size(), back.size());
        for (int k = 0; k < entries.size(); k++) {
            assertSameEntry(entries.get(k), back.get(k));
        }
        byte[] one = InodeUpdate.encode(entries.get(2));
        assertSameEntry(InodeUpdate.decode(one), InodeUpdate.decodeAll(one).get(0));
    }

    @Test
    void aBatchCutAnywhereButBetweenRecordsIsRefused() throws Exception {
        byte[] first = InodeUpdate.encode(new TreeEntry(12, 3, 40, 2, 7, TreeEntry.TYPE_FILE, "a.cfg", new byte[10]));
        byte[] second = InodeUpdate.encode(new TreeEntry(13, 3, 41, 2, 7, TreeEntry.TYPE_FILE, "b.cfg", new byte[5]));
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        assertEquals(2, InodeUpdate.decodeAll(both).size());
        assertEquals(1, InodeUpdate.decodeAll(Arrays.copyOf(both, first.length)).size());
        for (int n = 0; n < both.length; n++) {
            if (n != first.length) {
                byte[] cut = Arrays.copyOf(both, n);
                assertThrows(WireFormatException.class, () -> InodeUpdate.decodeAll(cut), "length " + n);
            }
        }
        assertTrue(assertThrows(WireFormatException.class, () -> InodeUpdate.decodeAll(Arrays.copyOf(both, both.length - 1)))
                .getMessage().contains("record 2"));
    }
}
