package org.pmxcfs.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A copy whose inputs did not change is skipped (its decision was taken and logged already), but
 * never one whose outcome could differ: the local file changed meanwhile, or the last write failed.
 */
class CorosyncConfCopyTest {

    @TempDir
    Path dir;

    private static byte[] conf(int version) {
        return ("totem {\n  cluster_name: c\n  config_version: " + version + "\n}\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRefusedCopyIsMadeOnceTheLocalFileNoLongerWins() throws Exception {
        Path local = dir.resolve("corosync.conf");
        Files.write(local, conf(2));
        CorosyncConfCopy copy = new CorosyncConfCopy(local);
        assertFalse(copy.sync(conf(1), false), "the local file is newer");
        assertFalse(copy.sync(conf(1), false), "still newer");
        Files.delete(local); // the admin removes the local file: the same tree copy now goes through
        assertTrue(copy.sync(conf(1), false));
        assertArrayEquals(conf(1), Files.readAllBytes(local));
        assertFalse(copy.sync(conf(1), false), "identical now");
    }

    @Test
    void aCopyThatFailedToWriteIsTriedAgainWithTheSameInputs() throws Exception {
        Path local = dir.resolve("etc/corosync.conf"); // its directory is missing: the write fails
        CorosyncConfCopy copy = new CorosyncConfCopy(local);
        assertFalse(copy.sync(conf(1), false));
        Files.createDirectories(local.getParent());
        assertTrue(copy.sync(conf(1), false), "the same copy, now that it can be written");
        assertArrayEquals(conf(1), Files.readAllBytes(local));
    }
}
