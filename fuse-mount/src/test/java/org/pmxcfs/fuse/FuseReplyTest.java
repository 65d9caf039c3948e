package org.pmxcfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The reply layouts, field by field at the offsets of linux/fuse.h. */
class FuseReplyTest {

    private final FuseReply reply = new FuseReply(ByteBuffer.allocate(4096));

    private ByteBuffer written(int length) {
        return ByteBuffer.wrap(reply.buffer().array(), 0, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void anErrorIsAHeaderWithTheNegatedErrno() {
        ByteBuffer b = written(reply.error(77, 2).length());
        assertEquals(16, b.limit());
        assertEquals(16, b.getInt(0));
        assertEquals(-2, b.getInt(4));
        assertEquals(77, b.getLong(8));
    }

    @Test
    void anEntryCarriesTheNodeTheTimeoutsAndTheAttributes() {
        FileAttr a = new FileAttr(0100640, 1, 512, 1, 1_700_000_000L, 0, 33, false, 9);
        int n = reply.ok(5).entry(42, a, 3600).length();
        assertEquals(FuseAbi.OUT_HEADER + FuseAbi.ENTRY_OUT, n);
        ByteBuffer b = written(n);
        int e = FuseAbi.OUT_HEADER;
        assertEquals(42, b.getLong(e)); // nodeid
        assertEquals(0, b.getLong(e + 8)); // generation
        assertEquals(3600, b.getLong(e + 16)); // entry_valid
        assertEquals(3600, b.getLong(e + 24)); // attr_valid
        int at = e + 40;
        assertEquals(42, b.getLong(at)); // ino
        assertEquals(512, b.getLong(at + 8));
        assertEquals(1, b.getLong(at + 16));
        assertEquals(1_700_000_000L, b.getLong(at + 32)); // mtime
        assertEquals(0100640, b.getInt(at + 60)); // mode
        assertEquals(1, b.getInt(at + 64)); // nlink
        assertEquals(33, b.getInt(at + 72)); // gid
    }

    @Test
    void directoryEntriesArePaddedToEightBytesAndStopAtTheLimit() {
        reply.ok(1);
        byte[] name = "abc".getBytes(StandardCharsets.UTF_8);
        assertTrue(reply.dirent(name, 1, 64));
        assertTrue(reply.dirent(name, 2, 64));
        assertFalse(reply.dirent(name, 3, 64), "a third one of 32 bytes does not fit in 64");
        ByteBuffer b = written(reply.length());
        assertEquals(16 + 64, b.limit());
        assertEquals(FuseAbi.UNKNOWN_INO, b.getLong(16));
        assertEquals(1, b.getLong(24));
        assertEquals(3, b.getInt(32));
        assertEquals('a', b.get(40));
        assertEquals(0, b.get(43), "padding");
        assertEquals(2, b.getLong(48 + 8), "the second entry starts 32 bytes later");
    }

    @Test
    void notificationsHaveNoUniqueAndTheirCodeInTheErrorField() {
        ByteBuffer b = written(reply.invalEntry(9, "x.conf".getBytes(StandardCharsets.UTF_8)).length());
        assertEquals(16 + 16 + 7, b.limit(), "name with its NUL");
        assertEquals(FuseAbi.NOTIFY_INVAL_ENTRY, b.getInt(4));
        assertEquals(0, b.getLong(8));
        assertEquals(9, b.getLong(16));
        assertEquals(6, b.getInt(24));
        b = written(reply.invalInode(9, -1, 0).length());
        assertEquals(16 + 24, b.limit());
        assertEquals(FuseAbi.NOTIFY_INVAL_INODE, b.getInt(4));
        assertEquals(-1, b.getLong(24), "attributes only");
    }

    @Test
    void initAnswersWithTheLimitsAndTheFlags() {
        ByteBuffer b = written(reply.ok(1).init(38, 131072, 0x123, 1 << 20, 256).length());
        assertEquals(16 + FuseAbi.INIT_OUT, b.limit());
        assertEquals(7, b.getInt(16));
        assertEquals(38, b.getInt(20));
        assertEquals(0x123, b.getInt(28));
        assertEquals(1 << 20, b.getInt(36)); // max_write
        assertEquals(256, b.getShort(44)); // max_pages
    }
}
