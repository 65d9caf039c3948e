package org.pmxcfs.dcdb;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.WireFormatException;
import org.pmxcfs.dbstore.WireReader;

/**
 * Turns {@link Operation}s into dcdb messages and back, byte for byte as the original's
 * cfs-plug-memdb.c sends them and dcdb.c parses them (reference 3.3):
 *
 * <pre>
 * Create, Mkdir, Delete   CREATE / MKDIR / DELETE   path
 * Rename(path, to)        RENAME                    path, to
 * Write(path, off, data)  WRITE, flags 0            path, offset, data
 * Truncate(path, len)     WRITE, flags 1            path, offset = len, no data
 * SetMtime(path, mtime)   MTIME                     path, offset = mtime
 * Unlock(path, digest)    UNLOCK                    csum[32], path\0
 * (UnlockRequest)         UNLOCK_REQUEST            csum[32], path\0
 * </pre>
 *
 * Fields a type does not use are sent as 0 / absent and ignored on receipt, as the original
 * ignores them, so a message a C node applies is applied here too.
 */
public final class DcdbCodec {

    /** Length of the lock checksum in UNLOCK and UNLOCK_REQUEST. */
    public static final int DIGEST_BYTES = 32;

    private static final long U32_MAX = 0xFFFF_FFFFL;

    private DcdbCodec() {}

    /** One encoded message: the normal header's subtype and the payload after that header. */
    public record Encoded(DcdbMessageType type, byte[] payload) {
        /** The subtype code for the dfsm normal header. */
        public int subtype() {
            return type.code();
        }
    }

    /** Encodes a mutation; refused when a value does not fit its 32-bit field. */
    public static Encoded encode(Operation op) throws DcdbCodecException {
        if (op instanceof Operation.Create c) {
            return fuse(DcdbMessageType.CREATE, c.path(), null, 0, 0, new byte[0]);
        } else if (op instanceof Operation.Mkdir m) {
            return fuse(DcdbMessageType.MKDIR, m.path(), null, 0, 0, new byte[0]);
        } else if (op instanceof Operation.Delete d) {
            return fuse(DcdbMessageType.DELETE, d.path(), null, 0, 0, new byte[0]);
        } else if (op instanceof Operation.Rename r) {
            return fuse(DcdbMessageType.RENAME, r.path(), r.to(), 0, 0, new byte[0]);
        } else if (op instanceof Operation.Write w) {
            return fuse(DcdbMessageType.WRITE, w.path(), null, u32(w.offset(), "write offset"), 0, w.data());
        } else if (op instanceof Operation.Truncate t) {
            return fuse(DcdbMessageType.WRITE, t.path(), null, u32(t.length(), "truncate length"), 1, new byte[0]);
        } else if (op instanceof Operation.SetMtime s) {
            return fuse(DcdbMessageType.MTIME, s.path(), null, u32(s.mtime(), "mtime"), 0, new byte[0]);
        } else if (op instanceof Operation.Unlock u) {
            return new Encoded(DcdbMessageType.UNLOCK, unlock(u.path(), u.digest()));
        }
        throw new DcdbCodecException("no dcdb message for " + op);
    }

    /** Encodes an UNLOCK_REQUEST for the lock at {@code path} whose checksum is {@code digest}. */
    public static Encoded encodeUnlockRequest(String path, byte[] digest) throws DcdbCodecException {
        return new Encoded(DcdbMessageType.UNLOCK_REQUEST, unlock(path, digest));
    }

    /** Decodes the payload of a normal message with {@code subtype}. */
    public static DcdbMessage decode(int subtype, byte[] payload) throws DcdbCodecException {
        DcdbMessageType type = DcdbMessageType.of(subtype);
        if (type == null) {
            throw new DcdbCodecException("unknown dcdb message type " + subtype);
        }
        String what = "dcdb " + type + " message";
        try {
            return switch (type) {
                case UNLOCK_REQUEST -> {
                    Unlock u = parseUnlock(payload, what);
                    yield new DcdbMessage.UnlockRequest(u.path(), u.digest());
                }
                case UNLOCK -> {
                    Unlock u = parseUnlock(payload, what);
                    yield new DcdbMessage.Apply(new Operation.Unlock(u.path(), u.digest()));
                }
                default -> new DcdbMessage.Apply(operation(type, FuseMessage.decode(payload, what), what));
            };
        } catch (WireFormatException e) {
            throw new DcdbCodecException(e.getMessage());
        }
    }

    private static Operation operation(DcdbMessageType type, FuseMessage m, String what) throws DcdbCodecException {
        if (m.path() == null) {
            // the original would answer EINVAL (and crash for a RENAME); no sender omits it
            throw new DcdbCodecException("malformed " + what + ": no path");
        }
        return switch (type) {
            case CREATE -> new Operation.Create(m.path());
            case MKDIR -> new Operation.Mkdir(m.path());
            case DELETE -> new Operation.Delete(m.path());
            case MTIME -> new Operation.SetMtime(m.path(), m.offset());
            case RENAME -> {
                if (m.to() == null) {
                    throw new DcdbCodecException("malformed " + what + ": no target path");
                }
                yield new Operation.Rename(m.path(), m.to());
            }
            case WRITE -> {
                if (m.flags() == 0) {
                    yield new Operation.Write(m.path(), m.offset(), m.data());
                }
                if (m.data().length != 0) {
                    // the original would write and then cut the file after the data; its
                    // truncate sends no data, so nothing produces this and Operation has no form for it
                    throw new DcdbCodecException("malformed " + what + ": truncate flag with " + m.data().length
                            + " bytes of data");
                }
                yield new Operation.Truncate(m.path(), m.offset());
            }
            default -> throw new IllegalStateException("not a fuse message type: " + type);
        };
    }

    private static Encoded fuse(DcdbMessageType type, String path, String to, long offset, long flags, byte[] data)
            throws DcdbCodecException {
        noNul(path);
        if (to != null) {
            noNul(to);
        }
        return new Encoded(type, new FuseMessage(offset, flags, path, to, data).encode());
    }

    /** A path travels NUL-terminated, so it cannot contain one (no kernel path does). */
    private static void noNul(String path) throws DcdbCodecException {
        if (path.indexOf('\0') >= 0) {
            throw new DcdbCodecException("path '" + path.replace('\0', '?') + "' contains a NUL character");
        }
    }

    private static long u32(long value, String field) throws DcdbCodecException {
        if (value < 0 || value > U32_MAX) {
            throw new DcdbCodecException(field + " " + value + " does not fit the 32-bit wire field");
        }
        return value;
    }

    private record Unlock(String path, byte[] digest) {}

    private static byte[] unlock(String path, byte[] digest) throws DcdbCodecException {
        if (digest.length != DIGEST_BYTES) {
            throw new DcdbCodecException("lock checksum must be " + DIGEST_BYTES + " bytes, not " + digest.length);
        }
        noNul(path);
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(DIGEST_BYTES + p.length + 1).put(digest).put(p).put((byte) 0).array();
    }

    /** Refused, as by the original: fewer than 33 bytes, a path without its NUL. */
    private static Unlock parseUnlock(byte[] payload, String what) throws WireFormatException {
        WireReader r = new WireReader(payload, what);
        if (payload.length < DIGEST_BYTES + 1) {
            throw r.error("length " + payload.length + " is shorter than " + (DIGEST_BYTES + 1) + " bytes");
        }
        byte[] digest = r.bytes(DIGEST_BYTES, "checksum");
        String path = r.cString(r.remaining(), "path");
        return new Unlock(path, digest);
    }
}
