package org.pmxcfs.jgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class DropLogTest {

    private static ListAppender<ILoggingEvent> capture(Logger log) {
        ListAppender<ILoggingEvent> a = new ListAppender<>();
        a.start();
        log.addAppender(a);
        return a;
    }

    @Test
    void aFloodFromManyForgedSourcesCostsABoundedNumberOfLinesWithoutStackTraces() {
        Logger log = (Logger) LoggerFactory.getLogger("droplog-test-flood");
        ListAppender<ILoggingEvent> lines = capture(log);
        DropLog d = new DropLog(log, "datagrams that failed authentication");
        for (int minute = 0; minute < 3; minute++) {
            for (int i = 0; i < 100_000; i++) {
                d.record("10.0." + (i % 250) + "." + (i % 7) + ":" + (i % 1000));
            }
            d.flush();
        }
        int bound = 3 * (DropLog.MAX_FIRST_LINES + DropLog.MAX_SOURCES + 1);
        assertTrue(lines.list.size() <= bound, lines.list.size() + " lines for 300,000 datagrams (bound " + bound + ")");
        assertTrue(lines.list.stream().allMatch(e -> e.getThrowableProxy() == null), "no stack traces");
        assertTrue(lines.list.stream().anyMatch(e -> e.getFormattedMessage().contains("from other addresses")),
                "the rest is summed up");
    }

    @Test
    void oneSourceGetsOneWarningThenOneCountPerMinute() {
        Logger log = (Logger) LoggerFactory.getLogger("droplog-test-one");
        ListAppender<ILoggingEvent> lines = capture(log);
        DropLog d = new DropLog(log, "datagrams that failed authentication");
        for (int i = 0; i < 1000; i++) {
            d.record("10.1.1.1:5405");
        }
        assertEquals(1, lines.list.size());
        d.flush();
        assertEquals(2, lines.list.size());
        assertEquals("dropped 999 datagrams that failed authentication from 10.1.1.1:5405 in the last minute",
                lines.list.get(1).getFormattedMessage());
        d.flush();
        assertEquals(2, lines.list.size(), "nothing new, nothing logged");
    }
}
