package org.pmxcfs.qdevice;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One message of the corosync-qnetd protocol (corosync-qdevice {@code msg.c}, {@code tlv.c}):
 * a 2-byte type and a 4-byte payload length, then the payload as options, each a 2-byte type,
 * a 2-byte length and the value; every number in network byte order. Decoding checks every
 * length against the bytes present, so a broken or hostile frame is an exception, never a read
 * past its end.
 *
 * @param type    the message type ({@code MSG_*})
 * @param options the options in wire order (a type may repeat, as {@code NODE_INFO} does)
 */
public record QnetdMessage(int type, List<Option> options) {

    public static final int PREINIT = 0;
    public static final int PREINIT_REPLY = 1;
    public static final int STARTTLS = 2;
    public static final int INIT = 3;
    public static final int INIT_REPLY = 4;
    public static final int SERVER_ERROR = 5;
    public static final int SET_OPTION = 6;
    public static final int SET_OPTION_REPLY = 7;
    public static final int ECHO_REQUEST = 8;
    public static final int ECHO_REPLY = 9;
    public static final int NODE_LIST = 10;
    public static final int NODE_LIST_REPLY = 11;
    public static final int ASK_FOR_VOTE = 12;
    public static final int ASK_FOR_VOTE_REPLY = 13;
    public static final int VOTE_INFO = 14;
    public static final int VOTE_INFO_REPLY = 15;
    public static final int HEURISTICS_CHANGE = 16;
    public static final int HEURISTICS_CHANGE_REPLY = 17;

    public static final int OPT_MSG_SEQ_NUMBER = 0;
    public static final int OPT_CLUSTER_NAME = 1;
    public static final int OPT_TLS_SUPPORTED = 2;
    public static final int OPT_TLS_CLIENT_CERT_REQUIRED = 3;
    public static final int OPT_SUPPORTED_MESSAGES = 4;
    public static final int OPT_SUPPORTED_OPTIONS = 5;
    public static final int OPT_REPLY_ERROR_CODE = 6;
    public static final int OPT_SERVER_MAXIMUM_REQUEST_SIZE = 7;
    public static final int OPT_SERVER_MAXIMUM_REPLY_SIZE = 8;
    public static final int OPT_NODE_ID = 9;
    public static final int OPT_SUPPORTED_DECISION_ALGORITHMS = 10;
    public static final int OPT_DECISION_ALGORITHM = 11;
    public static final int OPT_HEARTBEAT_INTERVAL = 12;
    public static final int OPT_RING_ID = 13;
    public static final int OPT_CONFIG_VERSION = 14;
    public static final int OPT_DATA_CENTER_ID = 15;
    public static final int OPT_NODE_STATE = 16;
    public static final int OPT_NODE_INFO = 17;
    public static final int OPT_NODE_LIST_TYPE = 18;
    public static final int OPT_VOTE = 19;
    public static final int OPT_QUORATE = 20;
    public static final int OPT_TIE_BREAKER = 21;
    public static final int OPT_HEURISTICS = 22;
    public static final int OPT_KEEP_ACTIVE_PARTITION_TIE_BREAKER = 23;
    /** Options 0..23: what qdevice 3.0 announces in INIT. */
    public static final int OPTION_COUNT = 24;
    /** Message types 0..17: what qdevice 3.0 announces in INIT. */
    public static final int MESSAGE_COUNT = 18;

    /** Header: type (2) + payload length (4). */
    public static final int HEADER_BYTES = 6;

    /** One option: its type and raw value. */
    public record Option(int type, byte[] value) {

        public Option {
            if (type < 0 || type > 0xffff || value.length > 0xffff) {
                throw new IllegalArgumentException("option " + type + " of " + value.length + " bytes does not fit");
            }
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Option other && type == other.type && Arrays.equals(value, other.value);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return type + "=" + java.util.HexFormat.of().formatHex(value);
        }
    }

    public QnetdMessage {
        if (type < 0 || type > 0xffff) {
            throw new IllegalArgumentException("message type " + type + " does not fit in 16 bits");
        }
        options = List.copyOf(options);
    }

    /** The frame as sent on the wire. */
    public byte[] encode() {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        for (Option o : options) {
            byte[] v = o.value;
            payload.write(o.type >>> 8);
            payload.write(o.type);
            payload.write(v.length >>> 8);
            payload.write(v.length);
            payload.writeBytes(v);
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + payload.size());
        b.putShort((short) type).putInt(payload.size()).put(payload.toByteArray());
        return b.array();
    }

    /**
     * Reads one frame. Fails on end of stream, and on a payload above {@code maxPayload} before
     * allocating it (the server says how large its replies can be; qdevice refuses larger ones).
     */
    public static QnetdMessage read(InputStream in, int maxPayload) throws IOException {
        DataInputStream d = new DataInputStream(in);
        byte[] header = new byte[HEADER_BYTES];
        d.readFully(header);
        ByteBuffer h = ByteBuffer.wrap(header);
        int type = h.getShort() & 0xffff;
        long length = h.getInt() & 0xffffffffL;
        if (length > maxPayload) {
            throw new QnetdProtocolException("message of type " + type + " announces " + length
                    + " bytes, more than the " + maxPayload + " accepted");
        }
        byte[] payload = new byte[(int) length];
        try {
            d.readFully(payload);
        } catch (EOFException e) {
            throw new EOFException("connection closed in the middle of a message of type " + type);
        }
        return new QnetdMessage(type, decodeOptions(payload));
    }

    /** Decodes a whole frame (header included), e.g. one built by {@link #encode()}. */
    public static QnetdMessage decode(byte[] frame) throws QnetdProtocolException {
        if (frame.length < HEADER_BYTES) {
            throw new QnetdProtocolException("frame of " + frame.length + " bytes is shorter than the header");
        }
        ByteBuffer h = ByteBuffer.wrap(frame);
        int type = h.getShort() & 0xffff;
        long length = h.getInt() & 0xffffffffL;
        if (length != frame.length - HEADER_BYTES) {
            throw new QnetdProtocolException("header announces " + length + " payload bytes, frame has "
                    + (frame.length - HEADER_BYTES));
        }
        return new QnetdMessage(type, decodeOptions(Arrays.copyOfRange(frame, HEADER_BYTES, frame.length)));
    }

    /** Options of a payload (also the value of a {@code NODE_INFO} option, which nests them). */
    static List<Option> decodeOptions(byte[] payload) throws QnetdProtocolException {
        List<Option> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(payload);
        while (b.hasRemaining()) {
            if (b.remaining() < 4) {
                throw new QnetdProtocolException("truncated option header at byte " + b.position());
            }
            int t = b.getShort() & 0xffff;
            int len = b.getShort() & 0xffff;
            if (len > b.remaining()) {
                throw new QnetdProtocolException("option " + t + " announces " + len + " bytes, "
                        + b.remaining() + " left");
            }
            byte[] v = new byte[len];
            b.get(v);
            out.add(new Option(t, v));
        }
        return out;
    }

    /** The first option of this type. */
    public Optional<byte[]> option(int optionType) {
        return options.stream().filter(o -> o.type == optionType).findFirst().map(Option::value);
    }

    /** Every option of this type, in order. */
    public List<byte[]> all(int optionType) {
        return options.stream().filter(o -> o.type == optionType).map(Option::value).toList();
    }

    /** An unsigned number option of 1, 2, 4 or 8 bytes; a value of another size is a protocol error. */
    public OptionalLong number(int optionType) throws QnetdProtocolException {
        Optional<byte[]> v = option(optionType);
        if (v.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(unsigned(optionType, v.get()));
    }

    static long unsigned(int optionType, byte[] v) throws QnetdProtocolException {
        if (v.length != 1 && v.length != 2 && v.length != 4 && v.length != 8) {
            throw new QnetdProtocolException("option " + optionType + " has " + v.length + " bytes, not a number");
        }
        long n = 0;
        for (byte x : v) {
            n = n << 8 | (x & 0xff);
        }
        return n;
    }

    /** A {@code RING_ID} option (node id 4 bytes, sequence 8 bytes). */
    public Optional<RingId> ringId() throws QnetdProtocolException {
        Optional<byte[]> v = option(OPT_RING_ID);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (v.get().length != 12) {
            throw new QnetdProtocolException("ring id has " + v.get().length + " bytes, not 12");
        }
        ByteBuffer b = ByteBuffer.wrap(v.get());
        return Optional.of(new RingId(b.getInt() & 0xffffffffL, b.getLong()));
    }

    /** A list of 16-bit values ({@code SUPPORTED_MESSAGES}, {@code SUPPORTED_OPTIONS}, algorithms). */
    public Optional<List<Integer>> u16List(int optionType) throws QnetdProtocolException {
        Optional<byte[]> v = option(optionType);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (v.get().length % 2 != 0) {
            throw new QnetdProtocolException("option " + optionType + " has an odd length " + v.get().length);
        }
        List<Integer> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(v.get());
        while (b.hasRemaining()) {
            out.add(b.getShort() & 0xffff);
        }
        return Optional.of(out);
    }

    /** A string option. */
    public Optional<String> string(int optionType) {
        return option(optionType).map(v -> new String(v, StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "QnetdMessage[type=" + type + ", options=" + options + "]";
    }
}
