package org.pmxcfs.fuse;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import jnr.ffi.types.size_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * Runs a libfuse 2 filesystem on a fixed pool of Java threads. libfuse's own multi-threaded loop
 * starts and stops native worker threads, and every new one is attached to the JVM as a new
 * java.lang.Thread, which made it about three times slower than the single-threaded loop.
 * Here {@code fuse_setup} mounts, and each of our own long-lived threads runs
 * {@code fuse_session_loop} on the shared session: the kernel hands every request to exactly one
 * reader, callbacks run on threads that are already attached, and a blocked request (a cluster
 * write waiting for its round trip) leaves the other threads serving.
 */
public final class FuseLoop {

    private static final Logger log = LoggerFactory.getLogger("main");

    /** The few libfuse 2 entry points beyond {@code fuse_main} that the loop needs. */
    public interface LibFuse2 {
        Pointer fuse_setup(int argc, String[] argv, FuseOperations op, @size_t long opSize,
                           PointerByReference mountpoint, IntByReference multithreaded, Pointer userData);

        Pointer fuse_get_session(Pointer fuse);

        int fuse_session_loop(Pointer session);

        void fuse_teardown(Pointer fuse, Pointer mountpoint);
    }

    private final Path mountPoint;
    private final List<Thread> workers = new ArrayList<>();
    private final CountDownLatch initialised = new CountDownLatch(1);
    private final LibFuse2 lib;
    /** Holds the callback table: libfuse keeps only native pointers to its closures. */
    private FuseAdapter adapter;
    private Pointer fuse;
    private Pointer mountPointPtr;

    private FuseLoop(Path mountPoint) {
        this.mountPoint = mountPoint;
        this.lib = loadLibrary();
    }

    private static LibFuse2 loadLibrary() {
        try {
            return LibraryLoader.create(LibFuse2.class).failImmediately().load("fuse");
        } catch (UnsatisfiedLinkError notDevPackage) {
            return LibraryLoader.create(LibFuse2.class).failImmediately().load("libfuse.so.2");
        }
    }

    /**
     * Mounts {@code core} at {@code mountPoint} and starts {@code threads} workers. Returns once
     * the kernel has initialised the connection, so the mount is usable.
     */
    public static FuseLoop mount(FsCore core, Path mountPoint, int threads, List<String> options)
            throws IOException {
        FuseLoop loop = new FuseLoop(mountPoint);
        FuseAdapter adapter = new FuseAdapter(core, loop.initialised::countDown);
        loop.start(adapter, threads, options);
        return loop;
    }

    private void start(FuseAdapter adapter, int threads, List<String> options) throws IOException {
        this.adapter = adapter;
        List<String> args = new ArrayList<>(List.of("pmxcfs", "-f"));
        for (String o : options) {
            args.add("-o");
            args.add(o);
        }
        args.add(mountPoint.toAbsolutePath().toString());
        PointerByReference mp = new PointerByReference();
        IntByReference mt = new IntByReference();
        FuseOperations ops = adapter.operations();
        fuse = lib.fuse_setup(args.size(), args.toArray(String[]::new), ops, Struct.size(ops), mp, mt, null);
        if (fuse == null) {
            throw new IOException("fuse_setup failed for '" + mountPoint + "' (see the fuse: message above);"
                    + " check that /dev/fuse exists and the mount point is an empty directory");
        }
        mountPointPtr = mp.getValue();
        Pointer session = lib.fuse_get_session(fuse);
        for (int i = 0; i < Math.max(1, threads); i++) {
            Thread t = new Thread(() -> lib.fuse_session_loop(session), "fuse-worker-" + i);
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
    }

    /**
     * Unmounts and waits (bounded) for the workers to leave the loop. Never blocks for long: a
     * copy of the mount held by another mount namespace can keep the session alive, and then we
     * give up waiting instead of hanging.
     */
    public void unmount(long waitMillis) {
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
        if (stopped && fuse != null) {
            lib.fuse_teardown(fuse, mountPointPtr);
            fuse = null;
        } else if (!stopped) {
            log.warn("FUSE workers still busy after unmount of '{}' (mount held by another namespace?)", mountPoint);
        }
    }
}
