package org.pmxcfs.dcdb;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.pmxcfs.dbstore.WireFormatException;
import org.pmxcfs.dbstore.WireReader;

/**
 * The payload of dcdb messages 1–6 (dcdb_send_fuse_message / dcdb_parse_fuse_message):
 * {@code u32 size, u32 offset, u32 pathlen, u32 tolen, u32 flags, path\0, to\0, data[size]},
 * little-endian; lengths count the NUL, length 0 means absent (null here).
 *
 * @param offset unsigned 32 bits
 * @param flags unsigned 32 bits
 */
record FuseMessage(long offset, long flags, String path, String to, byte[] data) {

    static final int HEADER_BYTES = 20;

    byte[] encode() {
        byte[] p = cString(path);
        byte[] t = cString(to);
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + p.length + t.length + data.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(data.length).putInt((int) offset).putInt(p.length).putInt(t.length).putInt((int) flags)
                .put(p).put(t).put(data);
        return b.array();
    }

    private static byte[] cString(String s) {
        if (s == null) {
            return new byte[0];
        }
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[raw.length + 1];
        System.arraycopy(raw, 0, out, 0, raw.length);
        return out;
    }

    /**
     * Refused, as by the original: fewer than 20 bytes, a total other than 20 + pathlen + tolen +
     * size, a string without its NUL. Refused in addition: a string with an inner NUL or invalid
     * UTF-8 (the original would cut it at the NUL; no sender produces either).
     */
    static FuseMessage decode(byte[] bytes, String what) throws WireFormatException {
        WireReader r = WireReader.withHeader(bytes, what, HEADER_BYTES);
        long size = r.u32("size");
        long offset = r.u32("offset");
        long pathlen = r.u32("pathlen");
        long tolen = r.u32("tolen");
        long flags = r.u32("flags");
        // in 64 bits: the original's 32-bit sum could wrap around and match
        if (r.remaining() != size + pathlen + tolen) {
            throw r.error("size " + size + " + pathlen " + pathlen + " + tolen " + tolen + " but " + r.remaining()
                    + " bytes follow the header");
        }
        String path = pathlen == 0 ? null : r.cString(pathlen, "path");
        String to = tolen == 0 ? null : r.cString(tolen, "to");
        byte[] data = r.bytes(size, "data");
        r.end();
        return new FuseMessage(offset, flags, path, to, data);
    }
}
