package org.pmxcfs.daemon;

import org.pmxcfs.concurrent.FailStopScheduler;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's uncaught-exception handler: a node that lost a thread it cannot live without, or
 * ran out of memory anywhere, must not go on looking healthy (claiming quorum, accepting writes
 * that never complete). It logs one {@code [main] crit:} line saying what happened and that the
 * service must be restarted, and halts with {@link #EXIT_CODE} so a service manager restarts it
 * and the cluster sees it leave. No shutdown hooks run (they could hang on the broken part);
 * the FUSE mount is left behind, and the next start detaches it before mounting.
 *
 * <p>Any {@link Error} is fatal in any thread: after an OutOfMemoryError or a StackOverflowError
 * no state can be trusted. Other exceptions are fatal in the threads named by
 * {@link #CRITICAL_THREADS}; in any other thread (a join API connection, say) they are logged and
 * the daemon goes on. Executors keep a task's Error in a Future nobody reads, so the daemon's
 * periodic tasks run on a {@link FailStopScheduler}, which hands it on.
 */
public final class FailStop implements Thread.UncaughtExceptionHandler {

    /** Exit code of a fail-stop; start-up failures exit 255, a clean stop 0. */
    public static final int EXIT_CODE = 70;
    /** The threads the node cannot live without: exact names, or prefixes where they end in '-'. */
    static final List<String> CRITICAL_THREADS = List.of("fuse-worker-", "cpg-", "cluster-tick-", "ipc-accept",
            "ipc-idle-", "status-send", "mode-watch-", "join-api-accept", "db-writer", "main");
    /** Freed before logging, so that the crit line can still be formatted after an OutOfMemoryError. */
    private static final int RESERVE_BYTES = 1 << 20;

    private static final Logger log = LoggerFactory.getLogger("main");

    private final IntConsumer halt;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile byte[] reserve = new byte[RESERVE_BYTES];

    FailStop(IntConsumer halt) {
        this.halt = halt;
    }

    /** Installs the handler for every thread of this JVM; the first thing the daemon does. */
    static void install() {
        Thread.setDefaultUncaughtExceptionHandler(new FailStop(Runtime.getRuntime()::halt));
    }

    /** Whether {@code e} ending {@code thread} must end the daemon. */
    static boolean fatal(Thread thread, Throwable e) {
        if (e instanceof Error) {
            return true;
        }
        String name = thread.getName();
        return CRITICAL_THREADS.stream().anyMatch(p -> name.equals(p) || (p.endsWith("-") && name.startsWith(p)));
    }

    @Override
    public void uncaughtException(Thread thread, Throwable e) {
        if (!fatal(thread, e)) {
            log.error("thread '{}' died: {}", thread.getName(), e.toString(), e);
            return;
        }
        if (!stopping.compareAndSet(false, true)) {
            return; // another thread is already stopping the daemon
        }
        reserve = null;
        String line = "fatal error in thread '" + thread.getName() + "': " + e + " - pmxcfs stops now (exit code "
                + EXIT_CODE + "); the service must be restarted (e.g. systemctl restart pve-cluster), the next"
                + " start recovers the mount";
        try {
            log.error(line);
            log.error("stack trace of the fatal error", e);
        } catch (Throwable logFailed) {
            // the logger itself failed (out of memory again?): the raw line still says what happened
            System.err.println("[main] crit: " + line);
        }
        System.err.flush();
        System.out.flush();
        halt.accept(EXIT_CODE);
    }
}
