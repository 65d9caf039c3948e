package org.pmxcfs.dcdb;

import java.util.Arrays;
import java.util.HexFormat;
import org.pmxcfs.dbstore.Operation;

/** A decoded dcdb message: a mutation of the tree, or a request to expire a lock. */
public sealed interface DcdbMessage {

    /** Messages 1–6 and 8: applied to the memdb by every member. */
    record Apply(Operation op) implements DcdbMessage {}

    /**
     * Message 7: the lowest node id checks its own lock table and, if the lock at {@code path}
     * still has checksum {@code digest} and is expired, multicasts UNLOCK. Changes nothing itself.
     */
    record UnlockRequest(String path, byte[] digest) implements DcdbMessage {
        public UnlockRequest {
            digest = digest.clone();
        }

        @Override
        public byte[] digest() {
            return digest.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof UnlockRequest u && u.path.equals(path) && Arrays.equals(u.digest, digest);
        }

        @Override
        public int hashCode() {
            return path.hashCode() * 31 + Arrays.hashCode(digest);
        }

        @Override
        public String toString() {
            return "UnlockRequest[path=" + path + ", digest=" + HexFormat.of().formatHex(digest) + "]";
        }
    }
}
