package org.pmxcfs.status.cluster;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.pmxcfs.status.ClusterLogEntry;

/**
 * The wire formats of the status group (reference 3.8, 3.9): the two normal message types of the
 * original's kvstore and the STATE payload of a sync round.
 *
 * <ul>
 *   <li>{@link #UPDATE} (1): {@code char key[256]} NUL-padded, then the value (empty = delete);</li>
 *   <li>{@link #LOG} (3): one packed cluster log entry ({@code clog_entry_t});</li>
 *   <li>{@link #EXPECTED} (4, ours: corosync's votequorum carries this itself): {@code u32}
 *       expected votes set with {@code pvecm expected};</li>
 *   <li>STATE: this node's cluster log, oldest first, as
 *       {@code u32 total_size, u32 count} and then each packed entry padded to 8 bytes.</li>
 * </ul>
 * The original sends its whole 128 KiB ring buffer image as STATE; our transport does not talk to
 * C nodes, so the state carries the same entries without the unused buffer space.
 */
public final class StatusMessages {

    /** {@code KVSTORE_MESSAGE_UPDATE}: a key of the sender's status table was set or deleted. */
    public static final int UPDATE = 1;
    /** {@code KVSTORE_MESSAGE_LOG}: one new cluster log entry. */
    public static final int LOG = 3;
    /** A runtime override of the expected votes, for every member's quorum. */
    public static final int EXPECTED = 4;

    /** The key field: 255 bytes of key and at least one NUL. */
    static final int KEY_FIELD = 256;
    private static final int STATE_HEADER = 8;

    /** A decoded {@link #UPDATE}. */
    public record KvUpdate(String key, byte[] value) {}

    private StatusMessages() {}

    /**
     * An {@link #UPDATE} payload.
     *
     * @throws IllegalArgumentException if the key is empty, contains a NUL or has more than 255
     *     UTF-8 bytes (IPC refuses such keys before they get here)
     */
    public static byte[] encodeUpdate(String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        if (k.length == 0 || k.length >= KEY_FIELD || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid status key '" + key + "'");
        }
        byte[] out = new byte[KEY_FIELD + value.length];
        System.arraycopy(k, 0, out, 0, k.length);
        System.arraycopy(value, 0, out, KEY_FIELD, value.length);
        return out;
    }

    /** Decodes an {@link #UPDATE} payload as {@code kvstore_parse_update_message} does, plus: the key must not be empty. */
    public static KvUpdate decodeUpdate(byte[] payload) throws MalformedStatusMessageException {
        if (payload.length < KEY_FIELD) {
            throw new MalformedStatusMessageException("short kvstore message (" + payload.length + " < " + KEY_FIELD + ")");
        }
        int end = 0;
        while (end < KEY_FIELD && payload[end] != 0) {
            end++;
        }
        if (end == KEY_FIELD) {
            throw new MalformedStatusMessageException("kvstore message with unterminated key");
        }
        if (end == 0) {
            throw new MalformedStatusMessageException("kvstore message with empty key");
        }
        return new KvUpdate(new String(payload, 0, end, StandardCharsets.UTF_8),
                Arrays.copyOfRange(payload, KEY_FIELD, payload.length));
    }

    /** An {@link #EXPECTED} payload. */
    public static byte[] encodeExpected(long votes) {
        return java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int) votes).array();
    }

    public static long decodeExpected(byte[] payload) throws MalformedStatusMessageException {
        if (payload.length != 4) {
            throw new MalformedStatusMessageException("expected-votes message of " + payload.length + " bytes, not 4");
        }
        return Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(payload).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
    }

    /** A {@link #LOG} payload: the packed entry. */
    public static byte[] encodeLog(ClusterLogEntry entry) {
        return PackedLogEntry.pack(entry);
    }

    /** Decodes a {@link #LOG} payload; its size must match the entry's length fields exactly. */
    public static ClusterLogEntry decodeLog(byte[] payload) throws MalformedStatusMessageException {
        return PackedLogEntry.unpack(payload);
    }

    /** The STATE payload for {@code entries} (oldest first, as {@code ClusterLog.stateForSync} gives them). */
    public static byte[] encodeState(List<ClusterLogEntry> entries) {
        List<byte[]> packed = new ArrayList<>(entries.size());
        int total = STATE_HEADER;
        for (ClusterLogEntry e : entries) {
            byte[] p = PackedLogEntry.pack(e);
            packed.add(p);
            total += padded(p.length);
        }
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(total).putInt(entries.size());
        for (byte[] p : packed) {
            b.put(p);
            b.position(b.position() + padded(p.length) - p.length);
        }
        return b.array();
    }

    /** Decodes a STATE payload into its entries, in the order they were sent. */
    public static List<ClusterLogEntry> decodeState(byte[] state) throws MalformedStatusMessageException {
        if (state.length < STATE_HEADER) {
            throw new MalformedStatusMessageException("short cluster log state (" + state.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(state).order(ByteOrder.LITTLE_ENDIAN);
        long total = Integer.toUnsignedLong(b.getInt());
        long count = Integer.toUnsignedLong(b.getInt());
        if (total != state.length) {
            throw new MalformedStatusMessageException("cluster log state with wrong size (" + state.length + " != " + total + ")");
        }
        // Each entry takes at least a header, so a count beyond that is a lie, not a big log.
        if (count > (state.length - STATE_HEADER) / PackedLogEntry.HEADER_SIZE) {
            throw new MalformedStatusMessageException("cluster log state claims " + count + " entries in " + state.length + " bytes");
        }
        List<ClusterLogEntry> out = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            int start = b.position();
            int size = PackedLogEntry.sizeAt(b);
            out.add(PackedLogEntry.read(b));
            int next = start + padded(size);
            if (next > state.length) {
                throw new MalformedStatusMessageException("cluster log state ends inside entry " + i);
            }
            b.position(next);
        }
        if (b.hasRemaining()) {
            throw new MalformedStatusMessageException(b.remaining() + " stray bytes after the cluster log state");
        }
        return out;
    }

    private static int padded(int size) {
        return (size + 7) & ~7;
    }
}
