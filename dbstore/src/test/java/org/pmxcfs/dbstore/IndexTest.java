package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.dbstore.TestSupport.ok;
import static org.pmxcfs.dbstore.TestSupport.ramDb;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reference 3.2 "Index": layout, digests, golden values, strict decoding. */
class IndexTest {

    /** The fixed time of the original's check_memdb.c. */
    static final long CTIME = 1234;
    static final int WRITER = 7;

    static byte[] sha256(byte[]... parts) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /**
     * A small fixed tree, every change by node {@link #WRITER} at {@link #CTIME}:
     * inode 2 "nodes", 3 "nodes/n1", 4 "nodes/n1/a.cfg" ("hello\n", version 5), 6 "empty".
     */
    static MemDb smallTree() {
        MemDb db = ramDb();
        ok(db.apply(new Operation.Mkdir("nodes"), WRITER, CTIME));
        ok(db.apply(new Operation.Mkdir("nodes/n1"), WRITER, CTIME));
        ok(db.apply(new Operation.Create("nodes/n1/a.cfg"), WRITER, CTIME));
        ok(db.apply(new Operation.Write("nodes/n1/a.cfg", 0, "hello\n".getBytes(StandardCharsets.UTF_8)), WRITER, CTIME));
        ok(db.apply(new Operation.Create("empty"), WRITER, CTIME));
        return db;
    }

    /** The digest fields of one entry exactly as memdb_encode_index feeds them. */
    static byte[] fields(long version, int writer, int mtime, int size, int type, long parent) {
        return ByteBuffer.allocate(29).order(ByteOrder.LITTLE_ENDIAN).putLong(version).putInt(writer).putInt(mtime)
                .putInt(size).put((byte) type).putLong(parent).array();
    }

    @Test
    void goldenOfTheOriginalCheckMemdb() throws Exception {
        // check_memdb.c test_indextest1, replayed: on a new database, 100 × (create
        // "testfile<i>", write 32 KiB of zeros), writer 0, ctime 1234. The original pins the
        // SHA-256 of the encoded index to the value below, so matching it shows our index is
        // byte-identical to the C implementation's, digests and header alike.
        MemDb db = ramDb();
        byte[] zeros = new byte[32 * 1024];
        for (int i = 0; i < 100; i++) {
            ok(db.apply(new Operation.Create("testfile" + i), 0, CTIME));
            ok(zeros.length, db.apply(new Operation.Write("testfile" + i, 0, zeros), 0, CTIME));
        }
        Index idx = db.index();
        assertEquals(201, idx.version());
        assertEquals(200, idx.lastInode());
        assertEquals(0, idx.writer());
        assertEquals(101, idx.entries().size());
        byte[] bytes = idx.encode();
        assertEquals(101 * 40 + 32, bytes.length);
        assertEquals("913fd95015af9d93f10dd51ba2a7bb11351bcfe040be21e95fcba834adc3ec10", hex(sha256(bytes)));
    }

    @Test
    void entryDigestsAreComputedByHand() throws Exception {
        Index idx = smallTree().index();
        // root: version 6 (five changes after the initial 1), a directory, no name
        byte[] root = sha256(fields(6, WRITER, (int) CTIME, 0, 4, 0));
        // a.cfg: inode 4, written at version 5 below directory inode 3, with its data
        byte[] file = sha256(fields(5, WRITER, (int) CTIME, 6, 8, 3), "a.cfg".getBytes(StandardCharsets.UTF_8),
                "hello\n".getBytes(StandardCharsets.UTF_8));
        // "empty": inode 6, size 0, so no data is hashed
        byte[] empty = sha256(fields(6, WRITER, (int) CTIME, 0, 8, 0), "empty".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(0L, 2L, 3L, 4L, 6L), idx.entries().stream().map(Index.Entry::inode).toList());
        assertArrayEquals(root, idx.find(0).orElseThrow().digest());
        assertArrayEquals(file, idx.find(4).orElseThrow().digest());
        assertArrayEquals(empty, idx.find(6).orElseThrow().digest());
    }

    @Test
    void goldenOfASmallTree() throws Exception {
        byte[] bytes = smallTree().index().encode();
        // header by hand: version 6, last_inode 6, writer 7, mtime 1234, count 5, total 32 + 5 × 40
        ByteBuffer h = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(6, h.getLong());
        assertEquals(6, h.getLong());
        assertEquals(WRITER, h.getInt());
        assertEquals(CTIME, h.getInt());
        assertEquals(5, h.getInt());
        assertEquals(232, h.getInt());
        assertEquals(232, bytes.length);
        // Derived independently of this code: a 15-line Python script building the same five
        // entries with struct.pack("<QIIIBQ", version, writer, mtime, size, type, parent) + name
        // + data, hashlib.sha256 per entry, struct.pack("<QQIIII", ...) for the header (the same
        // script reproduces the original's check_memdb golden above). Three of the entry digests
        // are also checked by hand in entryDigestsAreComputedByHand. A change here means a mixed
        // C/Java cluster would never agree on its state.
        assertEquals("a7610ab194bde61068bbdbc96d64833af67ecf7d8d10d87e6244d92263ea5808", hex(sha256(bytes)));
    }

    @Test
    void roundTrip() throws Exception {
        Index idx = smallTree().index();
        byte[] bytes = idx.encode();
        Index back = Index.decode(bytes);
        assertEquals(idx, back);
        assertArrayEquals(bytes, back.encode());
        assertEquals(idx.hashCode(), back.hashCode());
    }

    @Test
    void equalTreesGiveEqualIndexesAndAnyChangeShowsUp() {
        MemDb a = smallTree();
        MemDb b = smallTree();
        assertArrayEquals(a.index().encode(), b.index().encode());
        ok(b.apply(new Operation.SetMtime("empty", CTIME), WRITER, CTIME));
        assertFalse(Arrays.equals(a.index().encode(), b.index().encode()));
    }

    @Test
    void findAndLeaderOrder() {
        Index idx = smallTree().index();
        assertTrue(idx.find(3).isPresent());
        assertTrue(idx.find(5).isEmpty());
        assertTrue(idx.find(7).isEmpty());
        Index v6 = new Index(6, 0, 0, 100, List.of());
        assertTrue(new Index(7, 0, 0, 1, List.of()).newerThan(v6), "higher version wins");
        assertTrue(new Index(6, 0, 0, 101, List.of()).newerThan(v6), "same version: later mtime wins");
        assertFalse(new Index(6, 0, 0, 100, List.of()).newerThan(v6), "a tie is left to member order");
        assertFalse(new Index(5, 0, 0, 999, List.of()).newerThan(v6));
        assertTrue(new Index(6, 0, 0, 0xFFFF_FFF0L, List.of()).newerThan(v6), "mtime is unsigned");
    }

    private static String refused(byte[] bytes) {
        return assertThrows(WireFormatException.class, () -> Index.decode(bytes)).getMessage();
    }

    private static byte[] withInt(byte[] bytes, int offset, int value) {
        byte[] b = bytes.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
        return b;
    }

    @Test
    void malformedIndexesAreRefusedWithAReason() {
        byte[] good = smallTree().index().encode();
        assertTrue(refused(new byte[0]).contains("shorter than the 32-byte header"));
        assertTrue(refused(Arrays.copyOf(good, 31)).contains("header"));
        assertTrue(refused(Arrays.copyOf(good, good.length - 1)).contains("total_bytes"));
        assertTrue(refused(Arrays.copyOf(good, good.length + 40)).contains("total_bytes"));
        assertTrue(refused(withInt(good, 28, good.length + 1)).contains("total_bytes"));
        assertTrue(refused(withInt(good, 24, 4)).contains("count 4"));
        assertTrue(refused(withInt(good, 24, -1)).contains("count"));
        // entries 1 and 2 swapped: inode order broken
        byte[] swapped = good.clone();
        System.arraycopy(good, 32 + 80, swapped, 32 + 40, 40);
        System.arraycopy(good, 32 + 40, swapped, 32 + 80, 40);
        assertTrue(refused(swapped).contains("ascending"));
        // a duplicate inode
        byte[] dup = good.clone();
        System.arraycopy(good, 32 + 40, dup, 32 + 80, 40);
        assertTrue(refused(dup).contains("ascending"));
    }

    @Test
    void everyTruncationIsAWireFormatException() {
        byte[] good = smallTree().index().encode();
        for (int n = 0; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            assertThrows(WireFormatException.class, () -> Index.decode(cut), "length " + n);
        }
    }

    @Test
    void entryIsAValue() {
        byte[] d = new byte[32];
        Index.Entry e = new Index.Entry(1, d);
        d[0] = 1;
        assertEquals(0, e.digest()[0], "the digest is copied in");
        e.digest()[0] = 2;
        assertEquals(0, e.digest()[0], "and copied out");
        assertEquals(e, new Index.Entry(1, new byte[32]));
        assertNotEquals(e, new Index.Entry(1, d));
        assertThrows(IllegalArgumentException.class, () -> new Index.Entry(1, new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> new Index(1, 0, 0, 1L << 32, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new Index(1, 0, 0, 0, List.of(new Index.Entry(2, d), new Index.Entry(1, d))));
    }
}
