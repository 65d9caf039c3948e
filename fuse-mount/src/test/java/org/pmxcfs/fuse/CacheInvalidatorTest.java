package org.pmxcfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which notifications the kernel gets for which change (decoded from the bytes that would be written). */
class CacheInvalidatorTest {

    private final NodeTable nodes = new NodeTable();
    private final List<String> sent = new ArrayList<>();
    private final AtomicLong epoch = new AtomicLong();
    private final java.util.Map<String, FsCore.Content> files = new java.util.concurrent.ConcurrentHashMap<>();
    /** Bumped by every look at a file's content when set: a change racing with the store. */
    private volatile boolean racing;
    private final CacheInvalidator inv = new CacheInvalidator(nodes, this::record, epoch::get, this::content, 1 << 20);

    private FsCore.Content content(String path) {
        FsCore.Content c = files.get(path);
        if (c != null && racing) {
            files.put(path, new FsCore.Content(c.data(), c.inode(), c.version() + 1));
        }
        return c;
    }

    private synchronized int record(FuseReply m) {
        ByteBuffer b = m.buffer().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int len = b.getInt(0);
        if (b.getInt(4) == FuseAbi.NOTIFY_INVAL_INODE) {
            sent.add("inode " + b.getLong(16) + (b.getLong(24) < 0 ? " attr" : " data"));
        } else if (b.getInt(4) == FuseAbi.NOTIFY_STORE) {
            byte[] data = new byte[b.getInt(32)];
            b.get(40, data);
            sent.add("store " + b.getLong(16) + " at " + b.getLong(24) + ": " + new String(data, StandardCharsets.UTF_8));
        } else {
            byte[] name = new byte[b.getInt(24)];
            b.get(32, name);
            sent.add("entry " + b.getLong(16) + " " + new String(name, StandardCharsets.UTF_8));
        }
        return len > 0 ? 0 : 1;
    }

    private List<String> await(int count) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            synchronized (this) {
                if (sent.size() >= count) {
                    List<String> copy = new ArrayList<>(sent);
                    sent.clear();
                    return copy;
                }
            }
            Thread.sleep(5);
        }
        synchronized (this) {
            return new ArrayList<>(sent);
        }
    }

    @AfterEach
    void stop() {
        inv.stop();
    }

    @Test
    void aKnownNodeLosesItsDataItsNameAndItsDirectorysAttributes() throws Exception {
        long dir = nodes.lookedUp(NodeTable.ROOT, "d", TestAttrs.stored(0));
        long f = nodes.lookedUp(dir, "f.conf", TestAttrs.stored(0));
        inv.start();
        inv.changed("d/f.conf");
        assertEquals(List.of("inode " + f + " data", "entry " + dir + " f.conf", "inode " + dir + " attr"), await(3));
        inv.changed("d/new.conf");
        assertEquals(List.of("inode " + dir + " attr"), await(1), "a new name: only the directory");
        inv.changed("unknown/deeper/x");
        Thread.sleep(100);
        assertEquals(List.of(), await(0), "nothing the kernel holds");
    }

    @Test
    void anOwnChangeOnItsOwnPathIsLeftToTheKernelButNotOthers() throws Exception {
        long dir = nodes.lookedUp(NodeTable.ROOT, "d", TestAttrs.stored(0));
        nodes.lookedUp(dir, "f.conf", TestAttrs.stored(0));
        long lock = nodes.lookedUp(dir, "lock", TestAttrs.stored(0));
        inv.start();
        inv.asOwnChange(new String[] {"/d/f.conf"}, () -> {
            inv.changed("d/f.conf");
            inv.changed("d/lock");
        });
        List<String> got = await(3);
        assertEquals(List.of("inode " + lock + " data", "entry " + dir + " lock", "inode " + dir + " attr"), got);
    }

    @Test
    void aFileWrittenHereGoesToThePageCacheAndIsDroppedIfItChangedMeanwhile() throws Exception {
        long dir = nodes.lookedUp(NodeTable.ROOT, "d", TestAttrs.stored(0));
        long f = nodes.lookedUp(dir, "f.conf", TestAttrs.stored(5));
        byte[] data = "hello\n".getBytes(StandardCharsets.UTF_8);
        files.put("/d/f.conf", new FsCore.Content(new FsCore.Slice(data, 0, data.length), 5, 7));
        inv.start();
        inv.stored(f);
        assertEquals(List.of("store " + f + " at 0: hello\n"), await(1));
        racing = true;
        inv.stored(f);
        assertEquals(List.of("store " + f + " at 0: hello\n", "inode " + f + " data"), await(2));
        racing = false;
        files.put("/d/f.conf", new FsCore.Content(new FsCore.Slice(data, 0, data.length), 6, 8));
        inv.stored(f);
        Thread.sleep(100);
        assertEquals(List.of(), await(0), "the path leads to another entry now (renamed over)");
        nodes.removed(dir, "f.conf");
        inv.stored(f);
        Thread.sleep(100);
        assertEquals(List.of(), await(0), "no path leads to it any more");
    }

    @Test
    void aNewEpochDropsEveryAttributeAndAReloadEverything() throws Exception {
        long dir = nodes.lookedUp(NodeTable.ROOT, "d", TestAttrs.stored(0));
        long f = nodes.lookedUp(dir, "f.conf", TestAttrs.stored(0));
        inv.start();
        epoch.incrementAndGet();
        List<String> got = await(3);
        assertTrue(got.containsAll(List.of("inode 1 attr", "inode " + dir + " attr", "inode " + f + " attr")), got.toString());
        inv.reloaded();
        got = await(5);
        assertTrue(got.containsAll(List.of("inode " + f + " data", "entry " + dir + " f.conf", "entry 1 d")), got.toString());
    }
}
