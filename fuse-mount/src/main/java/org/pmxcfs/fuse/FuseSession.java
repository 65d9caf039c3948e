package org.pmxcfs.fuse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A FUSE mount served in Java over /dev/fuse, without libfuse: the daemon opens the device,
 * mounts it with mount(2) and answers the kernel's requests on a fixed pool of threads, each
 * reading whole requests and writing whole replies. Owning the protocol is what lets the kernel
 * cache names, attributes and file data for long ({@link FuseDispatcher}) while every change the
 * kernel did not make itself is pushed out of its caches ({@link CacheInvalidator}); libfuse 2's
 * high-level API, which the first versions used, keeps node ids to itself and cannot do that.
 */
public final class FuseSession {

    private static final Logger log = LoggerFactory.getLogger("main");
    /** Largest write the kernel sends in one request (256 pages): a whole file of the tree. */
    static final int MAX_WRITE = 1 << 20;
    /** No default_permissions: the daemon checks permissions itself ({@link Permissions}). */
    private static final String OPTIONS = "allow_other";

    private final Path mountPoint;
    private final NodeTable nodes = new NodeTable();
    private final CacheInvalidator invalidator;
    private final FuseDispatcher dispatcher;
    private final CountDownLatch initialised = new CountDownLatch(1);
    private final List<Thread> workers = new ArrayList<>();
    private final Runtime runtime = Runtime.getRuntime(Libc.C);
    private int fd = -1;

    private FuseSession(FsCore core, Path mountPoint) {
        this.mountPoint = mountPoint;
        this.invalidator = new CacheInvalidator(nodes, this::notifyKernel, core::attributesEpoch, core::content,
                MAX_WRITE);
        this.dispatcher = new FuseDispatcher(core, nodes, invalidator, MAX_WRITE, initialised::countDown);
    }

    /**
     * Mounts {@code core} at {@code mountPoint} and starts {@code threads} workers. Returns once
     * the kernel has initialised the connection, so the mount is usable.
     */
    public static FuseSession mount(FsCore core, Path mountPoint, int threads) throws IOException {
        FuseSession s = new FuseSession(core, mountPoint);
        s.start(Math.max(1, threads));
        return s;
    }

    private void start(int threads) throws IOException {
        fd = Libc.C.open("/dev/fuse", Libc.O_RDWR | Libc.O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("cannot open /dev/fuse: " + Libc.C.strerror(Libc.errno())
                    + " - load the fuse module (modprobe fuse) and run as root");
        }
        String target = mountPoint.toAbsolutePath().toString();
        String data = "fd=" + fd + ",rootmode=40000,user_id=" + Libc.C.getuid() + ",group_id=" + Libc.C.getgid()
                + "," + OPTIONS;
        long flags = Libc.MS_NOSUID | Libc.MS_NODEV;
        int rc = Libc.C.mount("pmxcfs", target, "fuse.pmxcfs", flags, data);
        if (rc != 0 && Libc.errno() == Libc.ENODEV) {
            rc = Libc.C.mount("pmxcfs", target, "fuse", flags, data); // a kernel without subtypes
        }
        if (rc != 0) {
            int errno = Libc.errno();
            Libc.C.close(fd);
            fd = -1;
            throw new IOException("mount of '" + target + "' failed: " + Libc.C.strerror(errno)
                    + (errno == Libc.EPERM ? " - pmxcfs must run as root" : ""));
        }
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::serve, "fuse-worker-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
        boolean ready = false;
        boolean interrupted = false;
        try {
            ready = initialised.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (!ready) {
            unmount(1000); // the kernel has the mount already: never leave it behind dead
            if (interrupted) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while mounting '" + mountPoint + "'");
            }
            throw new IOException("FUSE did not initialise '" + mountPoint + "' within 10 s");
        }
        invalidator.start();
    }

    /** One worker: read a request, answer it, until the mount goes away. */
    private void serve() {
        ByteBuffer in = ByteBuffer.allocateDirect(MAX_WRITE + FuseAbi.READ_BUFFER_EXTRA);
        ByteBuffer outBuf = ByteBuffer.allocateDirect(MAX_WRITE + FuseAbi.OUT_HEADER);
        Pointer inPtr = Pointer.wrap(runtime, in); // both at position 0, where every message starts
        Pointer outPtr = Pointer.wrap(runtime, outBuf);
        FuseRequest rq = new FuseRequest(in);
        FuseReply out = new FuseReply(outBuf);
        while (true) {
            long n = Libc.C.read(fd, inPtr, in.capacity());
            if (n < 0) {
                int errno = Libc.errno();
                if (errno == Libc.EINTR || errno == Libc.EAGAIN || errno == Libc.ENOENT) {
                    continue; // interrupted, or the request was withdrawn before we read it
                }
                if (errno != Libc.ENODEV) { // ENODEV: unmounted
                    log.error("reading /dev/fuse failed: {}", Libc.C.strerror(errno));
                }
                return;
            }
            int len = dispatcher.handle(rq.reset((int) n), out);
            if (len > 0 && Libc.C.write(fd, outPtr, len) < 0) {
                int errno = Libc.errno();
                if (errno != Libc.ENOENT) { // ENOENT: the request was interrupted meanwhile
                    log.warn("FUSE reply of {} bytes refused: {}", len, Libc.C.strerror(errno));
                }
            }
        }
    }

    /** Writes one notification; 0 or the errno. */
    private int notifyKernel(FuseReply message) {
        int len = message.length();
        Pointer p = Pointer.wrap(runtime, message.buffer().duplicate().position(0)); // wrap() starts at the position
        return Libc.C.write(fd, p, len) < 0 ? Libc.errno() : 0;
    }

    /** {@code path} ("a/b", relative to the mount) changed: the kernel must not serve it from its caches. */
    public void changed(String path) {
        invalidator.changed(path);
    }

    /**
     * Returns once the kernel has been told about every change made so far (at most 1 s): call
     * after a change made outside the mount (IPC) and before answering it. Never from a thread
     * that applies replicated changes: a request of the mount may be waiting for that thread.
     */
    public void awaitCaches() {
        invalidator.awaitSent(1000);
    }

    /** The whole tree may have changed (a state transfer, a reload). */
    public void reloaded() {
        invalidator.reloaded();
    }

    /**
     * Unmounts and waits (bounded) for the workers to leave the loop. Never blocks for long: a
     * copy of the mount held by another mount namespace can keep the session alive, and then we
     * give up waiting instead of hanging.
     */
    public void unmount(long waitMillis) {
        invalidator.stop();
        Mounts.detach(mountPoint);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        boolean stopped = true;
        for (Thread t : workers) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            try {
                t.join(Math.max(1, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped &= !t.isAlive();
        }
        if (stopped && fd >= 0) {
            Libc.C.close(fd);
            fd = -1;
        } else if (!stopped) {
            log.warn("FUSE workers still busy after unmount of '{}' (mount held by another namespace?)", mountPoint);
        }
    }
}
