package org.pmxcfs.fuse;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the kernel's caches true while they hold names, attributes and data for a long time.
 * Every change to the tree that the kernel did not make itself through this mount (a write
 * replicated from another node, a change through IPC, a lock expired by utime, a state
 * transfer) is told to the kernel: the changed node's attributes and pages and its name are
 * dropped, and its directory's attributes. A change made by a FUSE request of this mount on its
 * own path is skipped: the kernel updates its caches from the reply (create, mkdir, unlink,
 * rmdir, rename, write, truncate). Attributes that change everywhere at once (the write bits,
 * which follow quorum) are dropped for every node when {@code epoch} changes.
 *
 * <p>The reverse also happens: a file just written through this mount and closed has its whole
 * content put into the kernel's page cache ({@link #stored}), so that reading it back needs no
 * READ; the kernel itself keeps only the pages a write covered completely. If the file changed
 * while its content was on the way, the pages are dropped again.
 *
 * <p>The notifications are written by one thread of their own: the kernel takes the directory's
 * lock to drop a name, which a request in progress in that directory may hold, so the threads
 * that apply changes only queue them here and never wait.
 */
final class CacheInvalidator {

    private static final Logger log = LoggerFactory.getLogger("fuse");
    /**
     * How often the epoch is compared (the window in which a regained quorum may still be refused
     * by the kernel), and how long a written file may wait before its content is stored.
     */
    private static final long EPOCH_POLL_MILLIS = 20;
    /** Pending paths kept one by one; beyond this every node is dropped instead. */
    private static final int MAX_PENDING = 4096;

    private final NodeTable nodes;
    private final ToIntFunction<FuseReply> send;
    private final LongSupplier epoch;
    private final ThreadLocal<String[]> own = new ThreadLocal<>();
    private final FuseReply message = new FuseReply(ByteBuffer.allocateDirect(FuseAbi.OUT_HEADER + 24 + 1024));
    private final FuseReply storeMessage;
    private final Function<String, FsCore.Content> content;
    private final LinkedHashSet<String> pending = new LinkedHashSet<>();
    private final LinkedHashSet<Long> toStore = new LinkedHashSet<>();
    private boolean all;
    private boolean stopped;
    /** Changes queued so far, and how many of them the kernel has been told about. */
    private long queued;
    private long sent;
    private long seenEpoch;
    private Thread thread;

    /**
     * @param send  writes one notification; returns 0 or the errno (ENOENT: the kernel does not
     *              hold that node or name any more)
     * @param epoch changes when the attributes of every node may have changed
     */
    CacheInvalidator(NodeTable nodes, ToIntFunction<FuseReply> send, LongSupplier epoch,
                     Function<String, FsCore.Content> content, int maxStore) {
        this.nodes = nodes;
        this.send = send;
        this.epoch = epoch;
        this.content = content;
        this.storeMessage = new FuseReply(ByteBuffer.allocateDirect(FuseAbi.OUT_HEADER + 24 + maxStore));
    }

    synchronized void start() {
        seenEpoch = epoch.getAsLong();
        thread = new Thread(this::run, "fuse-invalidate");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() {
        Thread t;
        synchronized (this) {
            stopped = true;
            notifyAll();
            t = thread;
        }
        if (t != null) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs {@code body} as the FUSE request that changes {@code paths} (absolute) on this thread. */
    void asOwnChange(String[] paths, Runnable body) {
        own.set(paths);
        try {
            body.run();
        } finally {
            own.remove();
        }
    }

    /** {@code path} ("a/b", relative to the root) changed. Never blocks for long. */
    void changed(String path) {
        String[] mine = own.get();
        if (mine != null) {
            for (String p : mine) {
                if (p.length() == path.length() + 1 && p.endsWith(path)) {
                    return;
                }
            }
        }
        synchronized (this) {
            queued++;
            if (!all) {
                pending.add(path);
                if (pending.size() > MAX_PENDING) {
                    all = true;
                    pending.clear();
                }
            }
            notifyAll();
        }
    }

    /**
     * The file {@code nodeId} was written through this mount and closed: its content goes to the
     * kernel's page cache. Only from the FUSE request of that close, never waiting.
     */
    synchronized void stored(long nodeId) {
        // no wake-up: stores wait for the next round (at most EPOCH_POLL_MILLIS), so a burst of
        // writes costs this thread one wake-up instead of one per file
        if (toStore.size() < MAX_PENDING) {
            toStore.add(nodeId);
        }
    }

    /** The whole tree may have changed. */
    synchronized void reloaded() {
        queued++;
        all = true;
        pending.clear();
        notifyAll();
    }

    /**
     * Waits until the kernel has been told about every change queued before this call (at most
     * {@code millis}): a change made through IPC is visible through the mount once its answer is
     * sent. Only for threads that hold no request of this mount in progress.
     */
    synchronized void awaitSent(long millis) {
        long target = queued;
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (sent < target && !stopped && thread != null) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                log.warn("the kernel's caches were not updated within {} ms", millis);
                return;
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void run() {
        while (true) {
            List<String> paths;
            List<Long> stores;
            boolean everything;
            long batch;
            synchronized (this) {
                if (!stopped && pending.isEmpty() && !all) {
                    try {
                        wait(EPOCH_POLL_MILLIS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopped) {
                    return;
                }
                paths = new ArrayList<>(pending);
                pending.clear();
                stores = new ArrayList<>(toStore);
                toStore.clear();
                everything = all;
                all = false;
                batch = queued;
            }
            try {
                long e = epoch.getAsLong();
                if (e != seenEpoch) {
                    seenEpoch = e;
                    if (!everything) {
                        for (NodeTable.Known n : nodes.all()) {
                            send(message.invalInode(n.id(), -1, 0));
                        }
                    }
                }
                if (everything) {
                    dropAll();
                } else {
                    for (String p : paths) {
                        drop(p);
                    }
                }
                for (long id : stores) {
                    store(id);
                }
            } catch (RuntimeException ex) {
                log.error("dropping cached entries failed: {}", ex.toString(), ex);
            }
            synchronized (this) {
                sent = batch;
                notifyAll();
            }
        }
    }

    private void drop(String path) {
        NodeTable.Known k = nodes.at(path);
        if (k == null) {
            return; // the kernel holds nothing there
        }
        if (k.id() != 0) {
            send(message.invalInode(k.id(), 0, 0));
        }
        if (k.parent() != 0) {
            if (k.id() != 0) {
                send(message.invalEntry(k.parent(), k.name().getBytes(StandardCharsets.UTF_8)));
            }
            send(message.invalInode(k.parent(), -1, 0)); // a new or removed name changes its directory
        }
    }

    private void store(long id) {
        String path = nodes.path(id);
        long inode = nodes.inode(id);
        FsCore.Content before = path == null ? null : content.apply(path);
        // the path may already lead to another entry (a rename over it, not yet in the node table)
        if (before == null || before.inode() != inode || before.data().length() == 0
                || before.data().length() > storeMessage.capacity() - 24) {
            return;
        }
        send(storeMessage.store(id, before.data()));
        // a change that raced with it (a write in flight, another node's) may have been overwritten
        FsCore.Content after = content.apply(path);
        if (after == null || after.inode() != inode || after.version() != before.version()) {
            send(message.invalInode(id, 0, 0));
        }
    }

    private void dropAll() {
        for (NodeTable.Known n : nodes.all()) {
            send(message.invalInode(n.id(), 0, 0));
            if (n.parent() != 0) {
                send(message.invalEntry(n.parent(), n.name().getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private void send(FuseReply m) {
        int errno = send.applyAsInt(m);
        if (errno != 0 && errno != Libc.ENOENT && log.isDebugEnabled()) {
            log.debug("cache notification refused: errno {}", errno);
        }
    }
}
