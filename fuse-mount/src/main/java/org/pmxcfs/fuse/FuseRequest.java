package org.pmxcfs.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One request as the kernel wrote it to /dev/fuse: the fixed header, then the opcode's struct,
 * then (for some opcodes) NUL-terminated names or the data of a write. A view on a buffer that
 * the reading thread reuses for its next request; nothing here outlives the request.
 */
final class FuseRequest {

    private final ByteBuffer buf;
    private int length;

    FuseRequest(ByteBuffer buf) {
        this.buf = buf.order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Takes the {@code length} bytes just read into the buffer as the current request. */
    FuseRequest reset(int length) {
        if (length < FuseAbi.IN_HEADER) {
            throw new IllegalArgumentException("short FUSE request: " + length + " bytes");
        }
        this.length = length;
        return this;
    }

    int length() {
        return length;
    }

    int opcode() {
        return buf.getInt(4);
    }

    long unique() {
        return buf.getLong(8);
    }

    long nodeId() {
        return buf.getLong(16);
    }

    /** The caller's filesystem uid (fsuid), as the kernel sends it; 0 is root. */
    int uid() {
        return buf.getInt(24);
    }

    /** The caller's filesystem gid (fsgid). */
    int gid() {
        return buf.getInt(28);
    }

    /** The calling thread's id in the daemon's pid namespace; 0 if it has none there. */
    int pid() {
        return buf.getInt(32);
    }

    /** Who sent the request. */
    Caller caller() {
        return new Caller(uid(), gid(), pid());
    }

    /** The offset of the opcode's struct. */
    static int body() {
        return FuseAbi.IN_HEADER;
    }

    int u32(int offset) {
        check(offset, 4);
        return buf.getInt(offset);
    }

    long u64(int offset) {
        check(offset, 8);
        return buf.getLong(offset);
    }

    /** {@code n} bytes at {@code offset}, copied. */
    byte[] bytes(int offset, int n) {
        check(offset, n);
        byte[] out = new byte[n];
        buf.get(offset, out, 0, n);
        return out;
    }

    /** The NUL-terminated string at {@code offset}, without its NUL. */
    byte[] name(int offset) {
        for (int i = offset; i < length; i++) {
            if (buf.get(i) == 0) {
                return bytes(offset, i - offset);
            }
        }
        throw new IllegalArgumentException("unterminated name in FUSE request " + opcode());
    }

    private void check(int offset, int n) {
        if (offset < 0 || n < 0 || offset + n > length) {
            throw new IllegalArgumentException("FUSE request " + opcode() + " of " + length + " bytes has no "
                    + n + " bytes at " + offset);
        }
    }
}
