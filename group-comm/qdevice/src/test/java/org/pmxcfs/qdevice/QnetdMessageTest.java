package org.pmxcfs.qdevice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The qnetd wire format: byte layouts of corosync-qdevice's msg.c/tlv.c, and decoding that never reads past a frame. */
class QnetdMessageTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void preinitHasTheOriginalsLayout() {
        // type 0, payload 14 bytes: seq (type 0, len 4, 1), cluster name (type 1, len 2, "pv")
        assertArrayEquals(hex("0000 0000000e 0000 0004 00000001 0001 0002 7076"),
                QnetdRequests.preinit(1, "pv").encode());
    }

    @Test
    void ringIdAndTieBreakerAreFixedWidthBigEndian() throws Exception {
        QnetdMessage init = QnetdRequests.init(7, Algorithm.LMS, 2, 8000, TieBreaker.parse("5"), new RingId(3, 0x1a8));
        QnetdMessage back = QnetdMessage.decode(init.encode());
        assertEquals(Optional.of(new RingId(3, 0x1a8)), back.ringId());
        assertArrayEquals(hex("03 00000005"), back.option(QnetdMessage.OPT_TIE_BREAKER).orElseThrow());
        assertEquals(OptionalLong.of(3), back.number(QnetdMessage.OPT_DECISION_ALGORITHM));
        assertEquals(OptionalLong.of(8000), back.number(QnetdMessage.OPT_HEARTBEAT_INTERVAL));
        assertEquals(18, back.u16List(QnetdMessage.OPT_SUPPORTED_MESSAGES).orElseThrow().size());
        assertEquals(24, back.u16List(QnetdMessage.OPT_SUPPORTED_OPTIONS).orElseThrow().size());
        // lowest/highest carry node id 0, whatever was parsed
        assertArrayEquals(hex("01 00000000"), QnetdMessage.decode(QnetdRequests.init(1, Algorithm.FFSPLIT, 1, 1,
                TieBreaker.LOWEST, new RingId(1, 1)).encode()).option(QnetdMessage.OPT_TIE_BREAKER).orElseThrow());
    }

    @Test
    void nodeInfoNestsOptions() throws Exception {
        QnetdMessage m = QnetdRequests.nodeList(4, QnetdRequests.LIST_QUORUM, null, OptionalLong.empty(), true,
                List.of(new QnetdRequests.Node(1, QnetdRequests.NODE_STATE_MEMBER), new QnetdRequests.Node(2, 0)));
        QnetdMessage back = QnetdMessage.decode(m.encode());
        assertEquals(m, back);
        List<byte[]> infos = back.all(QnetdMessage.OPT_NODE_INFO);
        assertArrayEquals(hex("0009 0004 00000001 0010 0001 01"), infos.get(0));
        assertArrayEquals(hex("0009 0004 00000002"), infos.get(1));
        assertEquals(OptionalLong.of(1), back.number(QnetdMessage.OPT_QUORATE));
        assertEquals(List.of(0, 18, 20, 17, 17), back.options().stream().map(QnetdMessage.Option::type).toList());
    }

    @Test
    void brokenFramesAreErrorsNotOverreads() {
        // option announces 8 bytes, 4 present
        assertThrows(QnetdProtocolException.class, () -> QnetdMessage.decode(hex("0009 00000008 0000 0008 00000001")));
        // half an option header
        assertThrows(QnetdProtocolException.class, () -> QnetdMessage.decode(hex("0009 00000002 0000")));
        // header length disagrees with the frame
        assertThrows(QnetdProtocolException.class, () -> QnetdMessage.decode(hex("0009 00000009 0000 0000")));
        // a number of 3 bytes
        assertThrows(QnetdProtocolException.class, () -> QnetdMessage.decode(hex("0009 00000007 0000 0003 000001"))
                .number(QnetdMessage.OPT_MSG_SEQ_NUMBER));
        // a ring id of 8 bytes
        assertThrows(QnetdProtocolException.class, () -> QnetdMessage.decode(hex("000b 0000000c 000d 0008 0000000000000001"))
                .ringId());
    }

    @Test
    void readRefusesOversizedPayloadsBeforeAllocatingAndTruncatedOnes() {
        QnetdProtocolException big = assertThrows(QnetdProtocolException.class,
                () -> QnetdMessage.read(new ByteArrayInputStream(hex("0009 7fffffff")), 1 << 24));
        assertEquals("message of type 9 announces 2147483647 bytes, more than the 16777216 accepted", big.getMessage());
        assertThrows(EOFException.class, () -> QnetdMessage.read(new ByteArrayInputStream(hex("0009 00000008 0000")), 100));
    }

    @Test
    void readReturnsConsecutiveFrames() throws Exception {
        byte[] a = QnetdRequests.echoRequest(1).encode();
        byte[] b = QnetdRequests.voteInfoReply(2).encode();
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        ByteArrayInputStream in = new ByteArrayInputStream(both);
        assertEquals(QnetdRequests.echoRequest(1), QnetdMessage.read(in, 100));
        assertEquals(QnetdRequests.voteInfoReply(2), QnetdMessage.read(in, 100));
    }

    @Test
    void settingsParseTheAlgorithmTieBreakerAndTls() {
        assertEquals(new TieBreaker(3, 4), TieBreaker.parse("4"));
        assertEquals("quorum.device.net.tie_breaker 'middle' is invalid - use lowest, highest or a node id",
                assertThrows(IllegalArgumentException.class, () -> TieBreaker.parse("middle")).getMessage());
        assertEquals("quorum.device.net.algorithm '2nodelms' is not supported - use ffsplit or lms",
                assertThrows(IllegalArgumentException.class, () -> Algorithm.parse("2nodelms")).getMessage());
        assertThrows(QnetdProtocolException.class, () -> QnetdClient.useTls(0, 2));
        assertThrows(QnetdProtocolException.class, () -> QnetdClient.useTls(2, 0));
        assertEquals(false, assertDoesNotThrow(0, 1));
        assertEquals(true, assertDoesNotThrow(1, 1));
    }

    private static boolean assertDoesNotThrow(int server, int client) {
        try {
            return QnetdClient.useTls(server, client);
        } catch (QnetdProtocolException e) {
            throw new AssertionError(e);
        }
    }
}
