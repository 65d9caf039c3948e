package org.pmxcfs.daemon;

import org.pmxcfs.concurrent.FailStopScheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Which failures end the daemon, what it says, and that executors do not hide an Error. */
class FailStopTest {

    private final List<Integer> halts = new CopyOnWriteArrayList<>();
    private final FailStop handler = new FailStop(halts::add);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void capture() {
        logged.start();
        ((Logger) LoggerFactory.getLogger("main")).addAppender(logged);
    }

    @AfterEach
    void release() {
        ((Logger) LoggerFactory.getLogger("main")).detachAppender(logged);
    }

    private static Thread named(String name) {
        return new Thread(() -> { }, name);
    }

    @Test
    void anErrorIsFatalInEveryThread() {
        for (String name : List.of("fuse-worker-0", "join-api-read-7", "ipc-3", "anything")) {
            assertTrue(FailStop.fatal(named(name), new OutOfMemoryError("Java heap space")), name);
            assertTrue(FailStop.fatal(named(name), new StackOverflowError()), name);
        }
    }

    @Test
    void anExceptionIsFatalOnlyInAThreadTheNodeCannotLiveWithout() {
        for (String name : List.of("fuse-worker-1", "cpg-c1-dcdb", "cpg-send-c1-dcdb", "cluster-tick-1", "ipc-accept",
                "ipc-idle-1", "status-send", "mode-watch-1", "join-api-accept", "main")) {
            assertTrue(FailStop.fatal(named(name), new IllegalStateException("x")), name);
        }
        for (String name : List.of("join-api-read-7", "join-api-2", "ipc-3", "join-timer-1", "mainly", "shutdown")) {
            assertFalse(FailStop.fatal(named(name), new IllegalStateException("x")), name);
        }
    }

    @Test
    void aFatalErrorLogsTheCritLineAndHaltsOnceWithTheFailStopCode() {
        handler.uncaughtException(named("cpg-c1-dcdb"), new OutOfMemoryError("Java heap space"));
        handler.uncaughtException(named("fuse-worker-0"), new OutOfMemoryError("Java heap space"));
        assertEquals(List.of(FailStop.EXIT_CODE), halts);
        String first = logged.list.get(0).getFormattedMessage();
        assertEquals("ERROR", logged.list.get(0).getLevel().toString()); // rendered as 'crit'
        assertTrue(first.startsWith("fatal error in thread 'cpg-c1-dcdb': java.lang.OutOfMemoryError: Java heap"
                + " space - pmxcfs stops now (exit code 70); the service must be restarted"), first);
    }

    @Test
    void anExceptionInAnExpendableThreadIsLoggedAndTheDaemonGoesOn() {
        handler.uncaughtException(named("join-api-read-3"), new IllegalStateException("bad"));
        assertEquals(List.of(), halts);
        assertEquals("thread 'join-api-read-3' died: java.lang.IllegalStateException: bad",
                logged.list.get(0).getFormattedMessage());
    }

    @Test
    void anErrorInAPeriodicTaskReachesTheHandlerInsteadOfStoppingTheTaskSilently() throws Exception {
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        CountDownLatch reported = new CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            seen.add(t.getName() + " " + e);
            reported.countDown();
        });
        FailStopScheduler scheduler = new FailStopScheduler(1, "cluster-tick");
        try {
            scheduler.scheduleWithFixedDelay(() -> {
                throw new OutOfMemoryError("Java heap space");
            }, 0, 10, TimeUnit.MILLISECONDS);
            assertTrue(reported.await(10, TimeUnit.SECONDS), "the Error reached the uncaught-exception handler");
            assertEquals("cluster-tick-1 java.lang.OutOfMemoryError: Java heap space", seen.get(0));
        } finally {
            scheduler.shutdownNow();
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }

    @Test
    void anExceptionInAPeriodicTaskIsLeftToTheTask() throws Exception {
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> seen.add(e));
        FailStopScheduler scheduler = new FailStopScheduler(1, "join-timer");
        try {
            CountDownLatch ran = new CountDownLatch(1);
            scheduler.schedule(() -> {
                ran.countDown();
                throw new IllegalStateException("handled by whoever reads the future");
            }, 0, TimeUnit.MILLISECONDS);
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            scheduler.shutdown();
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(List.of(), seen);
        } finally {
            scheduler.shutdownNow();
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }
}
