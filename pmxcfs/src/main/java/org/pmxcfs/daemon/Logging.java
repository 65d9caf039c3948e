package org.pmxcfs.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.pmxcfs.plug.DebugSwitch;
import org.slf4j.LoggerFactory;

/**
 * Log output in the original's shape, {@code [domain] level: message}, on stderr; the logger
 * name is the domain (main, database, status, ...). A daemonised pmxcfs writes stderr to its log
 * file, and then each line starts with a time stamp, as syslog would add.
 */
public final class Logging implements DebugSwitch {

    /**
     * Renders logback levels with the original's syslog priority names. JGroups' own errors are
     * transport noise (a member that left mid-send, a late forward), told as warnings: what
     * needs an admin is logged by our code, which knows what a failure means.
     */
    public static final class SyslogLevel extends ClassicConverter {
        @Override
        public String convert(ILoggingEvent event) {
            return switch (event.getLevel().toInt()) {
                case Level.ERROR_INT -> event.getLoggerName().startsWith("org.jgroups") ? "warning" : "crit";
                case Level.WARN_INT -> "warning";
                case Level.INFO_INT -> "notice";
                default -> "debug";
            };
        }
    }

    private final Logger root;

    private Logging(Logger root) {
        this.root = root;
    }

    /** Replaces any configuration with ours. */
    public static Logging configure(boolean debug, boolean timestamps) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        PatternLayout.DEFAULT_CONVERTER_SUPPLIER_MAP.put("syslevel", SyslogLevel::new);
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern((timestamps ? "%d{yyyy-MM-dd HH:mm:ss} pmxcfs[" + ProcessHandle.current().pid() + "]: " : "")
                + "[%logger] %syslevel: %msg%n");
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
        ctx.getLogger("org.jgroups").setLevel(Level.WARN);
        // a stranger's oversized frame on the failure detector's TCP port would cost a warning
        // per connection; the connection is dropped, and that is all it deserves
        ctx.getLogger("org.jgroups.blocks.cs").setLevel(Level.ERROR);
        return logging;
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
