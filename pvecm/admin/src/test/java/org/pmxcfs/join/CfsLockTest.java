package org.pmxcfs.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CfsLockTest {

    @TempDir
    Path mount;

    private final AtomicLong now = new AtomicLong();
    private final AtomicBoolean quorate = new AtomicBoolean(true);
    private final List<String> progress = new ArrayList<>();
    private final List<Long> sleeps = new ArrayList<>();

    @org.junit.jupiter.api.BeforeEach
    void mounted() throws Exception {
        Files.createDirectories(mount.resolve("priv")); // pmxcfs always has it
    }

    private CfsLock lock() {
        return new CfsLock(mount, quorate::get, now::get, ms -> {
            sleeps.add(ms);
            now.addAndGet(ms);
        }, progress::add, CfsLock.DEFAULT_TIMEOUT);
    }

    @Test
    void lockIdOfAFile() {
        assertEquals("file-corosync_conf", CfsLock.fileLockId("corosync.conf"));
        assertEquals("file-priv_shadow_cfg", CfsLock.fileLockId("priv/shadow.cfg"));
    }

    @Test
    void runsUnderTheLockDirectoryAndRemovesIt() throws Exception {
        Path dir = mount.resolve("priv/lock/file-corosync_conf");
        String r = lock().run("file-corosync_conf", () -> {
            assertTrue(Files.isDirectory(dir));
            return "done";
        });
        assertEquals("done", r);
        assertFalse(Files.exists(dir));
        assertTrue(progress.isEmpty());
    }

    @Test
    void removedAlsoWhenTheCodeFailsAndItsErrorPassesUnchanged() {
        JoinException e = assertThrows(JoinException.class, () -> lock().run("x", () -> {
            throw new JoinException("can't add existing node 'pve2'");
        }));
        assertEquals("can't add existing node 'pve2'", e.getMessage());
        assertFalse(Files.exists(mount.resolve("priv/lock/x")));
    }

    @Test
    void heldLockTimesOutAfterTenSecondsSayingItTriesOncePerSecond() throws Exception {
        Files.createDirectories(mount.resolve("priv/lock/x"));
        JoinException e = assertThrows(JoinException.class, () -> lock().run("x", () -> "never"));
        assertEquals("cfs-lock 'x' error: got lock request timeout", e.getMessage());
        assertEquals(10_000, now.get());
        assertTrue(progress.size() >= 9 && progress.size() <= 11, progress.toString());
        assertEquals("trying to acquire cfs lock 'x' ...", progress.get(0));
        assertTrue(sleeps.stream().allMatch(s -> s <= 1000));
        // someone else's lock stays
        assertTrue(Files.isDirectory(mount.resolve("priv/lock/x")));
    }

    @Test
    void lockReleasedMeanwhileIsTaken() throws Exception {
        Path held = Files.createDirectories(mount.resolve("priv/lock/x"));
        CfsLock l = new CfsLock(mount, quorate::get, now::get, ms -> {
            now.addAndGet(ms);
            try {
                Files.deleteIfExists(held);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, progress::add, CfsLock.DEFAULT_TIMEOUT);
        assertEquals("ok", l.run("x", () -> "ok"));
        assertEquals(List.of("trying to acquire cfs lock 'x' ..."), progress);
    }

    @Test
    void aLockThatCannotBeRemovedIsHandedOn() throws Exception {
        List<String> stuck = new ArrayList<>();
        Path dir = mount.resolve("priv/lock/x");
        now.set(5000);
        lock().onStuckLock((id, lock, t0, e) -> stuck.add(id + " " + lock.getFileName() + " " + t0))
                .run("x", () -> Files.createFile(dir.resolve("blocker")));
        assertEquals(List.of("x x 5000"), stuck);
        Files.delete(dir.resolve("blocker"));
        Files.delete(dir);
        // by default it is only said
        lock().run("x", () -> Files.createFile(dir.resolve("blocker")));
        assertTrue(progress.get(progress.size() - 1).startsWith("unable to release cfs lock 'x' ("), progress.toString());
    }

    @Test
    void daemonRetriesTheReleaseWhileTheLockIsSurelyItsOwn() throws Exception {
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            Path lock = Files.createDirectories(mount.resolve("priv/lock/x"));
            Path blocker = Files.createFile(lock.resolve("blocker"));
            new LockRetry(timer, System::currentTimeMillis).handle("x", lock, System.currentTimeMillis(),
                    new java.io.IOException("Permission denied"));
            Thread.sleep(1500);
            assertTrue(Files.exists(lock));
            Files.delete(blocker); // quorum is back
            long deadline = System.currentTimeMillis() + 5000;
            while (Files.exists(lock) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertFalse(Files.exists(lock));

            // past the safe window it is left alone: by then someone else may hold it
            Path other = Files.createDirectories(mount.resolve("priv/lock/y"));
            Files.createFile(other.resolve("blocker"));
            new LockRetry(timer, System::currentTimeMillis).handle("y", other,
                    System.currentTimeMillis() - CfsLock.SAFE_RELEASE_WINDOW.toMillis(), new java.io.IOException("x"));
            Thread.sleep(1300);
            Files.delete(other.resolve("blocker"));
            Thread.sleep(1500);
            assertTrue(Files.exists(other));
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void withoutQuorumTheErrorIsNoQuorum() throws Exception {
        Files.createDirectories(mount.resolve("priv/lock/x"));
        quorate.set(false);
        assertEquals("no quorum!", assertThrows(JoinException.class, () -> lock().run("x", () -> "never")).getMessage());
    }

    @Test
    void missingFilesystem() {
        CfsLock l = new CfsLock(mount.resolve("absent/deeper"), quorate::get, now::get, ms -> { }, progress::add,
                CfsLock.DEFAULT_TIMEOUT);
        assertEquals("cfs-lock 'x' error: pve cluster filesystem not online.",
                assertThrows(JoinException.class, () -> l.run("x", () -> "never")).getMessage());
    }
}
