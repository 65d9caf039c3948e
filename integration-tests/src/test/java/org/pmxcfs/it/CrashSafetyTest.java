package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * kill -9 in the middle of a write loop: every write whose close (or rename) returned 0 must be
 * there after a restart on the same directories, and the new daemon must clear the dead mount.
 */
class CrashSafetyTest extends MountTestBase {

    static byte[] content(int i) {
        StringBuilder sb = new StringBuilder("seq " + i + "\n");
        int len = 100 + (i * 131) % 9000;
        for (int k = 0; sb.length() < len; k++) {
            sb.append((char) ('a' + (i + k) % 26));
        }
        sb.append("\nend ").append(i).append('\n');
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static int seqOf(byte[] data) {
        String s = new String(data, StandardCharsets.US_ASCII);
        int nl = s.indexOf('\n');
        return Integer.parseInt(s.substring(4, nl));
    }

    /** fsync(2) acknowledges too: a write followed by fsync survives kill -9 while still open. */
    @Test
    void fsyncedWriteOfAnOpenFileSurvivesKill9() {
        Daemon d = started();
        byte[] first = content(1);
        byte[] second = content(2);
        int fd = Sys.open(d.path("open.cfg"), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, 0640);
        assertTrue(fd >= 0, Sys.name(-fd));
        try {
            assertEquals(first.length, Sys.write(fd, first, first.length));
            Sys.assertOk(Sys.fsync(fd), "fsync");
            assertEquals(second.length, Sys.pwrite(fd, second, second.length, first.length));
            Sys.assertOk(Sys.fsync(fd), "second fsync");
            d.kill9();
        } finally {
            Sys.close(fd);  // fails on the dead mount; the data was acknowledged by fsync
        }
        d.start();
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        assertArrayEquals(both, readBytes(d.path("open.cfg")), "fsynced content after kill -9");
    }

    @Test
    void acknowledgedWritesSurviveKill9() throws Exception {
        Daemon d = started();
        Path dir = d.mnt.resolve("crash");
        mkdirs(d.mnt, "crash");
        Set<Integer> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger lastStateAck = new AtomicInteger(-1);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> firstError = new AtomicReference<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);

        Thread writer = new Thread(() -> {
            for (int i = 0; i < 1_000_000 && !stop.get() && System.nanoTime() < deadline; i++) {
                byte[] data = content(i);
                if (i % 2 == 0) {
                    int fd = Sys.open(dir.resolve("f-" + i), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, 0640);
                    if (fd < 0) {
                        firstError.compareAndSet(null, "open f-" + i + ": " + Sys.name(-fd));
                        return;
                    }
                    long n = Sys.write(fd, data, data.length);
                    int rc = Sys.close(fd);
                    if (n != data.length || rc != 0) {
                        firstError.compareAndSet(null, "write/close f-" + i + ": " + n + " " + Sys.name(rc));
                        return;
                    }
                    acked.add(i);
                } else {
                    Path tmp = dir.resolve("state.cfg.tmp." + ProcessHandle.current().pid());
                    int fd = Sys.open(tmp, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, 0640);
                    if (fd < 0) {
                        firstError.compareAndSet(null, "open tmp " + i + ": " + Sys.name(-fd));
                        return;
                    }
                    long n = Sys.write(fd, data, data.length);
                    int rc = Sys.close(fd);
                    if (n != data.length || rc != 0) {
                        firstError.compareAndSet(null, "write/close tmp " + i + ": " + n + " " + Sys.name(rc));
                        return;
                    }
                    rc = Sys.rename(tmp, dir.resolve("state.cfg"));
                    if (rc != 0) {
                        firstError.compareAndSet(null, "rename " + i + ": " + Sys.name(rc));
                        return;
                    }
                    lastStateAck.set(i);
                }
            }
        }, "crash-writer");
        writer.start();
        assertTrue(Daemon.poll(20_000, 5, () -> acked.size() >= 150 || !writer.isAlive()),
                "writer made progress: " + acked.size());
        assertTrue(writer.isAlive(), "writer stopped early: " + firstError.get());
        d.kill9();
        writer.join(10_000);
        stop.set(true);
        assertFalse(writer.isAlive(), "writer still blocked in a syscall after the daemon died");
        int ackedCount = acked.size();
        System.out.printf("crash: %d files and state seq %d acknowledged before kill -9 (writer stopped by: %s)%n",
                ackedCount, lastStateAck.get(), firstError.get());

        assertTrue(Daemon.isMounted(d.mnt), "kill -9 leaves the dead mount behind");
        // a name never looked up before, so the kernel must ask the (dead) daemon
        Sys.assertDeadMount(Sys.lstatErrno(dir.resolve("probe-" + System.nanoTime())));

        d.start();  // must clear the dead mount itself
        Sys.assertErrno(0, Sys.lstatErrno(dir), "mount usable after restart");
        for (int i : acked) {
            Path f = dir.resolve("f-" + i);
            assertTrue(Files.exists(f), "acknowledged file f-" + i + " lost (of " + ackedCount + ")");
            assertArrayEquals(content(i), readBytes(f), "content of acknowledged f-" + i);
        }
        if (lastStateAck.get() >= 0) {
            byte[] state = readBytes(dir.resolve("state.cfg"));
            int seq = seqOf(state);
            assertTrue(seq >= lastStateAck.get(), "state.cfg seq " + seq + " >= last acknowledged " + lastStateAck.get());
            assertArrayEquals(content(seq), state, "state.cfg is one complete version");
        }
        // a file whose write was not acknowledged is absent, empty or complete (one FUSE write each)
        for (String name : ModesAndStatusFilesTest.rawListing(dir)) {
            if (name.startsWith("f-")) {
                int i = Integer.parseInt(name.substring(2));
                byte[] c = readBytes(dir.resolve(name));
                assertTrue(c.length == 0 || java.util.Arrays.equals(content(i), c), "unacknowledged " + name
                        + " is empty or complete, not " + c.length + " bytes");
            } else {
                assertTrue(List.of("state.cfg", "state.cfg.tmp." + ProcessHandle.current().pid()).contains(name),
                        "unexpected entry " + name);
            }
        }
        // and it keeps working
        put(dir.resolve("after"), "ok");
        assertEquals("ok", readString(dir.resolve("after")));
        d.stop();

        // once stopped, config.db alone has every acknowledged write (the original, a backup of
        // the file, sqlite3 read it without the daemon's commit log, which a clean stop removes)
        assertFalse(Files.exists(d.db().resolveSibling("config.db-commitlog")), "a clean stop leaves no commit log");
        java.util.Map<String, byte[]> rows = new java.util.HashMap<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + d.db());
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT name, data FROM tree")) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getBytes(2));
            }
        }
        for (int i : acked) {
            assertArrayEquals(content(i), rows.get("f-" + i), "config.db's row of acknowledged f-" + i);
        }
        assertArrayEquals("ok".getBytes(StandardCharsets.US_ASCII), rows.get("after"), "config.db's row of after");
    }
}
