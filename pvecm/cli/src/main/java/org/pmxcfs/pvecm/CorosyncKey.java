package org.pmxcfs.pvecm;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;

/**
 * The corosync authkey, made the way {@code corosync-keygen -l -k <file>} makes it (so pvecm
 * needs no corosync): 256 random bytes, mode 0400, with corosync-keygen's three lines of output.
 */
public final class CorosyncKey {

    /** Length of the key in bytes (2048 bits). */
    public static final int KEY_BYTES = 256;

    private static final SecureRandom RANDOM = new SecureRandom();

    private CorosyncKey() {
    }

    /**
     * Writes a new key to {@code file}, which must not exist, creating missing parent
     * directories; prints what corosync-keygen prints.
     *
     * @throws java.nio.file.FileAlreadyExistsException if the file exists
     */
    public static void generate(Path file, PrintStream out) throws IOException {
        out.print("Corosync Cluster Engine Authentication key generator.\n");
        out.print("Gathering " + KEY_BYTES * 8 + " bits for key from /dev/urandom.\n");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        out.print("Writing corosync key to " + file + ".\n");
        out.flush();
        try (SeekableByteChannel ch = Files.newByteChannel(file,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r--------")))) {
            ByteBuffer b = ByteBuffer.wrap(key);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }
}
