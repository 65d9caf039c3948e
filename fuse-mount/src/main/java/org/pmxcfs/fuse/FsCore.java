package org.pmxcfs.fuse;

import java.util.List;
import org.pmxcfs.dbstore.FsException;

/**
 * The filesystem as FUSE sees it, free of FUSE types. Paths are absolute ("/a/b"). Every method
 * either returns its result or throws {@link FsException} with the errno to report. A change is
 * durable when its method returns: close(2) sends nothing that could still fail.
 * Implementations are called from several FUSE worker threads at once.
 */
public interface FsCore {

    FileAttr getattr(String path);

    String readlink(String path);

    /** Entry names of a directory, without "." and "..". */
    List<String> readdir(String path);

    /** Opens an existing entry; returns a handle passed to later calls on it. */
    long open(String path, int flags);

    /** Creates a regular file and opens it. */
    long create(String path, int flags);

    /** Up to {@code size} bytes at {@code offset}. */
    Slice read(String path, long fh, long offset, int size);

    /** Writes all of {@code data} at {@code offset}; returns the byte count. */
    int write(String path, long fh, long offset, byte[] data);

    void truncate(String path, long size);

    void fsync(String path, long fh);

    /** The last close of an open file; its result is ignored by the kernel. */
    void release(String path, long fh);

    void mkdir(String path);

    void unlink(String path);

    void rmdir(String path);

    void rename(String from, String to);

    /** Sets the modification time (seconds); atime is not kept. */
    void utimens(String path, long mtime);

    void chmod(String path, int mode);

    /** {@code -1} means "unchanged" for either id. */
    void chown(String path, long uid, long gid);

    FsStat statfs();

    /**
     * Changes whenever the attributes of every entry may have changed at once (the write bits
     * follow quorum); the kernel's cached attributes are dropped when it does. Every other change
     * of an entry is announced by path (see {@link FuseSession#changed(String)}).
     */
    default long attributesEpoch() {
        return 0;
    }

    /**
     * The whole content of the stored regular file at {@code path}, with its inode (as in
     * {@link FileAttr#inode()}) and version (a number that changes with every change of the
     * file), for filling the kernel's page cache; null for anything else.
     */
    default Content content(String path) {
        return null;
    }

    /** A file's bytes, the stored entry they belong to and the version they are of. */
    record Content(Slice data, long inode, long version) {}

    /** A view of bytes to copy out; never modified by the reader. */
    record Slice(byte[] array, int offset, int length) {
        public static final Slice EMPTY = new Slice(new byte[0], 0, 0);
    }
}
