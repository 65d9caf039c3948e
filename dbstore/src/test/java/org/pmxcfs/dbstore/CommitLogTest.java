package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitLogTest {

    @TempDir
    Path tmp;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void framesComeBackInOrderAfterTheBase() throws Exception {
        Path f = tmp.resolve("log");
        try (CommitLog log = CommitLog.create(f, b("base"), List.of(b("first")))) {
            log.append(b("second"));
            log.append(new byte[0]);
            assertEquals(Files.size(f), log.size());
        }
        CommitLog.Contents c = CommitLog.read(f);
        assertArrayEquals(b("base"), c.base());
        assertEquals(List.of("first", "second", ""), c.frames().stream().map(String::new).toList());
        assertNull(c.damage());
        assertEquals(Files.size(f), c.validBytes());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)),
                "the log holds the tree's files, priv/ included");
    }

    @Test
    void framesBuiltInPlaceOfEverySizeComeBackWhole() throws Exception {
        Path f = tmp.resolve("log");
        byte[] big = new byte[3 << 20]; // beyond the buffer kept between appends
        Arrays.fill(big, (byte) 'B');
        byte[] mid = new byte[1 << 20];
        Arrays.fill(mid, (byte) 'M');
        try (CommitLog log = CommitLog.create(f, b("base"), List.of())) {
            log.append(mid.length, buf -> buf.put(mid));
            log.append(3, buf -> buf.put(b("abc")));
            log.append(big.length, buf -> buf.put(big));
            log.append(2, buf -> buf.put(b("xy")));
            assertThrows(IllegalStateException.class, () -> log.append(5, buf -> buf.put(b("abc"))),
                    "a payload shorter than announced");
            log.append(1, buf -> buf.put(b("z")));
        }
        CommitLog.Contents c = CommitLog.read(f);
        assertNull(c.damage());
        assertEquals(5, c.frames().size(), "the refused frame was not written");
        assertArrayEquals(mid, c.frames().get(0));
        assertArrayEquals(b("abc"), c.frames().get(1));
        assertArrayEquals(big, c.frames().get(2));
        assertArrayEquals(b("xy"), c.frames().get(3));
        assertArrayEquals(b("z"), c.frames().get(4));
    }

    @Test
    void aFrameCutAnywhereEndsTheLogBeforeIt() throws Exception {
        Path f = tmp.resolve("log");
        try (CommitLog log = CommitLog.create(f, b("base"), List.of(b("kept")))) {
            log.append(b("the last frame"));
        }
        byte[] whole = Files.readAllBytes(f);
        int lastStart = whole.length - 8 - b("the last frame").length;
        for (int cut = lastStart; cut < whole.length; cut++) {
            Files.write(f, Arrays.copyOf(whole, cut));
            CommitLog.Contents c = CommitLog.read(f);
            assertEquals(List.of("kept"), c.frames().stream().map(String::new).toList(), "cut at " + cut);
            assertEquals(lastStart, c.validBytes());
            assertEquals(cut > lastStart, c.damage() != null, "cut at " + cut + ": " + c.damage());
        }
    }

    @Test
    void aFlippedBitEndsTheLogAtItsFrame() throws Exception {
        Path f = tmp.resolve("log");
        try (CommitLog log = CommitLog.create(f, b("base"), List.of(b("one"), b("two"), b("three")))) {
            assertTrue(log.size() > 0);
        }
        byte[] bytes = Files.readAllBytes(f);
        int two = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("two");
        bytes[two + 1] ^= 0x10;
        Files.write(f, bytes);
        CommitLog.Contents c = CommitLog.read(f);
        assertEquals(List.of("one"), c.frames().stream().map(String::new).toList());
        assertTrue(c.damage().contains("checksum"), c.damage());
    }

    @Test
    void noFileIsAnEmptyLogAndAForeignFileIsNone() throws Exception {
        assertFalse(CommitLog.read(tmp.resolve("missing")).exists());
        Path foreign = Files.writeString(tmp.resolve("foreign"), "SQLite format 3\0...");
        CommitLog.Contents c = CommitLog.read(foreign);
        assertFalse(c.exists());
        assertNotNull(c.damage());
    }

    @Test
    void createReplacesTheOldLogWhole() throws Exception {
        Path f = tmp.resolve("log");
        try (CommitLog log = CommitLog.create(f, b("old base"), List.of(b("old 1"), b("old 2")))) {
            log.append(b("old 3"));
        }
        try (CommitLog log = CommitLog.create(f, b("new base"), List.of(b("still pending")))) {
            log.append(b("new"));
        }
        CommitLog.Contents c = CommitLog.read(f);
        assertArrayEquals(b("new base"), c.base());
        assertEquals(List.of("still pending", "new"), c.frames().stream().map(String::new).toList());
        assertFalse(Files.exists(tmp.resolve("log.new")), "no temporary file left");
    }
}
