package org.pmxcfs.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds one message for /dev/fuse: a reply (header with the request's unique id and an error,
 * then the opcode's struct) or a notification (unique 0, the notify code in the error field).
 * The struct layouts are the kernel's (linux/fuse.h); {@link #length()} bytes from the start of
 * the buffer are what to write, in one write(2).
 */
final class FuseReply {

    private final ByteBuffer buf;

    FuseReply(ByteBuffer buf) {
        this.buf = buf.order(ByteOrder.LITTLE_ENDIAN);
    }

    ByteBuffer buffer() {
        return buf;
    }

    /** Starts a successful reply to {@code unique}. */
    FuseReply ok(long unique) {
        return header(unique, 0);
    }

    /** A reply with only an error (a positive errno). */
    FuseReply error(long unique, int errno) {
        return header(unique, -errno);
    }

    private FuseReply header(long unique, int error) {
        buf.clear();
        buf.putInt(0).putInt(error).putLong(unique);
        return this;
    }

    /** Bytes to write; also stores that length in the header. */
    int length() {
        int n = buf.position();
        buf.putInt(0, n);
        return n;
    }

    /** Largest payload a reply can carry. */
    int capacity() {
        return buf.capacity() - FuseAbi.OUT_HEADER;
    }

    /** fuse_attr: times in whole seconds (the tree keeps no more), blksize 0 = the kernel's default. */
    FuseReply attr(long ino, FileAttr a) {
        buf.putLong(ino).putLong(a.size()).putLong(a.blocks())
                .putLong(a.mtime()).putLong(a.mtime()).putLong(a.mtime())
                .putInt(0).putInt(0).putInt(0)
                .putInt(a.mode()).putInt(a.nlink()).putInt(a.uid()).putInt(a.gid())
                .putInt(0).putInt(0).putInt(0);
        return this;
    }

    /** fuse_entry_out: the node, then how long the kernel may keep the name and the attributes. */
    FuseReply entry(long nodeId, FileAttr a, long validSeconds) {
        buf.putLong(nodeId).putLong(0).putLong(validSeconds).putLong(validSeconds).putInt(0).putInt(0);
        return attr(nodeId, a);
    }

    /** fuse_attr_out. */
    FuseReply attrOut(long nodeId, FileAttr a, long validSeconds) {
        buf.putLong(validSeconds).putInt(0).putInt(0);
        return attr(nodeId, a);
    }

    /** fuse_open_out. */
    FuseReply open(long fh, int openFlags) {
        buf.putLong(fh).putInt(openFlags).putInt(0);
        return this;
    }

    /** fuse_write_out. */
    FuseReply written(int size) {
        buf.putInt(size).putInt(0);
        return this;
    }

    FuseReply data(byte[] array, int offset, int n) {
        buf.put(array, offset, n);
        return this;
    }

    /** fuse_kstatfs. */
    FuseReply statfs(FsStat s) {
        buf.putLong(s.blocks()).putLong(s.freeBlocks()).putLong(s.freeBlocks())
                .putLong(s.files()).putLong(s.freeFiles())
                .putInt((int) s.blockSize()).putInt((int) s.nameMax()).putInt((int) s.blockSize()).putInt(0);
        for (int i = 0; i < 6; i++) {
            buf.putInt(0);
        }
        return this;
    }

    /** fuse_init_out. */
    FuseReply init(int minor, int maxReadahead, int flags, int maxWrite, int maxPages) {
        buf.putInt(FuseAbi.KERNEL_VERSION).putInt(minor).putInt(maxReadahead).putInt(flags)
                .putShort((short) 12).putShort((short) 9) // libfuse's background request limits
                .putInt(maxWrite).putInt(0)
                .putShort((short) maxPages).putShort((short) 0);
        for (int i = 0; i < 8; i++) {
            buf.putInt(0); // flags2 and unused
        }
        return this;
    }

    /** Size of a directory entry with a name of {@code nameLength} bytes, padded to 8. */
    static int direntSize(int nameLength) {
        return (FuseAbi.DIRENT_HEADER + nameLength + 7) & ~7;
    }

    /** fuse_dirent, if it fits in {@code limit} bytes of payload; false (nothing written) if not. */
    boolean dirent(byte[] name, long nextOffset, int limit) {
        int size = direntSize(name.length);
        if (buf.position() - FuseAbi.OUT_HEADER + size > limit) {
            return false;
        }
        buf.putLong(FuseAbi.UNKNOWN_INO).putLong(nextOffset).putInt(name.length).putInt(0).put(name);
        for (int i = FuseAbi.DIRENT_HEADER + name.length; i < size; i++) {
            buf.put((byte) 0);
        }
        return true;
    }

    /** Tells the kernel to drop the cached attributes and, if {@code offset} ≥ 0, the cached data of a node. */
    FuseReply invalInode(long nodeId, long offset, long len) {
        header(0, FuseAbi.NOTIFY_INVAL_INODE);
        buf.putLong(nodeId).putLong(offset).putLong(len);
        return this;
    }

    /** Puts {@code data} into the kernel's page cache of a node, from offset 0. */
    FuseReply store(long nodeId, FsCore.Slice data) {
        header(0, FuseAbi.NOTIFY_STORE);
        buf.putLong(nodeId).putLong(0).putInt(data.length()).putInt(0).put(data.array(), data.offset(), data.length());
        return this;
    }

    /** Tells the kernel to drop the name {@code name} in directory {@code parent}. */
    FuseReply invalEntry(long parent, byte[] name) {
        header(0, FuseAbi.NOTIFY_INVAL_ENTRY);
        buf.putLong(parent).putInt(name.length).putInt(0).put(name).put((byte) 0);
        return this;
    }
}
