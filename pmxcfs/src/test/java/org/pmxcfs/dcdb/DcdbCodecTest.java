package org.pmxcfs.dcdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pmxcfs.dbstore.Operation;

/** Reference 3.3: dcdb message subtypes and the fuse message layout, both directions. */
class DcdbCodecTest {

    private static final byte[] DIGEST = new byte[32];

    static {
        for (int i = 0; i < 32; i++) {
            DIGEST[i] = (byte) (i * 7 + 1);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A fuse message built field by field, as dcdb_send_fuse_message lays it out. */
    static byte[] fuse(long size, long offset, long pathlen, long tolen, long flags, byte[]... tail) {
        int n = Arrays.stream(tail).mapToInt(b -> b.length).sum();
        ByteBuffer b = ByteBuffer.allocate(20 + n).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt((int) size).putInt((int) offset).putInt((int) pathlen).putInt((int) tolen).putInt((int) flags);
        for (byte[] t : tail) {
            b.put(t);
        }
        return b.array();
    }

    /** Operations compared by content (Write and Unlock carry arrays). */
    static String show(Operation op) {
        if (op instanceof Operation.Write w) {
            return "Write[" + w.path() + "," + w.offset() + "," + HexFormat.of().formatHex(w.data()) + "]";
        }
        if (op instanceof Operation.Unlock u) {
            return "Unlock[" + u.path() + "," + HexFormat.of().formatHex(u.digest()) + "]";
        }
        return op.toString();
    }

    private static DcdbMessage decode(DcdbCodec.Encoded e) throws DcdbCodecException {
        return DcdbCodec.decode(e.subtype(), e.payload());
    }

    private static Operation applied(int subtype, byte[] payload) throws DcdbCodecException {
        return assertInstanceOf(DcdbMessage.Apply.class, DcdbCodec.decode(subtype, payload)).op();
    }

    @Test
    void typeCodesAreTheOriginals() {
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8),
                Arrays.stream(DcdbMessageType.values()).map(DcdbMessageType::code).toList());
        for (DcdbMessageType t : DcdbMessageType.values()) {
            assertEquals(t, DcdbMessageType.of(t.code()));
        }
        for (int bad : new int[] {-1, 0, 9, 65535}) {
            assertEquals(null, DcdbMessageType.of(bad));
        }
    }

    @Test
    void bytesAreTheOriginalsForEveryType() throws Exception {
        // what cfs-plug-memdb.c passes to dcdb_send_fuse_message for each FUSE call
        assertEncodes(new Operation.Create("nodes/a.conf"), DcdbMessageType.CREATE,
                fuse(0, 0, 13, 0, 0, utf8("nodes/a.conf\0")));
        assertEncodes(new Operation.Mkdir("priv/lock/x"), DcdbMessageType.MKDIR,
                fuse(0, 0, 12, 0, 0, utf8("priv/lock/x\0")));
        assertEncodes(new Operation.Delete("f"), DcdbMessageType.DELETE, fuse(0, 0, 2, 0, 0, utf8("f\0")));
        assertEncodes(new Operation.Rename("a.tmp.1", "a"), DcdbMessageType.RENAME,
                fuse(0, 0, 8, 2, 0, utf8("a.tmp.1\0"), utf8("a\0")));
        assertEncodes(new Operation.Write("f", 4096, utf8("abc")), DcdbMessageType.WRITE,
                fuse(3, 4096, 2, 0, 0, utf8("f\0"), utf8("abc")));
        assertEncodes(new Operation.Truncate("f", 10), DcdbMessageType.WRITE, fuse(0, 10, 2, 0, 1, utf8("f\0")));
        assertEncodes(new Operation.SetMtime("f", 0xFFFF_FFFFL), DcdbMessageType.MTIME,
                fuse(0, 0xFFFF_FFFFL, 2, 0, 0, utf8("f\0")));
        byte[] unlock = ByteBuffer.allocate(32 + 13).put(DIGEST).put(utf8("priv/lock/ab\0")).array();
        assertEncodes(new Operation.Unlock("priv/lock/ab", DIGEST), DcdbMessageType.UNLOCK, unlock);
        DcdbCodec.Encoded req = DcdbCodec.encodeUnlockRequest("priv/lock/ab", DIGEST);
        assertEquals(DcdbMessageType.UNLOCK_REQUEST, req.type());
        assertEquals(7, req.subtype());
        assertArrayEquals(unlock, req.payload());
    }

    private static void assertEncodes(Operation op, DcdbMessageType type, byte[] expected) throws Exception {
        DcdbCodec.Encoded e = DcdbCodec.encode(op);
        assertEquals(type, e.type());
        assertEquals(type.code(), e.subtype());
        assertArrayEquals(expected, e.payload(), op.toString());
    }

    @Test
    void everyOperationRoundTrips() throws Exception {
        byte[] big = new byte[128 * 1024];
        new Random(1).nextBytes(big);
        for (Operation op : List.of(
                new Operation.Create("nodes/pve1/qemu-server/100.conf"),
                new Operation.Mkdir("ümlaut ✓"),
                new Operation.Delete("a/b/c"),
                new Operation.Rename("x", "nodes/pve2/lxc/101.conf"),
                new Operation.Write("f", 0, new byte[0]),
                new Operation.Write("f", 0xFFFF_FFFFL, utf8("x")),
                new Operation.Write("f", 1 << 20, big),
                new Operation.Truncate("f", 0),
                new Operation.Truncate("f", 0xFFFF_FFFFL),
                new Operation.SetMtime("priv/lock/l", 0),
                new Operation.Unlock("priv/lock/l", DIGEST),
                new Operation.Unlock("", DIGEST))) {
            DcdbMessage m = decode(DcdbCodec.encode(op));
            assertEquals(show(op), show(assertInstanceOf(DcdbMessage.Apply.class, m).op()));
        }
        DcdbMessage req = decode(DcdbCodec.encodeUnlockRequest("priv/lock/l", DIGEST));
        assertEquals(new DcdbMessage.UnlockRequest("priv/lock/l", DIGEST), req);
    }

    @Test
    void fieldsATypeDoesNotUseAreIgnoredLikeTheOriginal() throws Exception {
        assertEquals(new Operation.Create("f"),
                applied(5, fuse(3, 77, 2, 2, 9, utf8("f\0"), utf8("g\0"), utf8("xyz"))));
        assertEquals(new Operation.Mkdir("d"), applied(2, fuse(0, 5, 2, 0, 1, utf8("d\0"))));
        assertEquals(new Operation.Delete("d"), applied(3, fuse(1, 0, 2, 2, 0, utf8("d\0"), utf8("e\0"), new byte[1])));
        assertEquals(new Operation.Rename("a", "b"), applied(4, fuse(0, 9, 2, 2, 3, utf8("a\0"), utf8("b\0"))));
        assertEquals(new Operation.SetMtime("a", 42), applied(6, fuse(0, 42, 2, 0, 1, utf8("a\0"))));
        // any non-zero flag is "truncate" (a gboolean in the original)
        assertEquals(new Operation.Truncate("a", 3), applied(1, fuse(0, 3, 2, 0, 2, utf8("a\0"))));
        assertEquals("Write[a,3,]", show(applied(1, fuse(0, 3, 2, 2, 0, utf8("a\0"), utf8("b\0")))));
    }

    private static String refused(int subtype, byte[] payload) {
        return assertThrows(DcdbCodecException.class, () -> DcdbCodec.decode(subtype, payload)).getMessage();
    }

    @Test
    void malformedFuseMessagesAreRefusedWithAReason() {
        assertTrue(refused(0, new byte[20]).contains("unknown dcdb message type 0"));
        assertTrue(refused(9, new byte[20]).contains("unknown dcdb message type 9"));
        assertTrue(refused(5, new byte[19]).contains("shorter than the 20-byte header"));
        assertTrue(refused(5, new byte[0]).contains("shorter"));
        assertTrue(refused(5, fuse(0, 0, 2, 0, 0, utf8("f\0"), new byte[1])).contains("follow the header"));
        assertTrue(refused(5, fuse(0, 0, 3, 0, 0, utf8("f\0"))).contains("pathlen 3"));
        assertTrue(refused(1, fuse(4, 0, 2, 0, 0, utf8("f\0"), new byte[3])).contains("size 4"));
        // sums that wrap around in 32 bits must not match
        assertTrue(refused(1, fuse(0xFFFF_FFFFL, 0, 3, 0, 0, utf8("f\0"))).contains("size 4294967295"));
        assertTrue(refused(4, fuse(0, 0, 0xFFFF_FFFFL, 4, 0, utf8("f\0"), new byte[1])).contains("pathlen"));
        assertTrue(refused(5, fuse(0, 0, 2, 0, 0, utf8("fg"))).contains("path is not NUL-terminated"));
        assertTrue(refused(4, fuse(0, 0, 2, 2, 0, utf8("f\0"), utf8("gh"))).contains("to is not NUL-terminated"));
        assertTrue(refused(5, fuse(0, 0, 4, 0, 0, utf8("f\0g\0"))).contains("NUL byte at position 1"));
        assertTrue(refused(5, fuse(0, 0, 3, 0, 0, new byte[] {(byte) 0xFF, 'a', 0})).contains("UTF-8"));
        assertTrue(refused(5, fuse(0, 0, 0, 0, 0)).contains("no path"));
        assertTrue(refused(1, fuse(1, 0, 0, 0, 0, new byte[1])).contains("no path"));
        assertTrue(refused(4, fuse(0, 0, 2, 0, 0, utf8("f\0"))).contains("no target path"));
        assertTrue(refused(1, fuse(1, 0, 2, 0, 1, utf8("f\0"), new byte[1])).contains("truncate flag with 1 bytes"));
    }

    @Test
    void malformedUnlockMessagesAreRefusedWithAReason() {
        for (int subtype : new int[] {7, 8}) {
            assertTrue(refused(subtype, new byte[32]).contains("shorter than 33"));
            assertTrue(refused(subtype, new byte[0]).contains("shorter than 33"));
            byte[] unterminated = Arrays.copyOf(DIGEST, 34);
            unterminated[32] = 'a';
            unterminated[33] = 'b';
            assertTrue(refused(subtype, unterminated).contains("path is not NUL-terminated"));
            byte[] inner = Arrays.copyOf(DIGEST, 35);
            inner[32] = 'a';
            assertTrue(refused(subtype, inner).contains("NUL byte"));
        }
    }

    @Test
    void unencodableOperationsAreRefused() {
        for (Operation op : List.of(
                new Operation.Write("f", 1L << 32, new byte[1]),
                new Operation.Write("f", -1, new byte[1]),
                new Operation.Truncate("f", 1L << 32),
                new Operation.SetMtime("f", -1),
                new Operation.SetMtime("f", 1L << 32),
                new Operation.Unlock("l", new byte[31]),
                new Operation.Create("a\0b"),
                new Operation.Rename("a", "b\0"))) {
            assertThrows(DcdbCodecException.class, () -> DcdbCodec.encode(op), op.toString());
        }
        assertThrows(DcdbCodecException.class, () -> DcdbCodec.encodeUnlockRequest("l", new byte[33]));
    }

    @Test
    void everyTruncationOfEveryTypeIsACodecError() throws Exception {
        for (Operation op : List.of(new Operation.Rename("abc", "de"), new Operation.Write("f", 1, utf8("data")),
                new Operation.Unlock("priv/lock/x", DIGEST))) {
            DcdbCodec.Encoded e = DcdbCodec.encode(op);
            for (int n = 0; n < e.payload().length; n++) {
                byte[] cut = Arrays.copyOf(e.payload(), n);
                assertThrows(DcdbCodecException.class, () -> DcdbCodec.decode(e.subtype(), cut), op + " cut at " + n);
            }
        }
    }

    @Test
    void randomDamageNeverEscapesAsAnotherException() throws Exception {
        // seeded: a failure names the input it came from
        Random rnd = new Random(20240601);
        List<DcdbCodec.Encoded> seeds = List.of(
                DcdbCodec.encode(new Operation.Rename("nodes/a", "nodes/b")),
                DcdbCodec.encode(new Operation.Write("f", 5, utf8("hello"))),
                DcdbCodec.encode(new Operation.Truncate("f", 5)),
                DcdbCodec.encodeUnlockRequest("priv/lock/x", DIGEST));
        for (int i = 0; i < 20_000; i++) {
            DcdbCodec.Encoded seed = seeds.get(rnd.nextInt(seeds.size()));
            byte[] p = rnd.nextInt(4) == 0 ? new byte[rnd.nextInt(64)] : seed.payload().clone();
            if (p.length > 0) {
                for (int k = rnd.nextInt(4); k >= 0; k--) {
                    p[rnd.nextInt(p.length)] = (byte) rnd.nextInt(256);
                }
            }
            int subtype = rnd.nextInt(10) == 0 ? rnd.nextInt(12) : seed.subtype();
            try {
                DcdbCodec.decode(subtype, p);
            } catch (DcdbCodecException expected) {
                // the one declared failure
            } catch (RuntimeException e) {
                throw new AssertionError("iteration " + i + ": subtype " + subtype + " payload "
                        + HexFormat.of().formatHex(p), e);
            }
        }
    }
}
