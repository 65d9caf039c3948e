package org.pmxcfs.dfsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pmxcfs.dfsm.DfsmMessage.Normal;
import org.pmxcfs.dfsm.DfsmMessage.State;
import org.pmxcfs.dfsm.DfsmMessage.SyncStart;
import org.pmxcfs.dfsm.DfsmMessage.Update;
import org.pmxcfs.dfsm.DfsmMessage.UpdateComplete;
import org.pmxcfs.dfsm.DfsmMessage.Verify;
import org.pmxcfs.dfsm.DfsmMessage.VerifyRequest;

class DfsmCodecTest {

    private static final Epoch EPOCH = new Epoch(7, 0x6543_2100L, 3, 0xFFFF_FFFEL);

    static List<DfsmMessage> samples() {
        byte[] csum = new byte[32];
        Arrays.fill(csum, (byte) 0xAB);
        return List.of(
                new Normal(1, 1_700_000_000L, 1, "hello".getBytes()),
                new Normal(0xFFFF, 0xFFFF_FFFFL, -1L, new byte[0]),
                new SyncStart(5, EPOCH),
                new State(6, EPOCH, new byte[] {1, 2, 3}, sampleLog()),
                new State(6, EPOCH, new byte[0], new AppliedLog()),
                new Update(7, EPOCH, new byte[1000]),
                new UpdateComplete(8, EPOCH),
                new VerifyRequest(9, EPOCH, 0x0102_0304_0506_0708L),
                new Verify(10, EPOCH, 42, csum));
    }

    static AppliedLog sampleLog() {
        AppliedLog log = new AppliedLog();
        log.record(new MemberId(1, 100), 7, 0);
        log.record(new MemberId(1, 100), 9, -17);
        log.record(new MemberId(3, 0xFFFF_FFFF_FFL), Long.MAX_VALUE, 5);
        return log;
    }

    @Test
    void roundTripAndSize() throws Exception {
        for (DfsmMessage m : samples()) {
            byte[] bytes = DfsmCodec.encode(m, 1);
            assertEquals(m, DfsmCodec.decode(bytes), m.toString());
            assertEquals(1, DfsmCodec.protocolVersion(bytes));
            int header = m instanceof Normal ? DfsmCodec.NORMAL_HEADER_SIZE : DfsmCodec.STATE_HEADER_SIZE;
            int body = switch (m.type()) {
                case NORMAL -> ((Normal) m).payload().length;
                case STATE -> 4 + ((State) m).payload().length + ((State) m).applied().encodedSize();
                case UPDATE -> ((Update) m).payload().length;
                case VERIFY_REQUEST -> 8;
                case VERIFY -> 40;
                default -> 0;
            };
            assertEquals(header + body, bytes.length, m.toString());
        }
    }

    /** The byte layout of the original's structs, spelled out. */
    @Test
    void normalHeaderLayout() throws Exception {
        byte[] bytes = DfsmCodec.encode(new Normal(5, 0x11223344L, 0x0102030405060708L, new byte[] {(byte) 0xEE}), 1);
        assertEquals("0000" + "0500" + "01000000" + "44332211" + "00000000" + "0807060504030201" + "ee",
                HexFormat.of().formatHex(bytes));
    }

    @Test
    void stateHeaderLayout() throws Exception {
        byte[] bytes = DfsmCodec.encode(new VerifyRequest(0x11223344L, new Epoch(2, 0x55667788L, 4, 0x99L), 0xAAL), 0);
        assertEquals("0500" + "0000" + "00000000" + "44332211" + "00000000"
                + "02000000" + "88776655" + "04000000" + "99000000" + "aa00000000000000",
                HexFormat.of().formatHex(bytes));
    }

    @Test
    void protocolVersionIsReadBeforeTheType() throws Exception {
        byte[] bytes = DfsmCodec.encode(new UpdateComplete(1, EPOCH), 1);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) 99).putInt(4, 7);
        assertEquals(7, DfsmCodec.protocolVersion(bytes)); // a newer node may invent new types
        assertThrows(MalformedMessageException.class, () -> DfsmCodec.decode(bytes));
    }

    @Test
    void rejectsMalformedInput() {
        assertMalformed(null);
        assertMalformed(new byte[0]);
        assertMalformed(new byte[15]);
        // normal header needs 24 bytes
        assertMalformed(Arrays.copyOf(DfsmCodec.encode(new Normal(1, 1, 1, new byte[0]), 1), 23));
        // every state message needs 32 bytes
        for (DfsmMessage m : samples()) {
            if (!(m instanceof Normal)) {
                assertMalformed(Arrays.copyOf(DfsmCodec.encode(m, 1), 31));
            }
        }
        // fixed-size bodies
        assertMalformed(withBody(MessageType.SYNC_START, 1));
        assertMalformed(withBody(MessageType.UPDATE_COMPLETE, 4));
        assertMalformed(withBody(MessageType.VERIFY_REQUEST, 7));
        assertMalformed(withBody(MessageType.VERIFY_REQUEST, 9));
        assertMalformed(withBody(MessageType.VERIFY, 39));
        assertMalformed(withBody(MessageType.VERIFY, 41));
        // unknown types
        for (int type : new int[] {7, 8, 255, 0xFFFF}) {
            assertMalformed(withType(type));
        }
    }

    /** Random bytes never make the decoder throw anything but MalformedMessageException. */
    @Test
    void fuzz() {
        Random r = new Random(1);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[r.nextInt(80)];
            r.nextBytes(b);
            if (b.length >= 2 && r.nextBoolean()) {
                b[0] = (byte) r.nextInt(8);
                b[1] = 0;
            }
            try {
                DfsmCodec.decode(b);
            } catch (MalformedMessageException expected) {
                // fine
            }
        }
    }

    @Test
    void recordsCheckRanges() {
        assertThrows(IllegalArgumentException.class, () -> new Normal(0x10000, 0, 1, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Normal(1, 1L << 32, 1, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Verify(0, EPOCH, 1, new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> DfsmCodec.encode(new SyncStart(0, EPOCH), -1));
        assertArrayEquals(new byte[32], new Verify(0, EPOCH, 1, new byte[32]).checksum());
        assertEquals(0xFFFF_FFFFL, new Epoch(-1, -1, -1, -1).pid()); // reduced to u32
    }

    private static byte[] withBody(MessageType type, int bodyLength) {
        ByteBuffer b = ByteBuffer.allocate(DfsmCodec.STATE_HEADER_SIZE + bodyLength).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) type.code());
        return b.array();
    }

    private static byte[] withType(int type) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) type);
        return b.array();
    }

    private static void assertMalformed(byte[] bytes) {
        assertThrows(MalformedMessageException.class, () -> DfsmCodec.decode(bytes));
    }
}
