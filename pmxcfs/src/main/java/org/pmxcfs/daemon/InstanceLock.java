package org.pmxcfs.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pmxcfs per data directory: an exclusive lock on {@code .pmxcfs.lockfile}, held for the
 * life of the process (the kernel drops it when the process dies, however it dies).
 */
public final class InstanceLock implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("main");

    private final FileChannel channel;
    private final FileLock lock;

    private InstanceLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Tries {@code attempts} times, one second apart, as the original. */
    public static InstanceLock acquire(Path dataDir, int attempts) throws IOException, InterruptedException {
        Path file = dataDir.resolve(".pmxcfs.lockfile");
        FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        for (int i = 0; i < attempts; i++) {
            FileLock l = ch.tryLock();
            if (l != null) {
                ch.truncate(0);
                ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
                return new InstanceLock(ch, l);
            }
            if (i == 0) {
                log.error("unable to acquire pmxcfs lock - trying again");
            }
            if (i + 1 < attempts) {
                Thread.sleep(1000);
            }
        }
        ByteBuffer buf = ByteBuffer.allocate(32);
        ch.read(buf, 0);
        String holder = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
        ch.close();
        throw new IOException("unable to acquire pmxcfs lock: another pmxcfs" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                + " is using data directory '" + dataDir + "' - stop it first, or use another --data-dir");
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
