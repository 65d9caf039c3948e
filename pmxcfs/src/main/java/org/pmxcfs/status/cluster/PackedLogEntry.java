package org.pmxcfs.status.cluster;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.pmxcfs.status.ClusterLogEntry;

/**
 * One cluster log entry in the original's packed layout ({@code clog_entry_t}, reference 3.9),
 * little-endian:
 * <pre>
 *  0 u32 prev        4 u32 next        8 u32 uid         12 u32 time
 * 16 u64 node_digest                  24 u64 ident_digest
 * 32 u32 pid        36 u8 priority, u8 node_len, u8 ident_len, u8 tag_len
 * 40 u32 msg_len    44 node\0 ident\0 tag\0 msg\0
 * </pre>
 * The size is {@code sizeof(clog_entry_t)} (48, the struct padded to 8 bytes) plus the four
 * string lengths, so 4 zero bytes follow the message. {@code prev}/{@code next} are ring buffer
 * links, meaningless outside a buffer: written as 0, ignored when read. The digests are
 * 64-bit FNV-1a of node and ident including the NUL; the receiver recomputes what it needs, so
 * they are written but not checked.
 */
final class PackedLogEntry {

    /** {@code sizeof(clog_entry_t)}. */
    static final int HEADER_SIZE = 48;
    private static final int DATA_OFFSET = 44;
    /** A name with its NUL must fit the u8 length field. */
    private static final int MAX_NAME_LEN = 255;

    private static final long FNV1A_64_INIT = 0xcbf29ce484222325L;
    private static final long FNV1A_64_PRIME = 0x100000001b3L;

    private PackedLogEntry() {}

    /**
     * Packs {@code e}. Entries made by {@code ClusterLog} always fit; an entry whose node, ident
     * or tag exceeds 254 UTF-8 bytes cannot be packed.
     *
     * @throws IllegalArgumentException if a name is too long for its u8 length field
     */
    static byte[] pack(ClusterLogEntry e) {
        byte[] node = cString(e.node(), "node");
        byte[] ident = cString(e.user(), "ident");
        byte[] tag = cString(e.tag(), "tag");
        byte[] msg = (e.msg() + "\0").getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE + node.length + ident.length + tag.length + msg.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0).putInt(0);
        b.putInt((int) e.uid()).putInt((int) e.time());
        b.putLong(fnv1a(node)).putLong(fnv1a(ident));
        b.putInt((int) e.pid());
        b.put((byte) e.pri()).put((byte) node.length).put((byte) ident.length).put((byte) tag.length);
        b.putInt(msg.length);
        b.put(node).put(ident).put(tag).put(msg);
        return b.array();
    }

    /** The packed size of the entry starting at {@code b}'s position, read from its length fields. */
    static int sizeAt(ByteBuffer b) throws MalformedStatusMessageException {
        if (b.remaining() < HEADER_SIZE) {
            throw new MalformedStatusMessageException("short log entry (" + b.remaining() + " < " + HEADER_SIZE + ")");
        }
        int p = b.position();
        long size = (long) HEADER_SIZE + (b.get(p + 37) & 0xff) + (b.get(p + 38) & 0xff) + (b.get(p + 39) & 0xff)
                + Integer.toUnsignedLong(b.getInt(p + 40));
        if (size > b.remaining()) {
            throw new MalformedStatusMessageException("log entry of " + size + " bytes, only " + b.remaining() + " left");
        }
        return (int) size;
    }

    /** Unpacks an entry that is exactly {@code bytes}, as {@code kvstore_parse_log_message} checks it. */
    static ClusterLogEntry unpack(byte[] bytes) throws MalformedStatusMessageException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int size = sizeAt(b);
        if (size != bytes.length) {
            throw new MalformedStatusMessageException("log message with wrong size (" + bytes.length + " != " + size + ")");
        }
        return read(b);
    }

    /** Reads the entry at {@code b}'s position (whose size {@link #sizeAt} checked) and advances past it. */
    static ClusterLogEntry read(ByteBuffer b) throws MalformedStatusMessageException {
        int start = b.position();
        int size = sizeAt(b);
        long uid = Integer.toUnsignedLong(b.getInt(start + 8));
        long time = Integer.toUnsignedLong(b.getInt(start + 12));
        long pid = Integer.toUnsignedLong(b.getInt(start + 32));
        int pri = b.get(start + 36) & 0xff;
        if (pri > 7) {
            throw new MalformedStatusMessageException("log entry with priority " + pri);
        }
        int pos = start + DATA_OFFSET;
        String node = string(b, pos, b.get(start + 37) & 0xff, "node");
        pos += b.get(start + 37) & 0xff;
        String ident = string(b, pos, b.get(start + 38) & 0xff, "ident");
        pos += b.get(start + 38) & 0xff;
        String tag = string(b, pos, b.get(start + 39) & 0xff, "tag");
        pos += b.get(start + 39) & 0xff;
        String msg = string(b, pos, b.getInt(start + 40), "msg");
        b.position(start + size);
        return new ClusterLogEntry(uid, time, pri, tag, pid, node, ident, msg);
    }

    /** A NUL-terminated string of {@code len} bytes (NUL included); text ends at the first NUL, as in C. */
    private static String string(ByteBuffer b, int pos, int len, String what) throws MalformedStatusMessageException {
        if (len < 1 || b.get(pos + len - 1) != 0) {
            throw new MalformedStatusMessageException("unterminated " + what + " string in log message");
        }
        int end = pos;
        while (b.get(end) != 0) {
            end++;
        }
        byte[] s = new byte[end - pos];
        b.get(pos, s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static byte[] cString(String s, String what) {
        byte[] bytes = (s + "\0").getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_NAME_LEN) {
            throw new IllegalArgumentException(what + " of " + (bytes.length - 1) + " bytes does not fit a log entry");
        }
        return bytes;
    }

    /** 64-bit FNV-1a over {@code bytes} (the string and its NUL), as the original's digests. */
    static long fnv1a(byte[] bytes) {
        long h = FNV1A_64_INIT;
        for (byte x : bytes) {
            h ^= x & 0xff;
            h *= FNV1A_64_PRIME;
        }
        return h;
    }
}
