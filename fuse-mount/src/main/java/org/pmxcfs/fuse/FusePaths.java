package org.pmxcfs.fuse;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.FsException;
import org.pmxcfs.dbstore.MemDb;

/**
 * Paths as the kernel passes them (bytes) to paths as the tree holds them (UTF-8 strings).
 * The tree, its database and the cluster protocol carry names as UTF-8, so a name that is not
 * valid UTF-8 is refused with EINVAL instead of being "repaired": a lenient decoder turns every
 * malformed byte into U+FFFD, and {@code x\xff.cfg} and {@code x\xfe.cfg} would be one file.
 * A component longer than {@link MemDb#MAX_NAME_BYTES} bytes is ENAMETOOLONG on every operation, lookups
 * included, as on any Linux filesystem (FUSE itself lets names of up to 1024 bytes through).
 */
public final class FusePaths {

    private FusePaths() {}

    /**
     * {@code bytes} as a string.
     *
     * @throws FsException ENAMETOOLONG if a component is longer than {@link MemDb#MAX_NAME_BYTES} bytes,
     *         EINVAL if the bytes are not valid UTF-8
     */
    static String decode(byte[] bytes) {
        boolean ascii = true;
        int component = 0;
        for (byte b : bytes) {
            component = b == '/' ? 0 : component + 1;
            if (component > MemDb.MAX_NAME_BYTES) {
                throw new FsException(Errno.ENAMETOOLONG);
            }
            ascii &= b >= 0;
        }
        if (ascii) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        try {
            // a fresh decoder reports malformed input instead of replacing it
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new FsException(Errno.EINVAL, "name is not valid UTF-8");
        }
    }
}
