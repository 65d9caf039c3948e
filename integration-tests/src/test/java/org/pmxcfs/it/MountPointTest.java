package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the daemon finds at its mount point: the dead mount of a killed instance is recovered
 * (detached and mounted again, as an admin restarting the service expects), anything else that
 * the mount would hide or replace stops start-up with an error that says what to do.
 */
class MountPointTest extends MountTestBase {

    /** Restart after kill -9, with the mount point named through a symlinked directory. */
    @Test
    void deadMountOfAKilledDaemonIsRecoveredOnRestart() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("real"));
        Files.createSymbolicLink(tmp.resolve("link"), real);
        Daemon d = track(new Daemon(tmp.resolve("link/d")));
        d.start();
        put(d.path("kept.cfg"), "kept\n");
        for (int round = 0; round < 2; round++) {
            d.kill9();
            assertTrue(d.isMounted(), "kill -9 leaves the mount in mountinfo");
            Sys.assertDeadMount(Sys.lstatErrno(d.path("probe-" + round)));
            d.start();
            assertEquals("kept\n", readString(d.path("kept.cfg")), "served again after restart " + round);
            put(d.path("round-" + round + ".cfg"), "r\n");
        }
        assertEquals(0, d.stop());
        assertFalse(d.isMounted());
    }

    @Test
    void nonEmptyMountPointIsRefusedAndItsFilesAreNamed() throws Exception {
        Daemon d = daemon();
        Files.createDirectories(d.mnt);
        for (String name : List.of("g.txt", "a.cfg", "f", "b.cfg", "sub", "c", "d.bak")) {
            Files.writeString(d.mnt.resolve(name), "mine\n");
        }
        Daemon.Exit e = d.startExpectingExit();
        assertNotEquals(0, e.code(), "exit code; output:\n" + e.output());
        assertTrue(e.output().contains("crit: ") && e.output().contains(d.mnt.toString()),
                "a crit line naming the mount point:\n" + e.output());
        assertTrue(e.output().contains("a.cfg, b.cfg, c, d.bak, f and 2 more"), "the first files, then a count:\n"
                + e.output());
        assertTrue(e.output().contains("--mountpoint"), "says what to do:\n" + e.output());
        assertFalse(d.isMounted(), "nothing mounted over the files");
        assertEquals("mine\n", readString(d.mnt.resolve("g.txt")), "files left alone");
        assertFalse(Files.exists(d.pidFile), "no pid file");
    }

    /** Only a FUSE mount is taken for the leftover of a crash; any other filesystem is not ours to remove. */
    @Test
    void anotherFilesystemAtTheMountPointIsLeftAlone() throws Exception {
        Daemon d = daemon();
        Files.createDirectories(d.mnt);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "pmxcfs-it", d.mnt.toString())
                .inheritIO().start();
        assertEquals(0, p.waitFor(), "mount tmpfs");
        try {
            Files.writeString(d.mnt.resolve("on-tmpfs"), "x");
            Daemon.Exit e = d.startExpectingExit();
            assertNotEquals(0, e.code(), "exit code; output:\n" + e.output());
            assertTrue(e.output().contains("tmpfs") && e.output().contains("--mountpoint"), e.output());
            assertEquals("x", readString(d.mnt.resolve("on-tmpfs")), "tmpfs still mounted there");
        } finally {
            Daemon.unmountLazy(d.mnt);
        }
    }
}
