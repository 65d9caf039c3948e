package org.pmxcfs.fuse;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/** The libc calls behind the FUSE session and the mount table helpers, bound with jnr-ffi. */
public interface Libc {

    int O_RDWR = 2;
    int O_CLOEXEC = 02000000;
    long MS_NOSUID = 2;
    long MS_NODEV = 4;
    int MNT_DETACH = 2;

    int EPERM = 1;
    int ENOENT = 2;
    int EINTR = 4;
    int EAGAIN = 11;
    int ENODEV = 19;

    int open(String path, int flags);

    int close(int fd);

    @ssize_t long read(int fd, Pointer buf, @size_t long count);

    @ssize_t long write(int fd, Pointer buf, @size_t long count);

    int mount(String source, String target, String type, long flags, String data);

    int umount2(String target, int flags);

    int getuid();

    int getgid();

    String strerror(int errnum);

    /** The loaded library. */
    Libc C = LibraryLoader.create(Libc.class).load("c");

    /** errno of the calling thread's last call through {@link #C}. */
    static int errno() {
        return Runtime.getRuntime(C).getLastError();
    }
}
