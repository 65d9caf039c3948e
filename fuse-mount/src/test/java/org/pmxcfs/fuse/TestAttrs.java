package org.pmxcfs.fuse;

/** Attributes for node table and cache tests. */
final class TestAttrs {

    private TestAttrs() {}

    /** A stored entry with inode {@code inode}. */
    static FileAttr stored(long inode) {
        return new FileAttr(FileAttr.S_IFREG | 0640, 1, 0, 0, 0, 0, 0, false, inode);
    }

    /** A status file. */
    static FileAttr dynamic() {
        return new FileAttr(FileAttr.S_IFREG | 0440, 1, 0, 0, 0, 0, 0, true, FileAttr.NO_INODE);
    }
}
