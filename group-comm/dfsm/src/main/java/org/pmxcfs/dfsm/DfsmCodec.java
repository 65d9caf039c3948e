package org.pmxcfs.dfsm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.pmxcfs.dfsm.DfsmMessage.Normal;
import org.pmxcfs.dfsm.DfsmMessage.State;
import org.pmxcfs.dfsm.DfsmMessage.StateMessage;
import org.pmxcfs.dfsm.DfsmMessage.SyncStart;
import org.pmxcfs.dfsm.DfsmMessage.Update;
import org.pmxcfs.dfsm.DfsmMessage.UpdateComplete;
import org.pmxcfs.dfsm.DfsmMessage.Verify;
import org.pmxcfs.dfsm.DfsmMessage.VerifyRequest;

/**
 * The original's wire layout of dfsm messages, little-endian, C struct layout without padding:
 *
 * <pre>
 * base   (16): u16 type, u16 subtype, u32 protocol_version, u32 time, u32 reserved (0)
 * normal (24): base, u64 count, then the application payload
 * state  (32): base, epoch {u32 counter, u32 time, u32 nodeid, u32 pid}, then the body:
 *              SYNC_START, UPDATE_COMPLETE: empty; UPDATE: application bytes;
 *              STATE: u32 length, application bytes, the applied log (ours, {@link AppliedLog});
 *              VERIFY_REQUEST: u64 id; VERIFY: u64 id, u8 checksum[32]
 * </pre>
 *
 * State messages are sent with subtype 0 and the subtype is ignored on receipt; the reserved
 * field is ignored on receipt too, as the original does.
 */
public final class DfsmCodec {

    public static final int BASE_HEADER_SIZE = 16;
    public static final int NORMAL_HEADER_SIZE = 24;
    public static final int STATE_HEADER_SIZE = 32;
    public static final int CHECKSUM_SIZE = 32;

    private DfsmCodec() {}

    /** Encodes {@code m} with {@code protocolVersion} (u32) in its base header. */
    public static byte[] encode(DfsmMessage m, long protocolVersion) {
        if (protocolVersion < 0 || protocolVersion > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("protocol version out of u32 range: " + protocolVersion);
        }
        byte[] body;
        if (m instanceof Normal n) {
            body = n.payload();
        } else if (m instanceof State s) {
            ByteBuffer sb = le(4 + s.payload().length + s.applied().encodedSize()).putInt(s.payload().length).put(s.payload());
            s.applied().writeTo(sb);
            body = sb.array();
        } else if (m instanceof Update u) {
            body = u.payload();
        } else if (m instanceof VerifyRequest v) {
            body = le(8).putLong(v.id()).array();
        } else if (m instanceof Verify v) {
            body = le(8 + CHECKSUM_SIZE).putLong(v.id()).put(v.checksum()).array();
        } else {
            body = new byte[0]; // SyncStart, UpdateComplete
        }
        int header = m instanceof Normal ? NORMAL_HEADER_SIZE : STATE_HEADER_SIZE;
        ByteBuffer b = le(header + body.length);
        b.putShort((short) m.type().code());
        b.putShort((short) (m instanceof Normal n ? n.subtype() : 0));
        b.putInt((int) protocolVersion);
        b.putInt((int) m.time());
        b.putInt(0);
        if (m instanceof Normal n) {
            b.putLong(n.count());
        } else {
            Epoch e = ((StateMessage) m).epoch();
            b.putInt((int) e.counter()).putInt((int) e.time()).putInt(e.nodeId()).putInt((int) e.pid());
        }
        b.put(body);
        return b.array();
    }

    /**
     * The protocol version (u32) of an encoded message. Read before {@link #decode}: a newer
     * protocol may use types or layouts this version cannot decode.
     */
    public static long protocolVersion(byte[] msg) throws MalformedMessageException {
        if (msg == null || msg.length < BASE_HEADER_SIZE) {
            throw new MalformedMessageException("received short message (" + (msg == null ? 0 : msg.length) + " bytes)");
        }
        return Integer.toUnsignedLong(ByteBuffer.wrap(msg).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
    }

    /** Decodes a message; never throws anything but {@link MalformedMessageException}. */
    public static DfsmMessage decode(byte[] msg) throws MalformedMessageException {
        protocolVersion(msg); // length check
        ByteBuffer b = ByteBuffer.wrap(msg).order(ByteOrder.LITTLE_ENDIAN);
        int typeCode = Short.toUnsignedInt(b.getShort());
        int subtype = Short.toUnsignedInt(b.getShort());
        b.getInt(); // protocol version
        long time = Integer.toUnsignedLong(b.getInt());
        b.getInt(); // reserved
        MessageType type = MessageType.of(typeCode);
        if (type == null) {
            throw new MalformedMessageException("received unknown message type (type = " + typeCode + ", " + msg.length + " bytes)");
        }
        if (type == MessageType.NORMAL) {
            if (msg.length < NORMAL_HEADER_SIZE) {
                throw malformed("short message", type, msg.length);
            }
            long count = b.getLong();
            return new Normal(subtype, time, count, Arrays.copyOfRange(msg, NORMAL_HEADER_SIZE, msg.length));
        }
        if (msg.length < STATE_HEADER_SIZE) {
            throw malformed("short state message", type, msg.length);
        }
        Epoch epoch = new Epoch(Integer.toUnsignedLong(b.getInt()), Integer.toUnsignedLong(b.getInt()), b.getInt(),
                Integer.toUnsignedLong(b.getInt()));
        int bodyLength = msg.length - STATE_HEADER_SIZE;
        return switch (type) {
            case SYNC_START -> {
                expectBody(type, bodyLength, 0);
                yield new SyncStart(time, epoch);
            }
            case STATE -> {
                long length = bodyLength < 4 ? -1 : Integer.toUnsignedLong(b.getInt());
                if (length < 0 || length > bodyLength - 4) {
                    throw malformed("state with a bad application state length", type, msg.length);
                }
                byte[] payload = new byte[(int) length];
                b.get(payload);
                yield new State(time, epoch, payload, AppliedLog.readFrom(b));
            }
            case UPDATE -> new Update(time, epoch, Arrays.copyOfRange(msg, STATE_HEADER_SIZE, msg.length));
            case UPDATE_COMPLETE -> {
                expectBody(type, bodyLength, 0);
                yield new UpdateComplete(time, epoch);
            }
            case VERIFY_REQUEST -> {
                expectBody(type, bodyLength, 8);
                yield new VerifyRequest(time, epoch, b.getLong());
            }
            case VERIFY -> {
                expectBody(type, bodyLength, 8 + CHECKSUM_SIZE);
                long id = b.getLong();
                byte[] csum = new byte[CHECKSUM_SIZE];
                b.get(csum);
                yield new Verify(time, epoch, id, csum);
            }
            case NORMAL -> throw new AssertionError();
        };
    }

    private static void expectBody(MessageType type, int actual, int expected) throws MalformedMessageException {
        if (actual != expected) {
            throw new MalformedMessageException("received " + type + " with wrong length (" + actual
                    + " body bytes, expected " + expected + ")");
        }
    }

    private static MalformedMessageException malformed(String what, MessageType type, int length) {
        return new MalformedMessageException("received " + what + " (type = " + type + ", " + length + " bytes)");
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
