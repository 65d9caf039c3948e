package org.pmxcfs.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

class LoggingTest {

    private static String level(String logger, Level level) {
        LoggerContext ctx = new LoggerContext();
        LoggingEvent e = new LoggingEvent("x", ctx.getLogger(logger), level, "m", null, null);
        return new Logging.SyslogLevel().convert(e);
    }

    @Test
    void ourErrorsAreCriticalJGroupsErrorsAreWarnings() {
        assertEquals("crit", level("dcdb", Level.ERROR));
        assertEquals("warning", level("org.jgroups.protocols.SEQUENCER", Level.ERROR));
        // our subclasses of JGroups' protocols log under their own class names
        assertEquals("warning", level("org.pmxcfs.jgroups.ViewFirstSequencer", Level.ERROR));
        assertEquals("warning", level("cpg", Level.WARN));
        assertEquals("notice", level("main", Level.INFO));
        assertEquals("debug", level("main", Level.DEBUG));
    }

    @Test
    void journalLinesCarryTheSyslogPriority() {
        LoggerContext ctx = new LoggerContext();
        assertEquals("2", new Logging.SyslogPriority().convert(
                new LoggingEvent("x", ctx.getLogger("database"), Level.ERROR, "m", null, null)));
        assertEquals("5", new Logging.SyslogPriority().convert(
                new LoggingEvent("x", ctx.getLogger("main"), Level.INFO, "m", null, null)));
        assertEquals("<%syslogpri>[%logger] %syslevel: %msg%n", Logging.pattern(Logging.Target.JOURNAL));
    }
}
