package org.pmxcfs.dbstore;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The dcdb UPDATE payload: one entry sent by the sync leader (the original's
 * dcdb_send_update_inode / dcdb_parse_update_inode). Layout, little-endian: {@code u64 parent,
 * u64 inode, u64 version, u32 writer, u32 mtime, u32 size, u32 namelen (NUL included), u8 type,
 * name\0, data[size]}; data only for files. The root travels with name "" and type 4.
 *
 * <p>One UPDATE message may carry several of these back to back ({@link #decodeAll}): each
 * record's header gives its length, so a message with one record is the original's payload.
 * Sending a sync's entries in batches instead of one message each saves most of the per-message
 * cost of a large state transfer (a join of 10,000 files).
 */
public final class InodeUpdate {

    /** Bytes before the name. */
    public static final int FIXED_BYTES = 8 + 8 + 8 + 4 + 4 + 4 + 4 + 1;

    private InodeUpdate() {}

    public static byte[] encode(TreeEntry e) {
        boolean root = e.inode() == 0;
        byte[] name = (root ? "" : e.name()).getBytes(StandardCharsets.UTF_8);
        int type = root ? TreeEntry.TYPE_DIR : e.type();
        int size = type == TreeEntry.TYPE_FILE ? e.size() : 0;
        ByteBuffer b = ByteBuffer.allocate(FIXED_BYTES + name.length + 1 + size).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(e.parent()).putLong(e.inode()).putLong(e.version()).putInt(e.writer()).putInt((int) e.mtime())
                .putInt(size).putInt(name.length + 1).put((byte) type).put(name).put((byte) 0);
        if (size > 0) {
            b.put(e.data());
        }
        return b.array();
    }

    /** Bytes of one encoded record, from its header at {@code offset}; -1 if the header is cut short. */
    private static long recordLength(byte[] bytes, int offset) {
        if (bytes.length - offset < FIXED_BYTES) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, FIXED_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long size = Integer.toUnsignedLong(b.getInt(offset + 32));
        long namelen = Integer.toUnsignedLong(b.getInt(offset + 36));
        return FIXED_BYTES + namelen + size;
    }

    /**
     * Decodes an UPDATE payload of one or more records, each checked as by {@link #decode};
     * refused if the last one is cut short or anything follows it.
     */
    public static java.util.List<TreeEntry> decodeAll(byte[] bytes) throws WireFormatException {
        java.util.List<TreeEntry> out = new java.util.ArrayList<>();
        int offset = 0;
        do {
            long len = recordLength(bytes, offset);
            if (len < 0 || len > bytes.length - offset) {
                if (out.isEmpty()) {
                    return java.util.List.of(decode(bytes)); // the single-record refusal, with its reason
                }
                throw new WireFormatException("inode update: record " + (out.size() + 1) + " at byte " + offset
                        + " is cut short (" + (bytes.length - offset) + " bytes left)");
            }
            out.add(decode(java.util.Arrays.copyOfRange(bytes, offset, offset + (int) len)));
            offset += (int) len;
        } while (offset < bytes.length);
        return out;
    }

    /**
     * Decodes one UPDATE. Refused, as by the original: a type other than 4 or 8, a length other
     * than header + namelen + size, a name without its NUL. Refused in addition, because no
     * sender produces them and the entry could not be stored faithfully: a short header, a name
     * with an inner NUL or invalid UTF-8, a directory with a non-zero size.
     */
    public static TreeEntry decode(byte[] bytes) throws WireFormatException {
        WireReader r = WireReader.withHeader(bytes, "inode update", FIXED_BYTES);
        long parent = r.u64("parent");
        long inode = r.u64("inode");
        long version = r.u64("version");
        int writer = r.i32("writer");
        long mtime = r.u32("mtime");
        long size = r.u32("size");
        long namelen = r.u32("namelen");
        int type = r.u8("type");
        if (type != TreeEntry.TYPE_DIR && type != TreeEntry.TYPE_FILE) {
            throw r.error("unknown inode type " + type);
        }
        if (r.remaining() != namelen + size) {
            throw r.error("namelen " + namelen + " + size " + size + " but " + r.remaining() + " bytes follow the header");
        }
        if (type == TreeEntry.TYPE_DIR && size != 0) {
            throw r.error("directory inode " + Long.toUnsignedString(inode) + " with size " + size);
        }
        String name = r.cString(namelen, "name");
        byte[] data = r.bytes(size, "data");
        r.end();
        return new TreeEntry(inode, parent, version, writer, mtime, type, name, data);
    }
}
