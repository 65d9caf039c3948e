package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The daemon keeps working over its lifetime, not just right after start. */
class RobustnessTest extends MountTestBase {

    /**
     * A full GC in the daemon must not break the mount. (The FUSE callbacks are native closures
     * that jnr-ffi holds only weakly; if nothing keeps the filesystem object alive, a GC turns
     * every callback into "return 0" with an empty reply, and the kernel then marks the root
     * inode bad: every access to the mount fails with EIO until it is remounted.)
     */
    @Test
    void mountSurvivesAFullGc() {
        Daemon d = started();
        put(d.path("before.cfg"), "before\n");
        for (int round = 0; round < 3; round++) {
            d.forceGc();
            // new names, so the kernel cannot answer from its caches
            String name = "after-" + round + ".cfg";
            byte[] data = pattern(round, 1000 + round);
            put(d.path(name), data);
            assertArrayEquals(data, readBytes(d.path(name)), "write + read after GC " + round);
            assertEquals("before\n", readString(d.path("before.cfg")), "read after GC " + round);
            mkdirs(d.mnt, "dir-" + round);
            Sys.assertOk(Sys.lstatErrno(d.path("dir-" + round)), "stat of a new dir after GC " + round);
            assertTrue(readString(d.path(".members")).contains("\"nodename\": \"" + Daemon.NODENAME + "\""),
                    ".members after GC " + round);
            List<String> names = listing(d.mnt);
            assertTrue(names.contains(name) && names.contains("before.cfg"), "readdir after GC: " + names);
        }
        Path root = d.mnt;
        Sys.assertOk(Sys.lstatErrno(root), "root still usable");
    }

    static List<String> listing(Path dir) {
        try {
            return ModesAndStatusFilesTest.rawListing(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
