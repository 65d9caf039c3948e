package org.pmxcfs.it;

import static jnr.constants.platform.Errno.EEXIST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.it.Sys.assertErrno;
import static org.pmxcfs.it.Sys.assertOk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jnr.posix.FileStat;
import org.junit.jupiter.api.Test;

/**
 * What {@code ls -la /etc/pve} and the Perl tools see: modes, owner, times, symlinks, listing
 * order, and the status files compared with the original's output (samples/).
 */
class ModesAndStatusFilesTest extends MountTestBase {

    static final String SAMPLE_NODE = "pmxa-local";
    static final String NODE = Daemon.NODENAME;

    static int wwwDataGid() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/group"))) {
                String[] f = line.split(":");
                if (f.length >= 3 && f[0].equals("www-data")) {
                    return Integer.parseInt(f[2]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no group www-data on this machine");
    }

    static String sample(String name) {
        try (InputStream in = ModesAndStatusFilesTest.class.getResourceAsStream("/samples/" + name)) {
            assertNotNull(in, "sample " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace(SAMPLE_NODE, NODE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file body of exactly {@code len} bytes starting with {@code head}. */
    static byte[] sized(String head, int len) {
        StringBuilder sb = new StringBuilder(head);
        while (sb.length() < len - 1) {
            sb.append('#');
        }
        sb.setLength(len - 1);
        sb.append('\n');
        return bytes(sb.toString());
    }

    private static void assertMode(Path p, int expectedMode, int uid, int gid) {
        FileStat st = Sys.lstat(p);
        assertNotNull(st, "lstat " + p);
        assertEquals(Integer.toOctalString(expectedMode), Integer.toOctalString(st.mode()), "mode of " + p);
        assertEquals(uid, st.uid(), "uid of " + p);
        assertEquals(gid, st.gid(), "gid of " + p);
    }

    @Test
    void modesOwnersAndTimes() {
        Daemon d = started();
        Path m = d.mnt;
        int www = wwwDataGid();
        mkdirs(m, "nodes/" + NODE + "/qemu-server", "nodes/" + NODE + "/priv", "nodes/" + NODE + "/openvz",
                "nodes/" + NODE + "/privnot", "priv/lock", "priv2");
        long before = System.currentTimeMillis() / 1000;
        put(m.resolve("datacenter.cfg"), "keyboard: en-us\n");
        put(m.resolve("priv/authkey.key"), "secret\n");
        put(m.resolve("nodes/" + NODE + "/priv/node.key"), "k\n");
        put(m.resolve("nodes/" + NODE + "/openvz/101.mount"), "#!/bin/sh\n");
        long after = System.currentTimeMillis() / 1000;

        assertMode(m, 040755, 0, www);
        assertMode(m.resolve("nodes"), 040755, 0, www);
        assertMode(m.resolve("nodes/" + NODE + "/qemu-server"), 040755, 0, www);
        assertMode(m.resolve("nodes/" + NODE + "/privnot"), 040755, 0, www);
        assertMode(m.resolve("priv2"), 040755, 0, www);
        assertMode(m.resolve("priv"), 040700, 0, www);
        assertMode(m.resolve("priv/lock"), 040700, 0, www);
        assertMode(m.resolve("nodes/" + NODE + "/priv"), 040700, 0, www);
        assertMode(m.resolve("datacenter.cfg"), 0100640, 0, www);
        assertMode(m.resolve("priv/authkey.key"), 0100600, 0, www);
        assertMode(m.resolve("nodes/" + NODE + "/priv/node.key"), 0100600, 0, www);
        assertMode(m.resolve("nodes/" + NODE + "/openvz/101.mount"), 0100740, 0, www);
        for (String s : List.of(".version", ".members", ".vmlist", ".rrd", ".clusterlog")) {
            assertMode(m.resolve(s), 0100440, 0, www);
        }
        assertMode(m.resolve(".debug"), 0100640, 0, www);

        FileStat f = Sys.stat(m.resolve("datacenter.cfg"));
        assertEquals(16, f.st_size());
        assertEquals(1, f.nlink());
        assertEquals(2, Sys.stat(m.resolve("nodes")).nlink(), "nlink of a directory");
        assertEquals(0, Sys.stat(m.resolve("nodes")).st_size(), "size of a directory");
        assertTrue(f.mtime() >= before - 2 && f.mtime() <= after + 2, "mtime of a new file is now: " + f.mtime());
        assertEquals(f.mtime(), f.atime(), "atime = mtime");
        assertEquals(f.mtime(), f.ctime(), "ctime = mtime");
        for (String s : List.of("", ".version", ".members", ".vmlist", ".rrd", ".clusterlog", ".debug", "local",
                "qemu-server", "lxc", "openvz")) {
            FileStat st = Sys.lstat(m.resolve(s));
            assertEquals(0, st.mtime(), "mtime of /" + s + " is 0 (1970)");
        }

        assertOk(Sys.utimes(m.resolve("datacenter.cfg"), 1000, 1234567890), "utimes on a file");
        f = Sys.stat(m.resolve("datacenter.cfg"));
        assertEquals(1234567890, f.mtime(), "mtime after utimes");
        assertEquals(1234567890, f.atime(), "atime follows mtime");
        assertEquals("keyboard: en-us\n", readString(m.resolve("datacenter.cfg")));
        assertEquals(1234567890, Sys.stat(m.resolve("datacenter.cfg")).mtime(), "reading does not touch mtime");
    }

    @Test
    void symlinksPointIntoTheLocalNode() throws IOException {
        Daemon d = started();
        Path m = d.mnt;
        Map<String, String> expected = Map.of("local", "nodes/" + NODE, "qemu-server", "nodes/" + NODE + "/qemu-server",
                "lxc", "nodes/" + NODE + "/lxc", "openvz", "nodes/" + NODE + "/openvz");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Path link = m.resolve(e.getKey());
            assertMode(link, 0120755, 0, wwwDataGid());
            assertEquals(e.getValue(), Files.readSymbolicLink(link).toString(), "target of " + e.getKey());
            assertEquals(e.getValue().length(), Sys.lstat(link).st_size(), "size of symlink " + e.getKey());
            assertTrue(Files.notExists(link), "dangling before nodes/" + NODE + " exists: " + e.getKey());
        }
        mkdirs(m, "nodes/" + NODE + "/qemu-server", "nodes/" + NODE + "/lxc");
        put(m.resolve("qemu-server/100.conf"), "memory: 512\n");
        assertEquals("memory: 512\n", readString(m.resolve("nodes/" + NODE + "/qemu-server/100.conf")),
                "write through the qemu-server symlink lands in the node dir");
        assertTrue(Files.isDirectory(m.resolve("local/lxc")));
        assertTrue(Files.isDirectory(m.resolve("local")));
    }

    @Test
    void listingsAreCompleteAndSorted() throws IOException {
        Daemon d = started();
        Path m = d.mnt;
        List<String> names = List.of("zeta.cfg", "alpha.cfg", "Mid", "beta", "_x", "10.conf", "9.conf", "a-b", "a.b");
        mkdirs(m, "dir");
        for (String n : names) {
            if (n.indexOf('.') < 0) {
                mkdirs(m, "dir/" + n);
            } else {
                put(m.resolve("dir/" + n), n);
            }
        }
        List<String> raw = rawListing(m.resolve("dir"));
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(Comparator.naturalOrder());
        assertEquals(sorted, raw, "readdir of a directory (sorted order is what the reference recommends)");

        put(m.resolve("storage.cfg"), "dir: local\n");
        mkdirs(m, "nodes", "priv");
        List<String> root = rawListing(m);
        List<String> expectedRoot = new ArrayList<>(List.of(".clusterlog", ".debug", ".members", ".rrd", ".version",
                ".vmlist", "dir", "local", "lxc", "nodes", "openvz", "priv", "qemu-server", "storage.cfg"));
        expectedRoot.sort(Comparator.naturalOrder());
        assertEquals(expectedRoot, root, "readdir of the root");
    }

    /** The names in readdir order, without . and .. (which the JDK drops). */
    static List<String> rawListing(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                out.add(p.getFileName().toString());
            }
        }
        return out;
    }

    /**
     * Builds what the sample local-after-2-guests shows (same operations, same order) and
     * compares every status file and the ls -laR listing with the original's.
     */
    @Test
    void statusFilesAndListingMatchTheOriginal() throws Exception {
        long t0 = System.currentTimeMillis() / 1000;
        Daemon d = started();
        long t1 = System.currentTimeMillis() / 1000;
        Path m = d.mnt;

        // fresh: compare with samples/local-fresh
        assertEquals(sample("local-fresh/vmlist.txt"), readString(m.resolve(".vmlist")), ".vmlist of a fresh DB");
        assertEquals(sample("local-fresh/members.txt"), readString(m.resolve(".members")), ".members");
        assertEquals(sample("local-fresh/debug.txt"), readString(m.resolve(".debug")), ".debug");
        assertEquals("", readString(m.resolve(".rrd")), ".rrd");
        String version = readString(m.resolve(".version"));
        long start = starttime(version);
        assertTrue(start >= t0 - 1 && start <= t1 + 1, "starttime " + start + " is the daemon's start");
        assertEquals(sample("local-fresh/version.txt").replaceFirst("\"starttime\": \\d+", "\"starttime\": " + start),
                version, ".version of a fresh DB");

        // the operations of the sample
        mkdirs(m, "nodes/" + NODE + "/qemu-server", "nodes/" + NODE + "/lxc", "nodes/" + NODE + "/priv", "priv");
        Sys.writeFile(m.resolve("qemu-server/100.conf"), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL,
                sized("name: vm100\nmemory: 2048\n", 52));
        Sys.writeFile(m.resolve("lxc/200.conf"), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL,
                sized("hostname: ct200\n", 40));
        Path tmpFile = m.resolve("datacenter.cfg.tmp." + ProcessHandle.current().pid());
        Sys.writeFile(tmpFile, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, bytes("keyboard: de"));
        assertOk(Sys.rename(tmpFile, m.resolve("datacenter.cfg")), "rename datacenter.cfg into place");
        mkdirs(m, "nodes/other/qemu-server");
        int fd = Sys.open(m.resolve("nodes/other/qemu-server/100.conf"), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, 0640);
        if (fd >= 0) {
            Sys.close(fd);
        }
        assertErrno(EEXIST, fd < 0 ? -fd : 0, "create of VMID 100 on another node");

        assertEquals(sample("local-after-2-guests/vmlist.txt"), readString(m.resolve(".vmlist")), ".vmlist");
        assertEquals(sample("local-after-2-guests/members.txt"), readString(m.resolve(".members")), ".members");
        assertEquals(sample("local-after-2-guests/version.txt")
                .replaceFirst("\"starttime\": \\d+", "\"starttime\": " + start), readString(m.resolve(".version")),
                ".version after the sample's operations");
        assertEquals("0\n", readString(m.resolve(".debug")));
        assertEquals("", readString(m.resolve(".rrd")));

        String clog = readString(m.resolve(".clusterlog"));
        Object parsed = Json.parse(clog);
        List<?> data = (List<?>) ((Map<?, ?>) parsed).get("data");
        assertEquals(1, data.size(), ".clusterlog entries: " + clog);
        Map<?, ?> e = (Map<?, ?>) data.get(0);
        assertEquals("starting cluster log", e.get("msg"));
        assertEquals("cluster", e.get("tag"));
        assertEquals(NODE, e.get("node"));
        assertEquals("root", e.get("user"));
        assertEquals(6, ((Number) e.get("pri")).intValue());
        assertEquals(1, ((Number) e.get("uid")).intValue());
        assertEquals(d.process().pid(), ((Number) e.get("pid")).longValue(), "pid of the daemon");
        long time = ((Number) e.get("time")).longValue();
        assertTrue(time >= t0 - 1 && time <= t1 + 1, "time of the first log entry: " + time);
        assertEquals(sample("local-after-2-guests/clusterlog.txt")
                        .replaceFirst("\"time\": \\d+", "\"time\": " + time)
                        .replaceFirst("\"pid\": \\d+", "\"pid\": " + d.process().pid()),
                clog, ".clusterlog text");

        compareLsLaR(m, sample("local-after-2-guests/ls-laR.txt"));
    }

    static long starttime(String version) {
        java.util.regex.Matcher mm = java.util.regex.Pattern.compile("\"starttime\": (\\d+)").matcher(version);
        assertTrue(mm.find(), "starttime in .version: " + version);
        return Long.parseLong(mm.group(1));
    }

    /**
     * Runs {@code ls -laR --time-style=+} in the mount (C locale, as the sample) and compares it
     * line by line with the sample: modes, link counts, owner, group and names exactly; sizes
     * exactly where they do not depend on the node name, pid or time (those must equal the
     * length of what reading the file returns); the root's "total" and ".." (the host directory)
     * are skipped.
     */
    private static void compareLsLaR(Path m, String expected) throws Exception {
        Process p = new ProcessBuilder("ls", "-laR", "--time-style=+").directory(m.toFile()).redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String actual = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        List<String> exp = expected.lines().toList();
        List<String> act = actual.lines().toList();
        String both = "\nexpected:\n" + expected + "\nactual:\n" + actual;
        assertEquals(exp.size(), act.size(), "line count of ls -laR" + both);
        String dir = null;
        for (int i = 0; i < exp.size(); i++) {
            String el = exp.get(i);
            String al = act.get(i);
            if (el.endsWith(":") && !el.startsWith("total") && !el.startsWith("d") && !el.startsWith("-")) {
                dir = el.substring(0, el.length() - 1);
                assertEquals(el, al, "directory header" + both);
                continue;
            }
            if (el.isEmpty() || (".".equals(dir) && el.startsWith("total"))) {
                continue;
            }
            String[] ef = el.trim().split("\\s+");
            String[] af = al.trim().split("\\s+");
            if (el.startsWith("total")) {
                assertEquals(el.trim(), al.trim(), "'total' of " + dir + both);
                continue;
            }
            String name = ef[5];
            if (".".equals(dir) && name.equals("..")) {
                continue;
            }
            String where = dir + "/" + name + " line " + (i + 1) + both;
            assertEquals(ef.length, af.length, "fields of " + where);
            assertEquals(ef[0], af[0], "mode of " + where);
            assertEquals(ef[1], af[1], "link count of " + where);
            assertEquals(ef[2], af[2], "owner of " + where);
            assertEquals(ef[3], af[3], "group of " + where);
            assertEquals(name, af[5], "name order in " + where);
            for (int k = 6; k < ef.length; k++) {
                assertEquals(ef[k], af[k], "symlink target in " + where);
            }
            long size = Long.parseLong(af[4]);
            if (ef[0].startsWith("l")) {
                assertEquals(ef[7].length(), size, "symlink size of " + where);
            } else if (".".equals(dir) && name.startsWith(".") && !name.equals(".") && !name.equals(".debug")) {
                assertEquals(readBytes(m.resolve(name)).length, size, "size of status file " + where);
            } else {
                assertEquals(ef[4], af[4], "size of " + where);
            }
        }
    }
}
