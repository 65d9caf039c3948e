package org.pmxcfs.qdevice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pmxcfs.corosync.QuorumDevice;
import org.pmxcfs.qdevice.QnetdMessage.Option;

/**
 * The client's state machine against a scripted server on loopback (plaintext: {@code tls: off}):
 * what it sends and in which order, and which votes it casts for which membership. The same
 * client against the real corosync-qnetd, with TLS, is in the integration tests.
 */
class QnetdClientTest {

    private static final RingId R0 = new RingId(1, 4);
    private static final RingId R1 = new RingId(1, 5);
    private static final RingId R2 = new RingId(1, 6);

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** One accepted connection of the scripted server. */
    private static final class Peer implements AutoCloseable {
        final Socket socket;

        Peer(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(10_000);
        }

        QnetdMessage read() throws IOException {
            return QnetdMessage.read(socket.getInputStream(), 1 << 20);
        }

        void send(int type, Option... options) throws IOException {
            socket.getOutputStream().write(new QnetdMessage(type, List.of(options)).encode());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static Option u8(int type, int v) {
        return new Option(type, new byte[] {(byte) v});
    }

    private static Option u16(int type, int v) {
        return new Option(type, ByteBuffer.allocate(2).putShort((short) v).array());
    }

    private static Option u32(int type, long v) {
        return new Option(type, ByteBuffer.allocate(4).putInt((int) v).array());
    }

    private static Option u16s(int type, int... values) {
        ByteBuffer b = ByteBuffer.allocate(2 * values.length);
        for (int v : values) {
            b.putShort((short) v);
        }
        return new Option(type, b.array());
    }

    private static Option ring(RingId r) {
        return new Option(QnetdMessage.OPT_RING_ID, ByteBuffer.allocate(12).putInt((int) r.nodeId()).putLong(r.seq()).array());
    }

    private static long seq(QnetdMessage m) throws IOException {
        return m.number(QnetdMessage.OPT_MSG_SEQ_NUMBER).orElseThrow();
    }

    private static void await(String what, BooleanSupplier cond) throws InterruptedException {
        for (int i = 0; i < 200 && !cond.getAsBoolean(); i++) {
            Thread.sleep(25);
        }
        assertTrue(cond.getAsBoolean(), what);
    }

    private ServerSocket server() throws IOException {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        s.setSoTimeout(10_000);
        open.add(s);
        return s;
    }

    private QnetdClient client(ServerSocket server, String algorithm, boolean waitForAll, boolean quorate) {
        QuorumDevice device = new QuorumDevice(Optional.of("net"), OptionalInt.of(1), Map.of(),
                Map.of("host", "127.0.0.1", "port", Integer.toString(server.getLocalPort()), "tls", "off",
                        "algorithm", algorithm), 1);
        QnetdClient c = new QnetdClient(QDeviceSettings.from("pve", device), 1, List.of(1L, 2L), OptionalLong.of(3),
                waitForAll, null, new QnetdClient.Membership(R1, new TreeSet<>(List.of(1L, 2L)), quorate), () -> { });
        open.add(c);
        c.start();
        return c;
    }

    /** preinit → init → the lists qdevice sends once connected; returns the membership list. */
    private Peer handshake(ServerSocket server, int algorithm) throws Exception {
        Peer p = new Peer(server.accept());
        open.add(p);
        QnetdMessage preinit = p.read();
        assertEquals(QnetdMessage.PREINIT, preinit.type());
        assertEquals(Optional.of("pve"), preinit.string(QnetdMessage.OPT_CLUSTER_NAME));
        p.send(QnetdMessage.PREINIT_REPLY, u32(QnetdMessage.OPT_MSG_SEQ_NUMBER, seq(preinit)),
                u8(QnetdMessage.OPT_TLS_SUPPORTED, 0), u8(QnetdMessage.OPT_TLS_CLIENT_CERT_REQUIRED, 0));
        QnetdMessage init = p.read();
        assertEquals(QnetdMessage.INIT, init.type());
        assertEquals(Optional.of(R1), init.ringId());
        assertEquals(OptionalLong.of(1), init.number(QnetdMessage.OPT_NODE_ID));
        assertEquals(OptionalLong.of(algorithm), init.number(QnetdMessage.OPT_DECISION_ALGORITHM));
        assertEquals(OptionalLong.of(8000), init.number(QnetdMessage.OPT_HEARTBEAT_INTERVAL), "0.8 x the 10 s timeout");
        p.send(QnetdMessage.INIT_REPLY, u32(QnetdMessage.OPT_MSG_SEQ_NUMBER, seq(init)),
                u16(QnetdMessage.OPT_REPLY_ERROR_CODE, 0), u16s(QnetdMessage.OPT_SUPPORTED_MESSAGES, 0, 1, 2),
                u16s(QnetdMessage.OPT_SUPPORTED_OPTIONS, QnetdMessage.OPT_KEEP_ACTIVE_PARTITION_TIE_BREAKER),
                u32(QnetdMessage.OPT_SERVER_MAXIMUM_REQUEST_SIZE, 1 << 15),
                u32(QnetdMessage.OPT_SERVER_MAXIMUM_REPLY_SIZE, 1 << 15),
                u16s(QnetdMessage.OPT_SUPPORTED_DECISION_ALGORITHMS, 1, 3));
        QnetdMessage option = p.read();
        assertEquals(QnetdMessage.SET_OPTION, option.type());
        assertEquals(OptionalLong.of(1), option.number(QnetdMessage.OPT_KEEP_ACTIVE_PARTITION_TIE_BREAKER));
        QnetdMessage config = p.read();
        assertEquals(OptionalLong.of(QnetdRequests.LIST_INITIAL_CONFIG), config.number(QnetdMessage.OPT_NODE_LIST_TYPE));
        assertEquals(OptionalLong.of(3), config.number(QnetdMessage.OPT_CONFIG_VERSION));
        assertEquals(2, config.all(QnetdMessage.OPT_NODE_INFO).size());
        QnetdMessage membership = p.read();
        assertEquals(OptionalLong.of(QnetdRequests.LIST_MEMBERSHIP), membership.number(QnetdMessage.OPT_NODE_LIST_TYPE));
        assertEquals(Optional.of(R1), membership.ringId());
        QnetdMessage quorum = p.read();
        assertEquals(OptionalLong.of(QnetdRequests.LIST_QUORUM), quorum.number(QnetdMessage.OPT_NODE_LIST_TYPE));
        p.send(QnetdMessage.NODE_LIST_REPLY, u32(QnetdMessage.OPT_MSG_SEQ_NUMBER, seq(membership)),
                u8(QnetdMessage.OPT_NODE_LIST_TYPE, QnetdRequests.LIST_MEMBERSHIP), ring(R1), u8(QnetdMessage.OPT_VOTE, 1));
        return p;
    }

    @Test
    void votesCountForTheMembershipQnetdVotedFor() throws Exception {
        ServerSocket server = server();
        QnetdClient c = client(server, "ffsplit", false, true);
        Peer p = handshake(server, 1);
        await("ACK for R1", () -> c.castsVoteFor(R1));
        assertTrue(c.connected());

        // a NACK for an old membership changes nothing, and vote info is always acknowledged
        p.send(QnetdMessage.VOTE_INFO, u32(QnetdMessage.OPT_MSG_SEQ_NUMBER, 7), ring(R0), u8(QnetdMessage.OPT_VOTE, 2));
        QnetdMessage reply = p.read();
        assertEquals(QnetdMessage.VOTE_INFO_REPLY, reply.type());
        assertEquals(7, seq(reply));
        assertTrue(c.castsVoteFor(R1));

        // a new membership: no vote until qnetd answered for it
        c.update(new QnetdClient.Membership(R2, new TreeSet<>(List.of(1L)), false));
        QnetdMessage membership = p.read();
        assertEquals(Optional.of(R2), membership.ringId());
        assertEquals(OptionalLong.of(0), p.read().number(QnetdMessage.OPT_QUORATE), "quorum list follows the change");
        assertFalse(c.castsVoteFor(R1));
        assertFalse(c.castsVoteFor(R2));
        p.send(QnetdMessage.VOTE_INFO, u32(QnetdMessage.OPT_MSG_SEQ_NUMBER, 8), ring(R2), u8(QnetdMessage.OPT_VOTE, 1));
        assertEquals(8, seq(p.read()));
        await("ACK for R2", () -> c.castsVoteFor(R2));

        // ffsplit: the server gone, the vote goes at once
        p.close();
        await("vote withdrawn when qnetd is lost", () -> !c.castsVoteFor(R2));
        assertFalse(c.connected());
    }

    @Test
    void lmsKeepsItsVoteWithoutTheServerOnlyWhenQuorateWithWaitForAll() throws Exception {
        ServerSocket keeps = server();
        QnetdClient kept = client(keeps, "lms", true, true);
        Peer p = handshake(keeps, 3);
        await("ACK", () -> kept.castsVoteFor(R1));
        p.close();
        await("disconnected", () -> !kept.connected());
        Thread.sleep(200);
        assertTrue(kept.castsVoteFor(R1), "quorate with wait_for_all: lms keeps voting");

        ServerSocket loses = server();
        QnetdClient lost = client(loses, "lms", false, true);
        Peer q = handshake(loses, 3);
        await("ACK", () -> lost.castsVoteFor(R1));
        q.close();
        await("without wait_for_all the vote goes", () -> !lost.castsVoteFor(R1));
    }

    @Test
    void aRefusedInitIsAConnectFailureNamingTheCause() throws Exception {
        ServerSocket server = server();
        QnetdClient c = client(server, "ffsplit", false, true);
        try (Peer p = new Peer(server.accept())) {
            QnetdMessage preinit = p.read();
            p.send(QnetdMessage.PREINIT_REPLY, u32(QnetdMessage.OPT_MSG_SEQ_NUMBER, seq(preinit)),
                    u8(QnetdMessage.OPT_TLS_SUPPORTED, 0), u8(QnetdMessage.OPT_TLS_CLIENT_CERT_REQUIRED, 0));
            QnetdMessage init = p.read();
            p.send(QnetdMessage.INIT_REPLY, u32(QnetdMessage.OPT_MSG_SEQ_NUMBER, seq(init)),
                    u16(QnetdMessage.OPT_REPLY_ERROR_CODE, 15));
            await("state names the refusal", () -> c.state().contains("error code 15 (tie-breaker differs"));
        }
        assertFalse(c.castsVoteFor(R1));
    }
}
