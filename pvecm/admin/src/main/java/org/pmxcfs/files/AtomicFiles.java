package org.pmxcfs.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces a file atomically, like {@code atomic_write_file} in {@code cfs-utils.c} and Perl's
 * {@code file_set_contents}: write a temporary file {@code <name>.<random>} next to it, set the
 * mode, rename over the target. A reader sees the old file or the new one, never a mix. Unlike the
 * original it also fsyncs the data before the rename, so a crash cannot leave an empty file behind;
 * and it does not chown (the original sets root:root, which the file already is when run as root).
 * The one way files are replaced, by the daemon and by pvecm, on local disks and in the mount.
 */
public final class AtomicFiles {

    /** Why a write failed, worded as the original's log line ({@code main} domain). */
    public static final class WriteFailure extends IOException {
        private static final long serialVersionUID = 1L;

        WriteFailure(String message) {
            super(message);
        }
    }

    private AtomicFiles() {
    }

    /**
     * @param mode the new file's permissions ({@code "rw-r--r--"}), or null to keep the default of
     *             a new file (in the mount, where pmxcfs decides the modes)
     */
    public static void write(Path target, byte[] data, String mode) throws WriteFailure {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, target.getFileName() + ".", "");
        } catch (IOException e) {
            throw new WriteFailure("Failed to create file '" + target + ".XXXXXX': " + IoErrors.reason(e));
        }
        try {
            try {
                if (mode != null) {
                    Set<PosixFilePermission> perms = PosixFilePermissions.fromString(mode);
                    Files.setPosixFilePermissions(tmp, perms);
                }
            } catch (IOException e) {
                throw new WriteFailure("Failed to change mode of file '" + tmp + "': " + IoErrors.reason(e));
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            } catch (IOException e) {
                throw new WriteFailure("Failed to write file '" + tmp + "': " + IoErrors.reason(e));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new WriteFailure("Failed to rename file from '" + tmp + "' to '" + target + "': " + IoErrors.reason(e));
            }
        } catch (WriteFailure e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // The failure being reported matters more than a stray temporary file.
            }
            throw e;
        }
    }
}
