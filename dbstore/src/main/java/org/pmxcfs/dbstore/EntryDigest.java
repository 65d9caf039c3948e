package org.pmxcfs.dbstore;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The one byte layout every entry hash of the original uses (memdb.c): {@code [inode u64]
 * version u64, writer u32, mtime u32, size u32, type u8, parent u64}, little-endian, then the
 * name bytes without NUL, then the data of a non-empty file. The index digest leaves the inode
 * out (it is stored next to the digest); the lock identity and the verify checksum include it.
 * mtime is cut to its 32 bits here exactly as the original stores it.
 */
final class EntryDigest {

    private EntryDigest() {}

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always provides SHA-256", e);
        }
    }

    /** Adds {@code e} to {@code md} in the original's layout. */
    static void feed(MessageDigest md, TreeEntry e, boolean withInode) {
        ByteBuffer b = ByteBuffer.allocate(8 + 8 + 4 + 4 + 4 + 1 + 8).order(ByteOrder.LITTLE_ENDIAN);
        if (withInode) {
            b.putLong(e.inode());
        }
        b.putLong(e.version()).putInt(e.writer()).putInt((int) e.mtime()).putInt(e.size()).put((byte) e.type())
                .putLong(e.parent());
        md.update(b.array(), 0, b.position());
        md.update(e.name().getBytes(StandardCharsets.UTF_8));
        if (e.type() == TreeEntry.TYPE_FILE && e.data() != null) {
            md.update(e.data());
        }
    }

    /** The digest stored in the index for {@code e} (memdb_encode_index). */
    static byte[] indexDigest(TreeEntry e) {
        MessageDigest md = sha256();
        feed(md, e, false);
        return md.digest();
    }

    /** memdb_tree_entry_csum: the identity a cluster lock is tracked by. */
    static byte[] entryDigest(TreeEntry e) {
        MessageDigest md = sha256();
        feed(md, e, true);
        return md.digest();
    }
}
