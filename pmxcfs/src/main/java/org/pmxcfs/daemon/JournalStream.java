package org.pmxcfs.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether stderr is connected to the systemd journal: systemd puts {@code JOURNAL_STREAM=dev:inode}
 * of the stream it hands a service into its environment, and a process whose stderr still is that
 * stream may prefix each line with {@code <N>} (sd-daemon(3)) to give it a syslog priority.
 * Comparing device and inode, not just the variable's presence, keeps a redirected stderr (a shell
 * started from the service, {@code 2>file}) free of those prefixes.
 */
final class JournalStream {

    private JournalStream() {}

    /** True if this process's stderr is the journal stream named by the environment. */
    static boolean isStderr() {
        return matches(System.getenv("JOURNAL_STREAM"), Path.of("/proc/self/fd/2"));
    }

    static boolean matches(String journalStream, Path fd) {
        if (journalStream == null) {
            return false;
        }
        String[] devIno = journalStream.split(":");
        if (devIno.length != 2) {
            return false;
        }
        try {
            Map<String, Object> st = Files.readAttributes(fd, "unix:dev,ino");
            return Long.parseUnsignedLong(devIno[0]) == (Long) st.get("dev")
                    && Long.parseUnsignedLong(devIno[1]) == (Long) st.get("ino");
        } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
            return false;
        }
    }
}
