package org.pmxcfs.daemon;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalStreamTest {

    @TempDir
    Path tmp;

    @Test
    void onlyTheStreamSystemdNamedCounts() throws Exception {
        Path stream = Files.createFile(tmp.resolve("stream"));
        Path other = Files.createFile(tmp.resolve("other"));
        Map<String, Object> st = Files.readAttributes(stream, "unix:dev,ino");
        String named = Long.toUnsignedString((Long) st.get("dev")) + ":" + Long.toUnsignedString((Long) st.get("ino"));
        assertTrue(JournalStream.matches(named, stream));
        assertFalse(JournalStream.matches(named, other), "stderr redirected elsewhere");
        assertFalse(JournalStream.matches(null, stream), "not started by systemd");
        assertFalse(JournalStream.matches("garbage", stream));
    }
}
