package org.pmxcfs.daemon;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * What the daemon has started so far, and the one way it stops. Armed before the first step
 * of start-up, so SIGTERM or SIGINT at any moment (start-up included) stops it cleanly: the
 * shutdown hook asks the main thread to stop, interrupting a start-up step that waits, and waits
 * (bounded) while the main thread undoes every step it completed, newest first. Armed only after
 * start-up, a signal right after the mount used to leave a dead mount behind.
 *
 * <p>The main thread calls {@link #onStop} after each step, {@link #serve} at the end of start-up
 * and {@link #closeAll} in a finally block; only the main thread touches the steps.
 */
final class Lifecycle {

    /** How long the JVM waits on its way out for the main thread to finish the teardown. */
    private static final long TEARDOWN_WAIT_MILLIS = 15_000;
    private static final Logger log = LoggerFactory.getLogger("main");

    /** Thrown by {@link #onStop} when a stop was requested while a start-up step ran. */
    static final class StopRequested extends RuntimeException {
        StopRequested() {
            super("stop requested during start-up", null, false, false);
        }
    }

    private enum State { STARTING, SERVING, CLOSING }

    private final Thread main = Thread.currentThread();
    private final Deque<Runnable> undo = new ArrayDeque<>();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private State state = State.STARTING;

    private Lifecycle() {}

    /** Arms the signal handlers and the shutdown hook; call first thing on the main thread. */
    static Lifecycle install() {
        Lifecycle life = new Lifecycle();
        for (String name : List.of("TERM", "INT")) {
            // a requested stop is a success (exit 0, not the JVM's 143), so service managers see it as one
            Signal.handle(new Signal(name), signal -> System.exit(0));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(life::stopAndWait, "shutdown"));
        return life;
    }

    /**
     * Records how to undo the step that just completed.
     *
     * @throws StopRequested if a stop was requested meanwhile (the step is undone by {@link #closeAll})
     */
    void onStop(Runnable step) {
        undo.push(step);
        if (stopRequested()) {
            throw new StopRequested();
        }
    }

    boolean stopRequested() {
        return stopRequested.getCount() == 0;
    }

    /** Start-up is complete: blocks until a stop is requested. */
    void serve() throws InterruptedException {
        synchronized (this) {
            if (state == State.STARTING) {
                state = State.SERVING;
            }
        }
        stopRequested.await();
    }

    /**
     * Undoes every completed step, newest first (a step that fails does not keep the others from
     * running), and logs the exit with {@code rc}: the JVM may end as soon as this returns.
     */
    void closeAll(int rc) {
        synchronized (this) {
            state = State.CLOSING;
            Thread.interrupted(); // an interrupt meant for a start-up step must not cut the teardown short
        }
        if (stopRequested()) {
            log.info("teardown filesystem");
        }
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException e) {
                log.error("teardown step failed: {}", e.toString(), e);
            }
        }
        log.info("exit proxmox configuration filesystem ({})", rc == 0 ? 0 : -1);
        closed.countDown();
    }

    /** The shutdown hook: whatever ends the JVM, the main thread tears down first. */
    private void stopAndWait() {
        synchronized (this) {
            stopRequested.countDown();
            if (state == State.STARTING) {
                main.interrupt();
            }
        }
        try {
            if (!closed.await(TEARDOWN_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                log.error("teardown did not finish within {} s - exiting anyway", TEARDOWN_WAIT_MILLIS / 1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
