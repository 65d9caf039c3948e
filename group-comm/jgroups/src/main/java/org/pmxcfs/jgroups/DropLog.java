package org.pmxcfs.jgroups;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;

/**
 * What unauthenticated traffic costs in the log: a warning the first time a source sends
 * something that does not open, then one line per source per {@link #flush()} (once a minute)
 * with the count, never a stack trace. Bounded whatever arrives (UDP sources can be forged):
 * at most {@link #MAX_FIRST_LINES} immediate warnings and {@link #MAX_SOURCES} summary lines
 * per minute; the rest is summed up under "other addresses".
 */
final class DropLog {

    static final int MAX_SOURCES = 16;
    static final int MAX_FIRST_LINES = 4;
    private static final String OTHERS = "other addresses";

    private final Logger log;
    private final String what;
    /** Sources seen since the last flush → units dropped and not yet logged (first seen first). */
    private final Map<String, long[]> counts = new LinkedHashMap<>();
    /** Sources named in a warning already (bounded: forgotten sources are only named again). */
    private final Set<String> named = new HashSet<>();
    private int firstLines;

    /** @param what what is dropped, e.g. "datagrams that failed authentication on 10.0.0.1:5405" */
    DropLog(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    /** One dropped unit from {@code source}. */
    synchronized void record(String source) {
        if (!named.contains(source) && firstLines < MAX_FIRST_LINES) {
            firstLines++;
            if (named.size() >= 1024) {
                named.clear();
            }
            named.add(source);
            log.warn("dropped {} from {} - a node with another authkey or cluster name, or not a cluster node;"
                    + " further drops are counted once a minute", what, source);
            return;
        }
        String key = counts.containsKey(source) || counts.size() < MAX_SOURCES ? source : OTHERS;
        counts.computeIfAbsent(key, k -> new long[1])[0]++;
    }

    /** Logs and resets what was counted since the last call. */
    synchronized void flush() {
        counts.forEach((source, n) -> log.warn("dropped {} {} from {} in the last minute", n[0], what, source));
        counts.clear();
        firstLines = 0;
    }
}
