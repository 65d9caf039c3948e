package org.pmxcfs.pvecm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeygenTest {

    @TempDir
    Path dir;

    @Test
    void writes256RandomBytesWithMode0400AndCreatesParents() throws Exception {
        Path key = dir.resolve("a/b/authkey");
        Run r = Run.of("keygen", key.toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals("Corosync Cluster Engine Authentication key generator.\n"
                + "Gathering 2048 bits for key from /dev/urandom.\n"
                + "Writing corosync key to " + key + ".\n", r.out());
        assertEquals(256, Files.size(key));
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        Path other = dir.resolve("other");
        assertEquals(0, Run.of("keygen", other.toString()).rc());
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(key), Files.readAllBytes(other)));
    }

    @Test
    void refusesAnExistingFile() throws Exception {
        Path key = dir.resolve("authkey");
        Files.writeString(key, "keep me");
        Run r = Run.of("keygen", key.toString());
        assertEquals(new Run(1, "", "key file '" + key + "' already exists\n"), r);
        assertArrayEquals("keep me".getBytes(), Files.readAllBytes(key));
        Path link = dir.resolve("dangling");
        Files.createSymbolicLink(link, dir.resolve("nowhere"));
        assertEquals(1, Run.of("keygen", link.toString()).rc());
    }

    @Test
    void onlyRoot() {
        Path key = dir.resolve("authkey");
        assertEquals(new Run(1, "", "Error: Authorization key must be generated as root user.\n"),
                Run.as(1000, "keygen", key.toString()));
        assertFalse(Files.exists(key));
    }

    @Test
    void effectiveUidIsRead() {
        assertEquals(true, Pvecm.effectiveUid() >= 0);
    }
}
