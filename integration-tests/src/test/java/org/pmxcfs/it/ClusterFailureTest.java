package org.pmxcfs.it;

import static jnr.constants.platform.Errno.EACCES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.it.Sys.assertErrno;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jnr.posix.FileStat;
import org.junit.jupiter.api.Test;

/**
 * Issue #3, scenarios 2 and 3: nodes killed with SIGKILL. One of three lost: the other two stay
 * quorate and writable, and the killed node, restarted on its old directories (its dead mount
 * still there), catches up. Two of three lost: the survivor goes read-only but keeps serving
 * reads, and is writable again once the others are back.
 */
class ClusterFailureTest extends ClusterTestBase {

    @Override
    int classIndex() {
        return 1;
    }

    /** One write attempt: when it started and ended (ms after the kill) and its errno. */
    record Attempt(Cluster.Node node, long startMs, long endMs, int errno) {
        @Override
        public String toString() {
            return node + "@" + startMs + "+" + (endMs - startMs) + "ms:" + Sys.name(errno);
        }
    }

    @Test
    void killNineOfOneNodeLeavesTwoWritableAndTheRestartedNodeResyncs() {
        Cluster c = started(3);
        Cluster.Node victim = c.node(1); // node1: lowest node id (sync leader) and the oldest group member
        List<Cluster.Node> survivors = List.of(c.node(2), c.node(3));
        ClusterFs.put(c.node(2).path("before.cfg"), "before\n");
        ClusterFs.awaitAll(c.nodes, n -> "before\n".equals(ClusterFs.readOrNull(n.path("before.cfg"))), "before.cfg", 5_000);

        long t0 = System.nanoTime();
        victim.kill9();
        long killedMs = (System.nanoTime() - t0) / 1_000_000;
        // a name never looked up before, so the kernel must ask the (dead) daemon
        Sys.assertDeadMount(Sys.lstatErrno(victim.path("probe-" + System.nanoTime())));

        // one prober thread per survivor writes sequentially (one FUSE thread busy at most, so
        // .members stays readable); this thread watches quorum and membership
        List<Attempt> attempts = java.util.Collections.synchronizedList(new ArrayList<>());
        long[] offlineMs = {-1, -1};
        long[] writableMs = {-1, -1};
        List<String> quorumLost = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ExecutorService probers = java.util.concurrent.Executors.newFixedThreadPool(2);
        for (int i = 0; i < 2; i++) {
            Cluster.Node n = survivors.get(i);
            int idx = i;
            probers.submit(() -> {
                for (int seq = 0; !stop.get(); seq++) {
                    long s = ms(t0);
                    int rc = ClusterFs.tryPut(n.path("during-" + n.name + ".cfg"), "attempt " + seq + "\n");
                    Attempt a = new Attempt(n, s, ms(t0), rc);
                    attempts.add(a);
                    synchronized (writableMs) {
                        if (rc == 0 && writableMs[idx] < 0 && offlineMs[idx] >= 0 && s >= offlineMs[idx]) {
                            writableMs[idx] = a.endMs();
                        }
                    }
                    Daemon.sleep(50);
                }
            });
        }
        try {
            while (ms(t0) < 40_000) {
                boolean done = true;
                for (int i = 0; i < 2; i++) {
                    Cluster.Node n = survivors.get(i);
                    int q = n.quorateValue();
                    if (q != 1) {
                        quorumLost.add(n + " quorate=" + q + " at " + ms(t0) + " ms");
                    }
                    synchronized (writableMs) {
                        if (offlineMs[i] < 0 && q == 1 && !n.onlineIds().contains(1)) {
                            offlineMs[i] = ms(t0);
                        }
                        done &= writableMs[i] >= 0;
                    }
                }
                if (done) {
                    break;
                }
                Daemon.sleep(50);
            }
        } finally {
            stop.set(true);
            probers.shutdown();
        }
        Cluster.await("probers finished", 35_000, probers::isTerminated);
        List<Attempt> slow;
        synchronized (attempts) {
            slow = attempts.stream().filter(a -> a.errno() != 0 || a.endMs() - a.startMs() > 100).toList();
        }
        System.out.println("[cluster-timing] kill -9 of node1 took " + killedMs + " ms; write attempts on the survivors"
                + " that failed or took more than 100 ms: " + slow + " (" + attempts.size() + " attempts in all)");
        timing("node2 shows node1 offline after kill -9", offlineMs[0]);
        timing("node3 shows node1 offline after kill -9", offlineMs[1]);
        timing("node2 writable (a write started after node1 shown offline acknowledged) after kill -9", writableMs[0]);
        timing("node3 writable (a write started after node1 shown offline acknowledged) after kill -9", writableMs[1]);
        assertEquals(List.of(), quorumLost, "the two survivors stay quorate throughout");
        assertTrue(writableMs[0] >= 0 && writableMs[1] >= 0, "both survivors writable within 40 s: " + slow);
        assertTrue(attempts.stream().noneMatch(a -> a.errno() == EACCES.intValue()), "no EACCES on a quorate node: " + slow);
        // no write on a survivor may hang much longer than failure detection plus a sync
        assertEquals(List.of(), slow.stream().filter(a -> a.endMs() - a.startMs() > 10_000).toList(),
                "writes issued on the survivors while node1's death was being detected complete within 10 s");
        assertTrue(Math.max(writableMs[0], writableMs[1]) < 15_000, "both survivors writable within 15 s of the kill");

        // written while node1 is down
        ClusterFs.mkdirs(c.node(3).mnt, "while-down");
        for (int i = 0; i < 20; i++) {
            ClusterFs.put(survivors.get(i % 2).path("while-down/f" + i + ".cfg"), "file " + i + "\n");
        }
        assertTrue(Sys.rename(c.node(2).path("before.cfg"), c.node(2).path("while-down/renamed.cfg")) == 0, "rename");

        // restart on the same directories; the daemon clears its dead mount itself
        assertTrue(Daemon.isMounted(victim.mnt), "the dead mount is still there before the restart");
        long r0 = System.nanoTime();
        victim.start();
        long mountedMs = ms(r0);
        long quorateMs = c.awaitQuorate(c.nodes, 30_000) + mountedMs;
        timing("restarted node1 mounted", mountedMs);
        timing("restarted node1 quorate with all online", quorateMs);
        long syncedMs = ClusterFs.awaitAll(List.of(victim), n -> "file 19\n".equals(ClusterFs.readOrNull(n.path("while-down/f19.cfg"))),
                "files written while node1 was down appear on node1", 10_000) + quorateMs;
        timing("restarted node1 has the files written while it was down", syncedMs);
        Map<String, String> tree = c.awaitIdenticalTrees(c.nodes, 10_000);
        assertTrue(tree.containsKey("while-down/renamed.cfg") && !tree.containsKey("before.cfg"), "rename seen: " + tree.keySet());
        for (int i = 0; i < 20; i++) {
            assertEquals("file " + i + "\n", ClusterFs.readOrNull(victim.path("while-down/f" + i + ".cfg")));
        }
        // and it is a full member again: its own writes reach the others
        ClusterFs.put(victim.path("after-restart.cfg"), "back\n");
        ClusterFs.awaitAll(c.nodes, n -> "back\n".equals(ClusterFs.readOrNull(n.path("after-restart.cfg"))),
                "a write on the restarted node everywhere", 5_000);
    }

    /**
     * Writes in flight while the coordinator (the JGroups sequencer) is killed: the membership
     * change drops them in transit, and the next sync tells each writer whether its write was
     * applied or sends it again. No write on a survivor fails (the original returns EBUSY for
     * some), and every acknowledged write is on both survivors.
     */
    @Test
    void writesInFlightWhenTheCoordinatorIsKilledAllSucceed() {
        Cluster c = started(3);
        List<Cluster.Node> survivors = List.of(c.node(2), c.node(3));
        long t0 = System.nanoTime();
        List<Attempt> attempts = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.Map<String, String> acked = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(4);
        for (Cluster.Node n : survivors) {
            for (int t = 0; t < 2; t++) {
                String file = "inflight-" + n.name + "-" + t + ".cfg";
                writers.submit(() -> {
                    for (int seq = 0; !stop.get() && seq < 100_000; seq++) {
                        String content = "attempt " + seq + "\n";
                        long s = ms(t0);
                        int rc = ClusterFs.tryPut(n.path(file), content);
                        attempts.add(new Attempt(n, s, ms(t0), rc));
                        if (rc == 0) {
                            acked.put(file, content);
                        }
                        Daemon.sleep(2);
                    }
                });
            }
        }
        long killMs;
        try {
            Daemon.sleep(1_000);
            c.node(1).kill9();
            killMs = ms(t0); // kill9 returns once the process is gone: from here on node1 is dead
            Cluster.await("node1 offline on both survivors", 20_000,
                    () -> survivors.stream().allMatch(n -> n.quorate() && !n.onlineIds().contains(1)));
            Daemon.sleep(1_000);
        } finally {
            stop.set(true);
            writers.shutdown();
        }
        Cluster.await("writers finished", 40_000, writers::isTerminated);
        List<Attempt> failed;
        List<Attempt> slow;
        synchronized (attempts) {
            failed = attempts.stream().filter(a -> a.errno() != 0).toList();
            slow = attempts.stream().filter(a -> a.endMs() - a.startMs() > 100).toList();
        }
        System.out.println("[cluster-timing] writes in flight at the coordinator's kill -9 (at " + killMs + " ms): "
                + attempts.size() + " attempts, slower than 100 ms: " + slow);
        assertEquals(List.of(), failed, "no write on a survivor fails while the coordinator dies");
        assertTrue(attempts.stream().anyMatch(a -> a.startMs() <= killMs && a.endMs() > killMs + 100),
                "some writes were in flight across the kill: " + slow);
        Map<String, String> tree = c.awaitIdenticalTrees(survivors, 10_000);
        acked.forEach((file, content) -> {
            for (Cluster.Node n : survivors) {
                assertEquals(content, ClusterFs.readOrNull(n.path(file)), "last acknowledged write of " + file + " on " + n);
            }
        });
        assertTrue(tree.keySet().containsAll(acked.keySet()));
    }

    @Test
    void killNineOfTwoNodesMakesTheSurvivorReadOnlyUntilTheyReturn() {
        Cluster c = started(3);
        Cluster.Node survivor = c.node(1);
        ClusterFs.mkdirs(survivor.mnt, "dir", "dir/empty", "priv/lock/held");
        ClusterFs.put(survivor.path("dir/file.cfg"), "content\n");
        ClusterFs.awaitAll(c.nodes, n -> "content\n".equals(ClusterFs.readOrNull(n.path("dir/file.cfg"))), "dir/file.cfg", 5_000);

        long t0 = System.nanoTime();
        c.node(2).kill9();
        c.node(3).kill9();
        long readOnlyMs = Cluster.await("node1 not quorate", 20_000, () -> survivor.quorateValue() == 0);
        timing("node1 lost quorum after kill -9 of node2 and node3", readOnlyMs);
        long offlineMs = Cluster.await(".members on node1 shows only node1 online", 20_000,
                () -> survivor.onlineIds().equals(Set.of(1))) + readOnlyMs;
        timing("node1 shows node2 and node3 offline after their kill -9", offlineMs);

        // every mutation is refused with EACCES
        Path m = survivor.mnt;
        assertErrno(EACCES, -Sys.open(m.resolve("new.cfg"), Sys.O_WRONLY | Sys.O_CREAT, 0640), "create");
        assertErrno(EACCES, -Sys.open(m.resolve("dir/file.cfg"), Sys.O_WRONLY | Sys.O_TRUNC, 0640), "open for writing");
        assertErrno(EACCES, Sys.truncate(m.resolve("dir/file.cfg"), 0), "truncate");
        assertErrno(EACCES, Sys.mkdir(m.resolve("newdir")), "mkdir");
        assertErrno(EACCES, Sys.mkdir(m.resolve("priv/lock/other")), "lock acquire");
        assertErrno(EACCES, Sys.rmdir(m.resolve("dir/empty")), "rmdir");
        assertErrno(EACCES, Sys.unlink(m.resolve("dir/file.cfg")), "unlink");
        assertErrno(EACCES, Sys.rename(m.resolve("dir/file.cfg"), m.resolve("dir/moved.cfg")), "rename");
        assertErrno(EACCES, Sys.utimes(m.resolve("dir/file.cfg"), 0, 1_000_000_000L), "utimes");

        // visibly read-only (the kernel may show attributes it cached up to 1 s before the loss)
        Cluster.await("local symlink lr-xr-xr-x, dir and file without write bits", 3_000, () -> {
            FileStat local = Sys.lstat(m.resolve("local"));
            FileStat file = Sys.stat(m.resolve("dir/file.cfg"));
            FileStat dir = Sys.stat(m.resolve("dir"));
            return local != null && "lr-xr-xr-x".equals(modeString(local.mode())) && file != null
                    && (file.mode() & 0222) == 0 && dir != null && (dir.mode() & 0222) == 0;
        });
        assertEquals("content\n", ClusterFs.readOrNull(m.resolve("dir/file.cfg")), "reads still work");
        assertTrue(Files.isDirectory(m.resolve("priv/lock/held")), "lookups still work");
        assertTrue(ClusterFs.readOrNull(m.resolve(".vmlist")) != null, "status files still work");
        Map<String, String> before = Cluster.treeDigest(m);
        assertTrue(before.containsKey("dir/file.cfg"), "readdir still works: " + before.keySet());

        // the others come back: quorate again, writable, same tree
        long b0 = System.nanoTime();
        c.node(2).launch();
        c.node(3).launch();
        c.node(2).awaitMounted();
        c.node(3).awaitMounted();
        c.awaitQuorate(c.nodes, 30_000);
        timing("node1 quorate again after restarting node2 and node3 (from launch)", ms(b0));
        Cluster.await("local symlink lrwxr-xr-x again", 3_000, () -> {
            FileStat again = Sys.lstat(m.resolve("local"));
            return again != null && "lrwxr-xr-x".equals(modeString(again.mode()));
        });
        ClusterFs.put(m.resolve("new.cfg"), "writable again\n");
        ClusterFs.awaitAll(c.nodes, n -> "writable again\n".equals(ClusterFs.readOrNull(n.path("new.cfg"))), "new.cfg everywhere",
                5_000);
        Map<String, String> tree = c.awaitIdenticalTrees(c.nodes, 10_000);
        before.forEach((k, v) -> assertEquals(v, tree.get(k), "unchanged while read-only: " + k));
    }

    static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** "lrwxr-xr-x" style, as ls shows it. */
    static String modeString(int mode) {
        char type = switch (mode & 0170000) {
            case 0120000 -> 'l';
            case 0040000 -> 'd';
            default -> '-';
        };
        StringBuilder sb = new StringBuilder().append(type);
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            sb.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return sb.toString();
    }
}
