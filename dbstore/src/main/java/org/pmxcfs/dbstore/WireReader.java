package org.pmxcfs.dbstore;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked little-endian cursor over a received message, shared by every decoder of the
 * cluster wire formats (the original's are C structs in host order, little-endian on every
 * supported platform). Every read past the end, and every malformed string, is a
 * {@link WireFormatException} naming the field, never an unchecked exception.
 */
public final class WireReader {

    private final ByteBuffer buf;
    private final String what;

    /** Reads {@code bytes}; {@code what} names the message in error texts. */
    public WireReader(byte[] bytes, String what) {
        this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.what = what;
    }

    /** A reader of a message that starts with a fixed header of {@code headerBytes}; shorter is refused. */
    public static WireReader withHeader(byte[] bytes, String what, int headerBytes) throws WireFormatException {
        WireReader r = new WireReader(bytes, what);
        if (bytes.length < headerBytes) {
            throw r.error("length " + bytes.length + " is shorter than the " + headerBytes + "-byte header");
        }
        return r;
    }

    public int remaining() {
        return buf.remaining();
    }

    public int u8(String field) throws WireFormatException {
        need(1, field);
        return buf.get() & 0xFF;
    }

    /** An unsigned 32-bit field, as a non-negative long. */
    public long u32(String field) throws WireFormatException {
        need(4, field);
        return Integer.toUnsignedLong(buf.getInt());
    }

    /** A 32-bit field kept as its bit pattern (node ids). */
    public int i32(String field) throws WireFormatException {
        need(4, field);
        return buf.getInt();
    }

    /** A 64-bit field as its bit pattern (inode and version numbers never reach the sign bit). */
    public long u64(String field) throws WireFormatException {
        need(8, field);
        return buf.getLong();
    }

    public byte[] bytes(long n, String field) throws WireFormatException {
        need(n, field);
        byte[] out = new byte[(int) n];
        buf.get(out);
        return out;
    }

    /**
     * A string of {@code len} bytes including its terminating NUL: UTF-8, NUL only at the end.
     * The original would silently cut at an inner NUL; no sender produces one, so it is refused.
     */
    public String cString(long len, String field) throws WireFormatException {
        if (len < 1) {
            throw error(field + " has length 0 (the terminating NUL is counted)");
        }
        byte[] raw = bytes(len, field);
        if (raw[raw.length - 1] != 0) {
            throw error(field + " is not NUL-terminated");
        }
        for (int i = 0; i < raw.length - 1; i++) {
            if (raw[i] == 0) {
                throw error(field + " contains a NUL byte at position " + i);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw, 0, raw.length - 1))
                    .toString();
        } catch (CharacterCodingException e) {
            throw error(field + " is not valid UTF-8");
        }
    }

    /** Fails unless every byte was consumed. */
    public void end() throws WireFormatException {
        if (buf.hasRemaining()) {
            throw error(buf.remaining() + " unexpected trailing bytes");
        }
    }

    /** An error about this message. */
    public WireFormatException error(String detail) {
        return new WireFormatException("malformed " + what + ": " + detail);
    }

    private void need(long n, String field) throws WireFormatException {
        if (n < 0 || n > buf.remaining()) {
            throw error(field + " needs " + n + " bytes, only " + buf.remaining() + " left");
        }
    }
}
