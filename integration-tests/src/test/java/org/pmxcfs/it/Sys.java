package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.ffi.LibraryLoader;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.posix.FileStat;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.util.DefaultPOSIXHandler;

/**
 * Raw system calls with their errno, for checking what a caller of the mount really sees.
 * jnr-posix for the common calls (with a handler that does not turn errors into exceptions),
 * a small jnr-ffi libc binding for the xattr calls jnr-posix lacks.
 */
final class Sys {

    /** jnr-posix reports some failures (mkdir, rmdir, stat) to its handler; we only want the errno. */
    private static final class QuietHandler extends DefaultPOSIXHandler {
        @Override
        public void error(Errno error, String extraData) {
            // the caller reads errno()
        }

        @Override
        public void error(Errno error, String methodName, String extraData) {
            // the caller reads errno()
        }
    }

    /** libc calls jnr-posix does not offer. */
    public interface LibC {
        int setxattr(String path, String name, byte[] value, @size_t long size, int flags);

        @ssize_t long getxattr(String path, String name, byte[] value, @size_t long size);

        @ssize_t long listxattr(String path, byte[] list, @size_t long size);

        int removexattr(String path, String name);

        int fallocate(int fd, int mode, @off_t long offset, @off_t long len);

        /** The byte[] variants take a NUL-terminated path of any bytes (see {@link #raw}). */
        int open(byte[] path, int flags, int mode);

        int mkdir(byte[] path, int mode);

        int mknod(byte[] path, int mode, long dev);

        int rename(byte[] from, byte[] to);

        int access(byte[] path, int mode);
    }

    static final POSIX POSIX = POSIXFactory.getNativePOSIX(new QuietHandler());
    static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final jnr.ffi.Runtime LIBC_RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);

    static final int O_RDONLY = OpenFlags.O_RDONLY.intValue();
    static final int O_WRONLY = OpenFlags.O_WRONLY.intValue();
    static final int O_RDWR = OpenFlags.O_RDWR.intValue();
    static final int O_CREAT = OpenFlags.O_CREAT.intValue();
    static final int O_EXCL = OpenFlags.O_EXCL.intValue();
    static final int O_TRUNC = OpenFlags.O_TRUNC.intValue();

    private Sys() {}

    static String s(Path p) {
        return p.toString();
    }

    static String name(int errno) {
        if (errno == 0) {
            return "success";
        }
        Errno e = Errno.valueOf(errno);
        return e == null || e == Errno.__UNKNOWN_CONSTANT__ ? "errno " + errno : e.name() + " (" + errno + ")";
    }

    /** Result of a call: 0 if it succeeded, the errno otherwise. */
    private static int check(long rc) {
        return rc < 0 ? POSIX.errno() : 0;
    }

    private static int checkLibc(long rc) {
        return rc < 0 ? LIBC_RUNTIME.getLastError() : 0;
    }

    static int mkdir(Path p) {
        return check(POSIX.mkdir(s(p), 0755));
    }

    static int rmdir(Path p) {
        return check(POSIX.rmdir(s(p)));
    }

    static int unlink(Path p) {
        return check(POSIX.unlink(s(p)));
    }

    static int rename(Path from, Path to) {
        return check(POSIX.rename(s(from), s(to)));
    }

    static int truncate(Path p, long len) {
        return check(POSIX.truncate(s(p), len));
    }

    static int chmod(Path p, int mode) {
        return check(POSIX.chmod(s(p), mode));
    }

    static int chown(Path p, int uid, int gid) {
        return check(POSIX.chown(s(p), uid, gid));
    }

    static int symlink(String target, Path link) {
        return check(POSIX.symlink(target, s(link)));
    }

    static int link(Path existing, Path link) {
        return check(POSIX.link(s(existing), s(link)));
    }

    /** utimes(2) with whole seconds. */
    static int utimes(Path p, long atime, long mtime) {
        return check(POSIX.utimes(s(p), new long[] {atime, 0}, new long[] {mtime, 0}));
    }

    static int setxattr(Path p, String name, byte[] value) {
        return checkLibc(LIBC.setxattr(s(p), name, value, value.length, 0));
    }

    static int getxattr(Path p, String name) {
        byte[] buf = new byte[256];
        return checkLibc(LIBC.getxattr(s(p), name, buf, buf.length));
    }

    static int listxattr(Path p) {
        byte[] buf = new byte[1024];
        long n = LIBC.listxattr(s(p), buf, buf.length);
        return n < 0 ? LIBC_RUNTIME.getLastError() : 0;
    }

    static int removexattr(Path p, String name) {
        return checkLibc(LIBC.removexattr(s(p), name));
    }

    /** {@code dir/} followed by the raw bytes of {@code name}, NUL-terminated: paths that are not UTF-8. */
    static byte[] raw(Path dir, byte[] name) {
        byte[] d = (dir + "/").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] out = java.util.Arrays.copyOf(d, d.length + name.length + 1);
        System.arraycopy(name, 0, out, d.length, name.length);
        return out;
    }

    /** open(O_WRONLY|O_CREAT) and close of a raw path: the errno, 0 if it was created. */
    static int createRaw(byte[] path) {
        int fd = LIBC.open(path, O_WRONLY | O_CREAT, 0640);
        if (fd < 0) {
            return LIBC_RUNTIME.getLastError();
        }
        return close(fd);
    }

    static int mkdirRaw(byte[] path) {
        return checkLibc(LIBC.mkdir(path, 0755));
    }

    /** mknod of a regular file (S_IFREG). */
    static int mknodRaw(byte[] path) {
        return checkLibc(LIBC.mknod(path, 0100640, 0));
    }

    static int renameRaw(byte[] from, byte[] to) {
        return checkLibc(LIBC.rename(from, to));
    }

    /** access(F_OK): the errno of looking the path up, 0 if it exists. */
    static int lookupRaw(byte[] path) {
        return checkLibc(LIBC.access(path, 0));
    }

    /** open(2); returns the fd, or -errno. */
    static int open(Path p, int flags, int mode) {
        int fd = POSIX.open(s(p), flags, mode);
        return fd < 0 ? -POSIX.errno() : fd;
    }

    static int close(int fd) {
        return check(POSIX.close(fd));
    }

    static int fsync(int fd) {
        return check(POSIX.fsync(fd));
    }

    static int fallocate(int fd, long len) {
        return checkLibc(LIBC.fallocate(fd, 0, 0, len));
    }

    /** One write(2); returns the byte count, or -errno. */
    static long write(int fd, byte[] data, int len) {
        long n = POSIX.write(fd, data, (long) len);
        return n < 0 ? -POSIX.errno() : n;
    }

    /** One pwrite(2); returns the byte count, or -errno. */
    static long pwrite(int fd, byte[] data, int len, long offset) {
        long n = POSIX.pwrite(fd, data, (long) len, offset);
        return n < 0 ? -POSIX.errno() : n;
    }

    /** lstat, or null if it failed (see {@link #lstatErrno}). */
    static FileStat lstat(Path p) {
        FileStat st = POSIX.allocateStat();
        return POSIX.lstat(s(p), st) < 0 ? null : st;
    }

    static FileStat stat(Path p) {
        FileStat st = POSIX.allocateStat();
        return POSIX.stat(s(p), st) < 0 ? null : st;
    }

    /** The errno of lstat(p), 0 if it exists. */
    static int lstatErrno(Path p) {
        FileStat st = POSIX.allocateStat();
        return check(POSIX.lstat(s(p), st));
    }

    /**
     * Writes a whole file the way C code does: open with {@code flags}, write everything
     * (looping on short writes), close. Fails the test on any error.
     */
    static void writeFile(Path p, int flags, byte[] data) {
        int fd = open(p, flags, 0640);
        if (fd < 0) {
            fail("open(" + p + ") failed: " + name(-fd));
        }
        int off = 0;
        while (off < data.length) {
            byte[] chunk = off == 0 ? data : java.util.Arrays.copyOfRange(data, off, data.length);
            long n = write(fd, chunk, data.length - off);
            if (n <= 0) {
                close(fd);
                fail("write(" + p + ") at " + off + " failed: " + (n == 0 ? "0 bytes" : name((int) -n)));
            }
            off += (int) n;
        }
        int rc = close(fd);
        if (rc != 0) {
            fail("close(" + p + ") failed: " + name(rc));
        }
    }

    /** Asserts that a call returned the expected errno (0 = success), naming both on failure. */
    static void assertErrno(Errno expected, int actual, String what) {
        assertErrno(expected == null ? 0 : expected.intValue(), actual, what);
    }

    static void assertErrno(int expected, int actual, String what) {
        assertEquals(name(expected), name(actual), what);
    }

    /** A dead FUSE mount: ENOTCONN, or ECONNABORTED while the kernel is still aborting it. */
    static void assertDeadMount(int errno) {
        if (errno != Errno.ENOTCONN.intValue() && errno != Errno.ECONNABORTED.intValue()) {
            fail("expected ENOTCONN or ECONNABORTED from the dead mount, got " + name(errno));
        }
    }

    static void assertOk(int actual, String what) {
        assertErrno(0, actual, what);
    }
}
