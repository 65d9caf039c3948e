package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 15.1: a daemon that runs out of memory must end, with a crit line saying so and that
 * the service must be restarted, rather than go on looking healthy. The heap is made small
 * (JVM option only, nothing in the daemon knows it is tested) and the tree cap large, so that
 * plain 1 MiB writes exhaust the heap before they reach the cap.
 */
class FailStopTest extends MountTestBase {

    static final int MIB = 1 << 20;
    static final int MAX_FILES = 80;
    /** FailStop.EXIT_CODE, spelled out: the code service managers and scripts see. */
    static final int FAIL_STOP_EXIT = 70;
    static final String BACKSTOP = Path.of(System.getProperty("repo.root"), "scripts", "oom-backstop").toString();

    @Test
    void outOfMemoryEndsTheDaemonWithACritLineAndTheNextStartRecoversTheMount() throws Exception {
        String bigCap = Long.toString(500L * MIB);
        // with the backstop of scripts/pmxcfs, which must leave the stop to the daemon's own handler
        Daemon d = daemon("--max-total-size", bigCap).jvm("-Xmx24m", "-XX:OnOutOfMemoryError=" + BACKSTOP + " %p");
        d.start();
        put(d.path("before.cfg"), "written before\n");
        byte[] blob = pattern(15, MIB);

        int written = 0;
        for (int i = 0; i < MAX_FILES && d.alive(); i++) {
            int fd = Sys.open(d.path("f" + i + ".bin"), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_TRUNC, 0640);
            if (fd < 0) {
                break; // the mount is gone
            }
            long n = Sys.write(fd, blob, blob.length);
            if (Sys.close(fd) == 0 && n == blob.length) {
                written++;
            }
        }
        Process p = d.process();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the daemon must end after running out of memory ("
                + written + " files of 1 MiB written, heap 24 MiB); output:\n" + d.output());
        String out = d.output();
        System.out.println("[fail-stop] exit " + p.exitValue() + " after " + written + " files of 1 MiB");
        assertEquals(FAIL_STOP_EXIT, p.exitValue(), out);
        assertTrue(out.contains("[main] crit: fatal error in thread '") && out.contains("OutOfMemoryError")
                && out.contains("must be restarted"), "crit line:\n" + out);
        assertTrue(d.isMounted(), "the dead mount is left for the next start");
        assertFalse(out.contains("killing it"), out);

        // the next start (normal heap) detaches the dead mount, mounts, and has every closed file
        Daemon again = track(new Daemon(d.base, "--max-total-size", bigCap)).start();
        assertEquals("written before\n", readString(again.path("before.cfg")));
        for (int i = 0; i < written; i++) {
            assertArrayEquals(blob, Files.readAllBytes(again.path("f" + i + ".bin")), "f" + i + ".bin");
        }
        assertTrue(written > 0, "some writes completed before the heap ran out");
        assertEquals(0, again.stop());
    }

    /**
     * The backstop for an OutOfMemoryError that library code swallowed: run as the JVM runs it,
     * on a daemon that does not stop by itself, it logs a crit line and kills it after 5 s.
     */
    @Test
    void backstopKillsADaemonThatDidNotStopAndSaysSo() throws Exception {
        Daemon d = started();
        Path log = tmp.resolve("backstop.log");
        Process backstop = new ProcessBuilder(BACKSTOP, Long.toString(d.process().pid()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(backstop.waitFor(2, TimeUnit.SECONDS), "returns at once: the JVM waits for it");
        assertTrue(d.alive(), "not killed at once: the daemon's own handler goes first");
        assertTrue(d.process().waitFor(20, TimeUnit.SECONDS), "killed after 5 s");
        assertEquals(137, d.process().exitValue(), "SIGKILL");
        assertTrue(Daemon.poll(5000, 50, () -> readString(log).contains("[main] crit: out of memory")),
                readString(log));
        assertTrue(readString(log).contains("the service must be restarted"), readString(log));
        track(new Daemon(d.base)).start(); // recovers the dead mount
    }

    @Test
    void backstopLeavesOtherProcessesAlone() throws Exception {
        Process other = new ProcessBuilder("sleep", "30").start();
        try {
            Process backstop = new ProcessBuilder(BACKSTOP, Long.toString(other.pid())).start();
            assertTrue(backstop.waitFor(2, TimeUnit.SECONDS));
            assertFalse(other.waitFor(8, TimeUnit.SECONDS), "a process that is not pmxcfs is not killed");
        } finally {
            other.destroyForcibly();
            other.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
