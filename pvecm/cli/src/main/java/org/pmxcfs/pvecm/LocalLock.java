package org.pmxcfs.pvecm;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code PVE::Tools::lock_file}: an exclusive {@code flock} on a local file, waited for at most a
 * timeout ({@code can't lock file '<f>' - got timeout}), held while the body runs.
 */
public final class LocalLock {

    private LocalLock() {
    }

    public static <T> T withLock(Path file, Duration timeout, Callable<T> body) throws Exception {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            FileLock lock = null;
            while (lock == null) {
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null; // held by this process
                }
                if (lock == null) {
                    if (System.nanoTime() - deadline >= 0) {
                        throw new PvecmException("can't lock file '" + file + "' - got timeout");
                    }
                    Thread.sleep(100);
                }
            }
            try {
                return body.call();
            } finally {
                try {
                    lock.release();
                } catch (IOException ignored) {
                    // closing the channel releases it anyway
                }
            }
        }
    }
}
