package org.pmxcfs.corosync;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code logging} section's keys, in file order ({@code logger_subsys} blocks are left in the
 * tree).
 *
 * @param settings key to value, e.g. {@code debug: off}, {@code to_syslog: yes}
 * @param line     1-based line of the section
 */
public record LoggingSection(Map<String, String> settings, int line) {

    public LoggingSection {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** A setting's value. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(settings.get(key));
    }

    /** {@code debug} ({@code on}/{@code off}/{@code trace}), if set. */
    public Optional<String> debug() {
        return get("debug");
    }

    /** {@code to_syslog}, if set. */
    public Optional<String> toSyslog() {
        return get("to_syslog");
    }
}
