package org.pmxcfs.corosync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces a file atomically, like {@code atomic_write_file} in {@code cfs-utils.c}: write a
 * temporary file {@code <name>.<random>} next to it, set the mode, rename over the target. A
 * reader sees the old file or the new one, never a mix. Unlike the original it also fsyncs the
 * data before the rename, so a crash cannot leave an empty corosync.conf behind; and it does not
 * chown (the original sets root:root, which the file already is when pmxcfs runs as root).
 */
final class AtomicFileWriter {

    /** Why a write failed, worded as the original's log line ({@code main} domain). */
    static final class WriteFailure extends Exception {
        private static final long serialVersionUID = 1L;

        WriteFailure(String message) {
            super(message);
        }
    }

    private AtomicFileWriter() {
    }

    static void write(Path target, byte[] data, String mode) throws WriteFailure {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, target.getFileName() + ".", "");
        } catch (IOException e) {
            throw new WriteFailure("Failed to create file '" + target + ".XXXXXX': " + describe(e));
        }
        try {
            try {
                Set<PosixFilePermission> perms = PosixFilePermissions.fromString(mode);
                Files.setPosixFilePermissions(tmp, perms);
            } catch (IOException | UnsupportedOperationException e) {
                throw new WriteFailure("Failed to change mode of file '" + tmp + "': " + describe(e));
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            } catch (IOException e) {
                throw new WriteFailure("Failed to write file '" + tmp + "': " + describe(e));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new WriteFailure("Failed to rename file from '" + tmp + "' to '" + target + "': " + describe(e));
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

    /** An errno-like text for an I/O failure, as {@code g_strerror} would print it. */
    static String describe(Exception e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return String.valueOf(e.getMessage());
    }
}
