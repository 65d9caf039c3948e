package org.pmxcfs.dbstore;

/**
 * A mutation of the tree: the unit that is replicated in cluster mode and applied, with the
 * sender's node id and time, by {@link MemDb#apply}. Paths are relative to the tree root.
 */
public sealed interface Operation {

    /** The path this operation acts on (for rename: the source). */
    String path();

    /** For logs: {@code write 'path' (12 bytes at 0)}, {@code rename 'a' to 'b'}, ... */
    default String describe() {
        String what = getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " '" + path() + "'";
        if (this instanceof Write w) {
            return what + " (" + w.data().length + " bytes at " + w.offset() + ")";
        }
        if (this instanceof Truncate t) {
            return what + " to " + t.length();
        }
        if (this instanceof Rename r) {
            return what + " to '" + r.to() + "'";
        }
        if (this instanceof SetMtime m) {
            return what + " to " + m.mtime();
        }
        return what;
    }

    record Mkdir(String path) implements Operation {}

    record Create(String path) implements Operation {}

    /** Replaces {@code data.length} bytes at {@code offset}; never shrinks the file. */
    record Write(String path, long offset, byte[] data) implements Operation {}

    /** Sets the size to {@code length}, zero-filling when the file grows. */
    record Truncate(String path, long length) implements Operation {}

    /** unlink and rmdir alike. */
    record Delete(String path) implements Operation {}

    record Rename(String path, String to) implements Operation {}

    /** utimens: only the modification time is kept. */
    record SetMtime(String path, long mtime) implements Operation {}

    /** Removes the lock directory at {@code path} if its {@link TreeEntry#metaDigest()} still equals {@code digest}. */
    record Unlock(String path, byte[] digest) implements Operation {}
}
