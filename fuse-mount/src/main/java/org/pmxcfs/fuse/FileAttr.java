package org.pmxcfs.fuse;

/**
 * What getattr reports: {@code mode} includes the file type bits; {@code blocks} is what the
 * original reports in st_blocks (ceil(size/4096) for stored files, 0 for virtual entries).
 * {@code dynamic}: the entry's content and size change without a change notice (status files),
 * so the kernel must neither cache its attributes nor its data. {@code inode}: the stored entry
 * behind it (a rename keeps it), {@link #NO_INODE} for entries that are not stored.
 */
public record FileAttr(int mode, int nlink, long size, long blocks, long mtime, int uid, int gid, boolean dynamic,
                       long inode) {

    public static final long NO_INODE = -1;

    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;
}
