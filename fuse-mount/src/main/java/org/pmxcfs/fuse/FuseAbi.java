package org.pmxcfs.fuse;

/**
 * The parts of the kernel's FUSE protocol (linux/fuse.h, protocol 7.31 and later) this
 * filesystem speaks: opcodes, flags and the sizes and field offsets of the structs. All fields
 * are little-endian on the machines we run on (the kernel uses host order).
 */
final class FuseAbi {

    private FuseAbi() {}

    static final int KERNEL_VERSION = 7;
    /** Newest minor version whose structs this code knows; the kernel may speak a newer one. */
    static final int MAX_MINOR = 38;
    /** Oldest minor version with everything used here (FOPEN_NOFLUSH is 7.31). */
    static final int MIN_MINOR = 31;

    // opcodes
    static final int LOOKUP = 1;
    static final int FORGET = 2;
    static final int GETATTR = 3;
    static final int SETATTR = 4;
    static final int READLINK = 5;
    static final int MKNOD = 8;
    static final int MKDIR = 9;
    static final int UNLINK = 10;
    static final int RMDIR = 11;
    static final int RENAME = 12;
    static final int OPEN = 14;
    static final int READ = 15;
    static final int WRITE = 16;
    static final int STATFS = 17;
    static final int RELEASE = 18;
    static final int FSYNC = 20;
    static final int FLUSH = 25;
    static final int INIT = 26;
    static final int OPENDIR = 27;
    static final int READDIR = 28;
    static final int RELEASEDIR = 29;
    static final int ACCESS = 34;
    static final int CREATE = 35;
    static final int INTERRUPT = 36;
    static final int DESTROY = 38;
    static final int BATCH_FORGET = 42;

    // notifications (the error field of an unsolicited message)
    static final int NOTIFY_INVAL_INODE = 2;
    static final int NOTIFY_INVAL_ENTRY = 3;
    static final int NOTIFY_STORE = 4;

    // fuse_init_out.flags
    static final int ASYNC_READ = 1;
    static final int BIG_WRITES = 1 << 5;
    static final int AUTO_INVAL_DATA = 1 << 12;
    static final int PARALLEL_DIROPS = 1 << 18;
    static final int MAX_PAGES = 1 << 22;
    static final int CACHE_SYMLINKS = 1 << 23;

    // fuse_open_out.open_flags
    static final int FOPEN_DIRECT_IO = 1;
    static final int FOPEN_KEEP_CACHE = 1 << 1;
    static final int FOPEN_NOFLUSH = 1 << 5;

    // fuse_setattr_in.valid
    static final int FATTR_MODE = 1;
    static final int FATTR_UID = 1 << 1;
    static final int FATTR_GID = 1 << 2;
    static final int FATTR_SIZE = 1 << 3;
    static final int FATTR_ATIME = 1 << 4;
    static final int FATTR_MTIME = 1 << 5;
    static final int FATTR_ATIME_NOW = 1 << 7;
    static final int FATTR_MTIME_NOW = 1 << 8;

    static final int IN_HEADER = 40;
    static final int OUT_HEADER = 16;
    static final int ATTR = 88;
    static final int ENTRY_OUT = 40 + ATTR;
    static final int ATTR_OUT = 16 + ATTR;
    static final int OPEN_OUT = 16;
    static final int INIT_OUT = 64;
    static final int KSTATFS = 80;
    static final int DIRENT_HEADER = 24;
    /** fuse_read_in and fuse_write_in. */
    static final int IO_IN = 40;
    static final int CREATE_IN = 16;
    static final int MKDIR_IN = 8;
    static final int MKNOD_IN = 16;
    static final int RENAME_IN = 8;
    static final int SETATTR_IN = 88;
    static final int FORGET_ONE = 16;
    /** What the kernel demands of a read buffer beyond max_write (header and fuse_write_in, rounded up). */
    static final int READ_BUFFER_EXTRA = 4096;

    /** Reported as d_ino in directory entries: libfuse's "unknown", the kernel looks the entry up. */
    static final long UNKNOWN_INO = 0xffffffffL;
}
