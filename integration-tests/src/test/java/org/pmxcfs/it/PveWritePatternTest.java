package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.it.Sys.assertOk;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.Test;

/**
 * PVE::File::file_set_contents: write {@code <f>.tmp.<pid>} with O_WRONLY|O_CREAT|O_EXCL,
 * close, rename over {@code <f>}. Every config change in PVE goes this way.
 */
class PveWritePatternTest extends MountTestBase {

    static final int ROUNDS = 200;

    /** One file_set_contents; fails the test on any error. */
    static void setContents(Path target, byte[] data) {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp." + ProcessHandle.current().pid());
        Sys.writeFile(tmp, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, data);
        assertOk(Sys.rename(tmp, target), "rename " + tmp + " over " + target);
    }

    @Test
    void tmpPlusRenameTwoHundredTimes() throws IOException {
        Daemon d = started();
        Path m = d.mnt;
        mkdirs(m, "nodes/" + Daemon.NODENAME + "/qemu-server");
        List<Path> targets = List.of(m.resolve("storage.cfg"), m.resolve("nodes/" + Daemon.NODENAME + "/qemu-server/100.conf"));
        byte[] last = null;
        for (int i = 0; i < ROUNDS; i++) {
            Path target = targets.get(i % 2);
            // sizes from 0 to ~70 KiB, some above one 128 KiB FUSE write at the end
            int size = i == ROUNDS - 1 ? 300_000 : (i * 7919) % 70_000;
            byte[] data = pattern(i, size);
            setContents(target, data);
            assertArrayEquals(data, readBytes(target), "content after round " + i);
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp." + ProcessHandle.current().pid());
            Sys.assertErrno(Errno.ENOENT, Sys.lstatErrno(tmp), "temp file gone after round " + i);
            last = data;
        }
        assertEquals(List.of("100.conf"), ModesAndStatusFilesTest.rawListing(m.resolve("nodes/" + Daemon.NODENAME + "/qemu-server")));
        assertTrue(ModesAndStatusFilesTest.rawListing(m).stream().noneMatch(n -> n.contains(".tmp.") || n.startsWith(".fuse_hidden")),
                "no temp files left: " + ModesAndStatusFilesTest.rawListing(m));
        byte[] storage = readBytes(targets.get(0));
        d.stop();
        d.start();
        assertArrayEquals(storage, readBytes(targets.get(0)), "storage.cfg after restart");
        assertArrayEquals(last, readBytes(targets.get(1)), "100.conf after restart");
    }
}
