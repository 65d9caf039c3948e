package org.pmxcfs.dbstore;

/**
 * One entry of the tree, exactly the columns of a {@code tree} row. Immutable: every change makes
 * a new entry, so a reader holding an entry never sees it change. Files keep their bytes in
 * {@code data} ({@code null} when empty); directories never have data.
 */
public record TreeEntry(long inode, long parent, long version, int writer, long mtime, int type,
                        String name, byte[] data) {

    public static final int TYPE_DIR = 4;
    public static final int TYPE_FILE = 8;

    public TreeEntry {
        if (data != null && data.length == 0) {
            data = null;
        }
    }

    public boolean isDir() {
        return type == TYPE_DIR;
    }

    public int size() {
        return data == null ? 0 : data.length;
    }

    /** This entry after a modification stamped with the new global version, writer and time. */
    public TreeEntry modified(long newVersion, int newWriter, long newMtime, byte[] newData) {
        return new TreeEntry(inode, parent, newVersion, newWriter, newMtime, type, name, newData);
    }

    public TreeEntry moved(long newParent, String newName, long newVersion, int newWriter, long newMtime) {
        return new TreeEntry(inode, newParent, newVersion, newWriter, newMtime, type, newName, data);
    }

    /**
     * SHA-256 over inode, version, writer, mtime, size, type, parent, name (and the data of a
     * non-empty file), the original's memdb_tree_entry_csum: the identity a cluster lock is
     * tracked by, so any change to the lock directory changes it.
     */
    public byte[] metaDigest() {
        return EntryDigest.entryDigest(this);
    }

    @Override
    public String toString() {
        return "TreeEntry[inode=" + inode + ", parent=" + parent + ", version=" + version + ", writer=" + writer
                + ", mtime=" + mtime + ", type=" + type + ", name=" + name + ", size=" + size() + "]";
    }
}
