package org.pmxcfs.web;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs cluster tasks as child processes (the original forks a worker per task) and keeps their
 * logs for the page. One cluster task runs at a time, as the original's cluster lock allows: a
 * second create or join while one runs is refused. The newest {@value #KEPT} tasks are kept.
 */
public final class Tasks {

    static final int KEPT = 32;
    private static final Logger log = LoggerFactory.getLogger("web");

    private final String nodename;
    private final LongSupplier clockMillis;
    private final Map<String, Task> byUpid = new LinkedHashMap<>();
    private Task running;

    public Tasks(String nodename, LongSupplier clockMillis) {
        this.nodename = nodename;
        this.clockMillis = clockMillis;
    }

    /** Thrown when a task cannot start. */
    public static final class StartException extends Exception {
        private static final long serialVersionUID = 1L;

        StartException(String message) {
            super(message);
        }
    }

    /**
     * Starts {@code command}, writes {@code input} (may be null) to its standard input and closes
     * it; stdout and stderr go to the task log.
     */
    public synchronized Task start(String type, String id, String user, List<String> command, String input)
            throws StartException {
        if (running != null && running.exitStatus() == null) {
            throw new StartException("another cluster task is still running (" + running.upid() + ")");
        }
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).directory(new java.io.File("/")).start();
        } catch (IOException e) {
            throw new StartException("unable to run '" + command.get(0) + "': " + e.getMessage()
                    + " - check the daemon's --pvecm option");
        }
        String upid = String.format(Locale.ROOT, "UPID:%s:%08X:%08X:%08X:%s:%s:%s:", nodename, p.pid(), 0,
                clockMillis.getAsLong() / 1000, type, id, user);
        Task t = new Task(upid);
        byUpid.put(upid, t);
        while (byUpid.size() > KEPT) {
            byUpid.remove(byUpid.keySet().iterator().next());
        }
        running = t;
        log.info("starting task {}", upid);
        Thread reader = new Thread(() -> follow(p, t, input), "task-" + type);
        reader.setDaemon(true);
        reader.start();
        return t;
    }

    /** The task with this UPID, if it is still kept. */
    public synchronized Optional<Task> get(String upid) {
        return Optional.ofNullable(byUpid.get(upid));
    }

    private static void follow(Process p, Task t, String input) {
        String last = null;
        try {
            try (OutputStream in = p.getOutputStream()) {
                if (input != null) {
                    in.write((input + "\n").getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // the command ended without reading its input; its output says why
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    t.append(line);
                    if (!line.isBlank()) {
                        last = line;
                    }
                }
            }
            int rc = p.waitFor();
            String status = rc == 0 ? "OK" : (last != null ? last : "command failed with exit code " + rc);
            t.append(rc == 0 ? "TASK OK" : "TASK ERROR: " + status);
            t.finish(status);
            log.info("end task {} {}", t.upid(), status);
        } catch (IOException e) {
            p.destroy();
            t.finish("unable to read the task's output: " + e.getMessage());
        } catch (InterruptedException e) {
            p.destroy();
            t.finish("interrupted");
            Thread.currentThread().interrupt();
        }
    }
}
