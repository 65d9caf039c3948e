package org.pmxcfs.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.util.List;
import org.pmxcfs.plug.DebugSwitch;
import org.slf4j.LoggerFactory;

/**
 * Log output in the original's shape, {@code [domain] level: message}, on stderr; the logger
 * name is the domain (main, database, status, ...). A daemonised pmxcfs writes stderr to its log
 * file, and then each line starts with a time stamp, as syslog would add. Under systemd, stderr
 * is the journal: each line then starts with its syslog priority ({@code <2>} for crit), which
 * the journal stores as the entry's priority, as the original's syslog calls do.
 */
public final class Logging implements DebugSwitch {

    /**
     * Loggers of JGroups' protocols: JGroups' own and our subclasses of them (a protocol's log is
     * named after its class; our code in that package logs under domains such as "knet").
     */
    private static final List<String> JGROUPS = List.of("org.jgroups", "org.pmxcfs.jgroups");

    /**
     * Renders logback levels with the original's syslog priority names. JGroups' own errors are
     * transport noise (a member that left mid-send, a late forward), told as warnings: what
     * needs an admin is logged by our code, which knows what a failure means.
     */
    public static final class SyslogLevel extends ClassicConverter {
        @Override
        public String convert(ILoggingEvent event) {
            return switch (event.getLevel().toInt()) {
                case Level.ERROR_INT -> JGROUPS.stream().anyMatch(event.getLoggerName()::startsWith) ? "warning" : "crit";
                case Level.WARN_INT -> "warning";
                case Level.INFO_INT -> "notice";
                default -> "debug";
            };
        }
    }

    /** Where the lines go, and so what each line starts with. */
    public enum Target {
        /** A terminal (foreground): the bare line. */
        PLAIN,
        /** The log file of a daemonised pmxcfs: time stamp and pid first. */
        LOG_FILE,
        /** The systemd journal: the syslog priority as {@code <N>} first. */
        JOURNAL
    }

    /** The syslog priority number of a line (sd-daemon(3) prefix), matching {@link SyslogLevel}. */
    public static final class SyslogPriority extends ClassicConverter {
        @Override
        public String convert(ILoggingEvent event) {
            return switch (new SyslogLevel().convert(event)) {
                case "crit" -> "2";
                case "warning" -> "4";
                case "notice" -> "5";
                default -> "7";
            };
        }
    }

    private final Logger root;

    private Logging(Logger root) {
        this.root = root;
    }

    /** Replaces any configuration with ours. */
    public static Logging configure(boolean debug, Target target) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        PatternLayout.DEFAULT_CONVERTER_SUPPLIER_MAP.put("syslevel", SyslogLevel::new);
        PatternLayout.DEFAULT_CONVERTER_SUPPLIER_MAP.put("syslogpri", SyslogPriority::new);
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern(pattern(target));
        enc.start();
        ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
        out.setContext(ctx);
        out.setTarget("System.err");
        out.setEncoder(enc);
        out.start();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(out);
        Logging logging = new Logging(root);
        logging.set(debug);
        JGROUPS.forEach(name -> ctx.getLogger(name).setLevel(Level.WARN));
        // a stranger's oversized frame on the failure detector's TCP port would cost a warning
        // per connection; the connection is dropped, and that is all it deserves
        ctx.getLogger("org.jgroups.blocks.cs").setLevel(Level.ERROR);
        return logging;
    }

    static String pattern(Target target) {
        String line = "[%logger] %syslevel: %msg%n";
        return switch (target) {
            case PLAIN -> line;
            case LOG_FILE -> "%d{yyyy-MM-dd HH:mm:ss} pmxcfs[" + ProcessHandle.current().pid() + "]: " + line;
            case JOURNAL -> "<%syslogpri>" + line;
        };
    }

    @Override
    public boolean enabled() {
        return root.getLevel() == Level.DEBUG;
    }

    @Override
    public void set(boolean on) {
        root.setLevel(on ? Level.DEBUG : Level.INFO);
    }
}
