package org.pmxcfs.fuse;

/** What getattr reports: {@code mode} includes the file type bits. */
public record FileAttr(int mode, int nlink, long size, long mtime, int uid, int gid) {

    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;

    /** Blocks in 4 KiB units, as the original reports them. */
    public long blocks() {
        return (size + 4095) / 4096;
    }
}
