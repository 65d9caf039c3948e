package org.pmxcfs.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Who sent a request, as the kernel's own permission checks would see them: the filesystem uid
 * and gid from the request header, and the supplementary groups and capabilities of the calling
 * thread from {@code /proc/<pid>/status}. The header has no groups or capabilities, so those are
 * read (once per request) only when the uid and gid alone do not allow what is asked. A caller
 * whose thread is gone or not visible in the daemon's pid namespace has neither.
 */
final class Caller {

    static final int CAP_CHOWN = 0;
    static final int CAP_DAC_OVERRIDE = 1;
    static final int CAP_DAC_READ_SEARCH = 2;
    static final int CAP_FOWNER = 3;

    final int uid;
    final int gid;
    final int pid;
    private Status status;

    Caller(int uid, int gid, int pid) {
        this.uid = uid;
        this.gid = gid;
        this.pid = pid;
    }

    /** What /proc tells about a thread: supplementary groups, effective and permitted capabilities. */
    record Status(int[] groups, long effective, long permitted) {
        static final Status NONE = new Status(new int[0], 0, 0);

        /** Parses the text of /proc/PID/status; lines it does not know are skipped. */
        static Status parse(String text) {
            int[] groups = new int[0];
            long eff = 0;
            long prm = 0;
            for (String line : text.split("\n")) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String value = line.substring(colon + 1).strip();
                switch (line.substring(0, colon)) {
                    case "Groups" -> groups = value.isEmpty() ? new int[0]
                            : Arrays.stream(value.split("\\s+")).mapToInt(Integer::parseUnsignedInt).toArray();
                    case "CapEff" -> eff = Long.parseUnsignedLong(value, 16);
                    case "CapPrm" -> prm = Long.parseUnsignedLong(value, 16);
                    default -> {
                        // not needed
                    }
                }
            }
            return new Status(groups, eff, prm);
        }
    }

    boolean inGroup(int g) {
        if (g == gid) {
            return true;
        }
        for (int s : status().groups()) {
            if (s == g) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the caller holds {@code cap}. For access(2) ({@code forAccessCall}) the kernel
     * checks with the real ids: a caller whose real uid is not 0 has no capabilities then, and
     * root has its permitted ones.
     */
    boolean capable(int cap, boolean forAccessCall) {
        if (forAccessCall && uid != 0) {
            return false;
        }
        Status s = status();
        long set = forAccessCall ? s.permitted() : s.effective();
        return (set & (1L << cap)) != 0;
    }

    private Status status() {
        if (status == null) {
            status = read(pid);
        }
        return status;
    }

    private static Status read(int pid) {
        if (pid <= 0) {
            return Status.NONE;
        }
        try {
            return Status.parse(new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "status")),
                    StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return Status.NONE; // the thread is gone: it gets what its uid and gid allow, no more
        }
    }
}
