package org.pmxcfs.web;

import java.util.ArrayList;
import java.util.List;

/**
 * One task (a create or join run by pvecm): its UPID, its log lines as they come, and once it has
 * ended its exit status, {@code OK} or the error (the original's task status shape).
 */
public final class Task {

    /** Lines kept; a longer log keeps its first lines and says what it dropped. */
    static final int MAX_LINES = 5000;

    private final String upid;
    private final List<String> lines = new ArrayList<>();
    private int dropped;
    private String exitStatus;

    Task(String upid) {
        this.upid = upid;
    }

    /** The task's id, {@code UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:}. */
    public String upid() {
        return upid;
    }

    synchronized void append(String line) {
        if (lines.size() < MAX_LINES) {
            lines.add(line);
        } else {
            dropped++;
        }
    }

    synchronized void finish(String status) {
        if (dropped > 0) {
            lines.add("(" + dropped + " more lines not kept)");
        }
        exitStatus = status;
    }

    /** Lines {@code from} (0-based) on, at most {@code limit}. */
    public synchronized List<String> lines(int from, int limit) {
        int start = Math.min(Math.max(from, 0), lines.size());
        return List.copyOf(lines.subList(start, Math.min(lines.size(), start + Math.max(limit, 0))));
    }

    /** How many lines there are so far. */
    public synchronized int total() {
        return lines.size();
    }

    /** Null while it runs; then {@code OK} or the error. */
    public synchronized String exitStatus() {
        return exitStatus;
    }
}
