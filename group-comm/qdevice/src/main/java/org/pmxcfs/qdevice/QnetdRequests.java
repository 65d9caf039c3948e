package org.pmxcfs.qdevice;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.pmxcfs.qdevice.QnetdMessage.Option;

/**
 * The messages a qdevice client sends, laid out as corosync-qdevice's {@code msg_create_*}
 * lays them out (same options, same order), so the server sees what it sees from the original.
 */
public final class QnetdRequests {

    /** {@code tlv_node_list_type}. */
    public static final int LIST_INITIAL_CONFIG = 0;
    public static final int LIST_CHANGED_CONFIG = 1;
    public static final int LIST_MEMBERSHIP = 2;
    public static final int LIST_QUORUM = 3;

    /** {@code tlv_node_state}. */
    public static final int NODE_STATE_MEMBER = 1;
    public static final int NODE_STATE_DEAD = 2;

    private QnetdRequests() {
    }

    /** A node of a node list; {@code state} 0 leaves the state out (config and membership lists). */
    public record Node(long nodeId, int state) {}

    public static QnetdMessage preinit(long seq, String clusterName) {
        return new QnetdMessage(QnetdMessage.PREINIT, List.of(seq(seq),
                new Option(QnetdMessage.OPT_CLUSTER_NAME, clusterName.getBytes(StandardCharsets.UTF_8))));
    }

    public static QnetdMessage starttls(long seq) {
        return new QnetdMessage(QnetdMessage.STARTTLS, List.of(seq(seq)));
    }

    /**
     * INIT: what this client supports, who it is and how it decides.
     *
     * @param tieBreaker the tie-breaker as it goes on the wire ({@link TieBreaker})
     */
    public static QnetdMessage init(long seq, Algorithm algorithm, long nodeId, long heartbeatMs,
                                    TieBreaker tieBreaker, RingId ring) {
        List<Option> o = new ArrayList<>();
        o.add(seq(seq));
        o.add(u16Range(QnetdMessage.OPT_SUPPORTED_MESSAGES, QnetdMessage.MESSAGE_COUNT));
        o.add(u16Range(QnetdMessage.OPT_SUPPORTED_OPTIONS, QnetdMessage.OPTION_COUNT));
        o.add(u32(QnetdMessage.OPT_NODE_ID, nodeId));
        o.add(new Option(QnetdMessage.OPT_DECISION_ALGORITHM, ByteBuffer.allocate(2)
                .putShort((short) algorithm.wire()).array()));
        o.add(u32(QnetdMessage.OPT_HEARTBEAT_INTERVAL, heartbeatMs));
        o.add(new Option(QnetdMessage.OPT_TIE_BREAKER, ByteBuffer.allocate(5).put((byte) tieBreaker.mode())
                .putInt((int) tieBreaker.wireNodeId()).array()));
        o.add(ring(ring));
        return new QnetdMessage(QnetdMessage.INIT, o);
    }

    /** SET_OPTION with the keep-active-partition tie-breaker (qdevice sends it when the server knows it). */
    public static QnetdMessage keepActivePartitionTieBreaker(long seq, boolean enabled) {
        return new QnetdMessage(QnetdMessage.SET_OPTION, List.of(seq(seq),
                new Option(QnetdMessage.OPT_KEEP_ACTIVE_PARTITION_TIE_BREAKER, new byte[] {(byte) (enabled ? 1 : 0)})));
    }

    public static QnetdMessage echoRequest(long seq) {
        return new QnetdMessage(QnetdMessage.ECHO_REQUEST, List.of(seq(seq)));
    }

    public static QnetdMessage voteInfoReply(long seq) {
        return new QnetdMessage(QnetdMessage.VOTE_INFO_REPLY, List.of(seq(seq)));
    }

    /**
     * NODE_LIST of one of the four kinds: the config list carries the config version, the
     * membership list the ring id, the quorum list the quorate flag and each node's state.
     */
    public static QnetdMessage nodeList(long seq, int listType, RingId ring, OptionalLong configVersion,
                                        Boolean quorate, List<Node> nodes) {
        List<Option> o = new ArrayList<>();
        o.add(seq(seq));
        o.add(new Option(QnetdMessage.OPT_NODE_LIST_TYPE, new byte[] {(byte) listType}));
        if (ring != null) {
            o.add(ring(ring));
        }
        if (configVersion.isPresent()) {
            o.add(new Option(QnetdMessage.OPT_CONFIG_VERSION,
                    ByteBuffer.allocate(8).putLong(configVersion.getAsLong()).array()));
        }
        if (quorate != null) {
            o.add(new Option(QnetdMessage.OPT_QUORATE, new byte[] {(byte) (quorate ? 1 : 0)}));
        }
        for (Node n : nodes) {
            List<Option> info = new ArrayList<>();
            info.add(u32(QnetdMessage.OPT_NODE_ID, n.nodeId()));
            if (n.state() != 0) {
                info.add(new Option(QnetdMessage.OPT_NODE_STATE, new byte[] {(byte) n.state()}));
            }
            // a NODE_INFO value is itself a sequence of options: encode it as a headerless frame
            byte[] frame = new QnetdMessage(0, info).encode();
            o.add(new Option(QnetdMessage.OPT_NODE_INFO,
                    java.util.Arrays.copyOfRange(frame, QnetdMessage.HEADER_BYTES, frame.length)));
        }
        return new QnetdMessage(QnetdMessage.NODE_LIST, o);
    }

    private static Option seq(long seq) {
        return u32(QnetdMessage.OPT_MSG_SEQ_NUMBER, seq);
    }

    private static Option u32(int type, long value) {
        return new Option(type, ByteBuffer.allocate(4).putInt((int) value).array());
    }

    private static Option ring(RingId ring) {
        return new Option(QnetdMessage.OPT_RING_ID,
                ByteBuffer.allocate(12).putInt((int) ring.nodeId()).putLong(ring.seq()).array());
    }

    private static Option u16Range(int type, int count) {
        ByteBuffer b = ByteBuffer.allocate(2 * count);
        for (int i = 0; i < count; i++) {
            b.putShort((short) i);
        }
        return new Option(type, b.array());
    }
}
