package org.pmxcfs.corosync;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A log message of the original, kept as a value so callers and tests can see exactly what was
 * (or would be) logged.
 *
 * @param logger  the original's log domain, used as the slf4j logger name: {@code dcdb} for the
 *                copy rule ({@code dcdb_sync_corosync_conf} lives in {@code dcdb.c}), {@code main}
 *                for the atomic write ({@code cfs-utils.c} has no domain, which pmxcfs prints as
 *                {@code main})
 * @param level   the original's level
 * @param message the message, worded as the original's
 */
public record LogLine(String logger, Level level, String message) {

    /** The original's levels that occur here. */
    public enum Level {
        /** {@code cfs_critical}, syslog crit; logged as slf4j error. */
        CRIT,
        /** {@code cfs_message}, syslog notice; logged as slf4j info. */
        NOTICE
    }

    public LogLine {
        Objects.requireNonNull(logger, "logger");
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(message, "message");
    }

    static LogLine crit(String logger, String message) {
        return new LogLine(logger, Level.CRIT, message);
    }

    static LogLine notice(String logger, String message) {
        return new LogLine(logger, Level.NOTICE, message);
    }

    /** Sends the line to slf4j. */
    public void emit() {
        Logger log = LoggerFactory.getLogger(logger);
        if (level == Level.CRIT) {
            log.error(message);
        } else {
            log.info(message);
        }
    }
}
