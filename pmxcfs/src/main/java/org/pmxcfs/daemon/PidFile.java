package org.pmxcfs.daemon;

import org.pmxcfs.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The pid file, written atomically (temp file + rename, mode 0644) once the mount is ready. */
public final class PidFile {
    private PidFile() {}

    public static void write(Path file, long pid) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicFiles.write(file, (pid + "\n").getBytes(StandardCharsets.US_ASCII), "rw-r--r--");
    }

    /** The pid in {@code file}, or -1 if it is missing or unreadable. */
    public static long read(Path file) {
        try {
            return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Removes the file only if it still names {@code pid} (a newer daemon may own it). */
    public static void remove(Path file, long pid) {
        if (read(file) == pid) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // nothing left to do on the way out
            }
        }
    }
}
