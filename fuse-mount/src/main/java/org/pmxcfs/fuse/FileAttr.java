package org.pmxcfs.fuse;

/**
 * What getattr reports: {@code mode} includes the file type bits; {@code blocks} is what the
 * original reports in st_blocks (ceil(size/4096) for stored files, 0 for virtual entries).
 */
public record FileAttr(int mode, int nlink, long size, long blocks, long mtime, int uid, int gid) {

    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;
}
