package org.pmxcfs.concurrent;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scheduled executor on daemon threads named {@code <name>-<n>} whose tasks' Errors reach the
 * thread's uncaught-exception handler ({@link FailStop} in the daemon). A plain
 * {@link ScheduledThreadPoolExecutor} keeps them in the task's Future: a periodic task that hit an
 * OutOfMemoryError would silently never run again, and the node would go on without it.
 */
public final class FailStopScheduler extends ScheduledThreadPoolExecutor {

    public FailStopScheduler(int threads, String name) {
        super(threads, daemonThreads(name));
        setRemoveOnCancelPolicy(true);
    }

    /** Daemon threads named {@code <name>-<n>}. */
    public static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    protected void afterExecute(Runnable r, Throwable t) {
        super.afterExecute(r, t);
        // a periodic task's Future is only done once it failed (or was cancelled)
        if (t == null && r instanceof Future<?> f && f.isDone() && !f.isCancelled()) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error error) {
                    Thread self = Thread.currentThread();
                    self.getUncaughtExceptionHandler().uncaughtException(self, error);
                }
            } catch (CancellationException ignored) {
                // not a failure of the task
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
