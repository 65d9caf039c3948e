package org.pmxcfs.dbstore;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * An append-only file of frames, the durable point of a {@link LoggedStore} commit: one
 * {@code write(2)} per frame, so a frame is in the kernel's page cache (and survives a crash of
 * the process) when {@link #append} returns, as a SQLite commit with synchronous=NORMAL is. A
 * {@link RandomAccessFile}, not a {@code FileChannel}: a channel is closed for every thread when
 * one thread is interrupted in the middle of a write (a start-up step that SIGTERM interrupts, a
 * JGroups thread), and the log must outlive that.
 *
 * <p>Layout: the magic {@code PMXCFS-COMMITLOG-1\n}, then frames of {@code u32 length, u32 CRC32C
 * of the payload, payload}, little-endian. The first frame is the base: the version row of the
 * database the log's records apply to (empty: a database without one). A crash or a power loss
 * can leave the last frame cut short or unwritten; {@link #read} stops at the first frame that is
 * incomplete or fails its checksum and says so.
 */
final class CommitLog implements AutoCloseable {

    static final byte[] MAGIC = "PMXCFS-COMMITLOG-1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int FRAME_HEADER = 8;
    /** Larger than any record the memdb's caps allow (30 MiB of files); a length above it is damage. */
    private static final int MAX_FRAME = 256 << 20;
    /** The largest frame buffer kept for the next append: a 1 MiB file and its record fit. */
    private static final int KEPT_BUFFER = 2 << 20;

    /** What {@link #read} found: the base frame, the record frames in order, and how the file ended. */
    record Contents(byte[] base, List<byte[]> frames, long validBytes, String damage) {
        static final Contents NONE = new Contents(null, List.of(), 0, null);

        boolean exists() {
            return base != null;
        }
    }

    private final Path file;
    private final RandomAccessFile out;
    private long size;
    private ByteBuffer buffer = ByteBuffer.allocate(4096);

    private CommitLog(Path file, RandomAccessFile out) {
        this.file = file;
        this.out = out;
    }

    /** Every intact frame of {@code file}; {@link Contents#NONE} if there is no file or no base frame. */
    static Contents read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Contents.NONE;
        }
        byte[] bytes;
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            bytes = in.readAllBytes();
        }
        if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return new Contents(null, List.of(), 0, bytes.length == 0 ? null : "it does not start with the commit log's magic");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.position(MAGIC.length);
        List<byte[]> frames = new ArrayList<>();
        String damage = null;
        while (b.hasRemaining()) {
            long at = b.position();
            if (b.remaining() < FRAME_HEADER) {
                damage = "the frame at byte " + at + " is cut short";
                break;
            }
            int length = b.getInt();
            int crc = b.getInt();
            if (length < 0 || length > MAX_FRAME || length > b.remaining()) {
                damage = "the frame at byte " + at + " is cut short or has a bad length (" + Integer.toUnsignedString(length) + ")";
                break;
            }
            byte[] payload = new byte[length];
            b.get(payload);
            if (crc(payload) != crc) {
                damage = "the frame at byte " + at + " fails its checksum";
                break;
            }
            frames.add(payload);
        }
        if (frames.isEmpty()) {
            return new Contents(null, List.of(), 0, damage);
        }
        long valid = MAGIC.length;
        for (byte[] f : frames) {
            valid += FRAME_HEADER + f.length;
        }
        return new Contents(frames.get(0), List.copyOf(frames.subList(1, frames.size())), valid, damage);
    }

    /**
     * A new log at {@code file} with {@code base} as its base frame and {@code frames} after it
     * (mode 0600: it holds files of the tree). Written completely under a temporary name first and
     * renamed over {@code file}, so a crash leaves either the old log or the new one, never a mix.
     */
    static CommitLog create(Path file, byte[] base, List<byte[]> frames) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        RandomAccessFile raf = new RandomAccessFile(tmp.toFile(), "rw");
        try {
            CommitLog log = new CommitLog(file, raf);
            log.write(MAGIC, MAGIC.length);
            log.append(base);
            for (byte[] f : frames) {
                log.append(f);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return log;
        } catch (IOException | RuntimeException e) {
            raf.close();
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Appends one frame with one write; on a failure the file is cut back to what it held before. */
    void append(byte[] payload) throws IOException {
        append(payload.length, b -> b.put(payload));
    }

    /**
     * Appends one frame whose payload of {@code length} bytes {@code payload} puts into the buffer
     * it is given, in place: the frame is built in a buffer kept for the next one (up to
     * {@link #KEPT_BUFFER} bytes), so a large record is not copied once more. Not thread-safe.
     */
    void append(int length, Consumer<ByteBuffer> payload) throws IOException {
        if (length < 0 || length > MAX_FRAME) {
            throw new IOException("a commit record of " + length + " bytes does not fit a frame");
        }
        int total = FRAME_HEADER + length;
        ByteBuffer b = buffer.capacity() >= total ? buffer.clear() : ByteBuffer.allocate(total);
        b.order(ByteOrder.LITTLE_ENDIAN).position(FRAME_HEADER);
        payload.accept(b);
        if (b.position() != total) {
            throw new IllegalStateException("commit record of " + (b.position() - FRAME_HEADER) + " bytes, "
                    + length + " announced");
        }
        CRC32C c = new CRC32C();
        c.update(b.array(), FRAME_HEADER, length);
        b.putInt(0, length).putInt(4, (int) c.getValue());
        write(b.array(), total);
        if (b != buffer && total <= KEPT_BUFFER) {
            buffer = b;
        }
    }

    long size() {
        return size;
    }

    Path file() {
        return file;
    }

    private void write(byte[] bytes, int length) throws IOException {
        try {
            out.write(bytes, 0, length);
            size += length;
        } catch (IOException e) {
            try {
                out.setLength(size);
                out.seek(size);
            } catch (IOException ignored) {
                // read() stops at the cut frame anyway; the write's error is what the caller reports
            }
            throw e;
        }
    }

    private static int crc(byte[] payload) {
        CRC32C c = new CRC32C();
        c.update(payload);
        return (int) c.getValue();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
