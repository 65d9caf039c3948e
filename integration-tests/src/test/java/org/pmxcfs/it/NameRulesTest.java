package org.pmxcfs.it;

import static jnr.constants.platform.Errno.EINVAL;
import static jnr.constants.platform.Errno.ENAMETOOLONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pmxcfs.it.Sys.assertErrno;
import static org.pmxcfs.it.Sys.assertOk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Which names the mount takes: what statfs reports as the longest name is exactly what every
 * operation accepts, and names are UTF-8 (the tree, its database and the cluster protocol carry
 * UTF-8), so bytes that are not UTF-8 are refused instead of being merged into one name.
 */
class NameRulesTest extends MountTestBase {

    static final int NAME_MAX = 255;

    /** pathconf(_PC_NAME_MAX) on {@code dir}, as POSIX test suites size their names. */
    static int pathconfNameMax(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("getconf", "NAME_MAX", dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("getconf NAME_MAX " + dir + " failed: " + out);
        }
        return Integer.parseInt(out);
    }

    static int create(Path p) {
        int fd = Sys.open(p, Sys.O_WRONLY | Sys.O_CREAT, 0640);
        return fd < 0 ? -fd : Sys.close(fd);
    }

    @Test
    void theReportedNameMaxIsWhatEveryOperationEnforces() throws Exception {
        Daemon d = started();
        Path m = d.mnt;
        assertEquals(NAME_MAX, pathconfNameMax(m), "statfs f_namemax");
        mkdirs(m, "sub");

        Path max = m.resolve("f".repeat(NAME_MAX));
        Path tooLong = m.resolve("f".repeat(NAME_MAX + 1));
        assertOk(create(max), "create with a NAME_MAX name");
        put(max, "0123456789");
        assertOk(Sys.truncate(max, 3), "truncate a NAME_MAX name");
        assertEquals("012", readString(max));
        assertOk(Sys.unlink(max), "unlink a NAME_MAX name");
        put(m.resolve("short"), "s");
        assertOk(Sys.rename(m.resolve("short"), max), "rename to a NAME_MAX name");
        assertEquals("s", readString(max));
        Path maxDir = m.resolve("sub/" + "d".repeat(NAME_MAX));
        assertOk(Sys.mkdir(maxDir), "mkdir with a NAME_MAX name");
        assertOk(Sys.rmdir(maxDir), "rmdir a NAME_MAX name");
        // the limit counts bytes: 127 two-byte characters and one more byte
        Path maxUtf8 = m.resolve("\u00e9".repeat(127) + "x");
        assertOk(create(maxUtf8), "create with a NAME_MAX-byte UTF-8 name");
        assertErrno(ENAMETOOLONG, create(m.resolve("\u00e9".repeat(128))), "create with 128 two-byte characters");

        assertErrno(ENAMETOOLONG, create(tooLong), "create with NAME_MAX + 1");
        assertErrno(ENAMETOOLONG, Sys.mkdir(tooLong), "mkdir with NAME_MAX + 1");
        assertErrno(ENAMETOOLONG, Sys.rename(max, tooLong), "rename to NAME_MAX + 1");
        // what a name too long to exist gives everywhere else, as on any Linux filesystem
        assertErrno(ENAMETOOLONG, Sys.unlink(tooLong), "unlink NAME_MAX + 1");
        assertErrno(ENAMETOOLONG, Sys.rmdir(tooLong), "rmdir NAME_MAX + 1");
        assertErrno(ENAMETOOLONG, Sys.truncate(tooLong, 0), "truncate NAME_MAX + 1");
        assertErrno(ENAMETOOLONG, Sys.lstatErrno(tooLong.resolve("x")), "lookup below NAME_MAX + 1");
        assertEquals(Set.of("f".repeat(NAME_MAX), "sub", "\u00e9".repeat(127) + "x"), names(m));
    }

    @Test
    void namesThatAreNotUtf8AreRefusedAndNothingIsCreated() throws Exception {
        Daemon d = started();
        Path m = d.mnt;
        mkdirs(m, "dir");
        put(m.resolve("a.cfg"), "a");
        byte[] ff = Sys.raw(m, new byte[] {'x', (byte) 0xff, '.', 'c', 'f', 'g'});
        byte[] fe = Sys.raw(m, new byte[] {'x', (byte) 0xfe, '.', 'c', 'f', 'g'});
        byte[] truncatedSequence = Sys.raw(m, new byte[] {'x', (byte) 0xc3});
        byte[] surrogate = Sys.raw(m, new byte[] {'x', (byte) 0xed, (byte) 0xa0, (byte) 0x80});
        byte[] inDir = Sys.raw(m.resolve("dir"), new byte[] {(byte) 0xff});
        for (byte[] bad : List.of(ff, fe, truncatedSequence, surrogate, inDir)) {
            String what = Sys.s(Path.of(new String(bad, 0, bad.length - 1, StandardCharsets.ISO_8859_1)));
            assertErrno(EINVAL, Sys.createRaw(bad), "create " + what);
            assertErrno(EINVAL, Sys.mkdirRaw(bad), "mkdir " + what);
            assertErrno(EINVAL, Sys.mknodRaw(bad), "mknod " + what);
            assertErrno(EINVAL, Sys.renameRaw(Sys.raw(m, bytes("a.cfg")), bad), "rename to " + what);
            assertErrno(EINVAL, Sys.lookupRaw(bad), "lookup " + what);
        }
        assertEquals("a", readString(m.resolve("a.cfg")), "rename source untouched");

        // a real U+FFFD is valid UTF-8 (EF BF BD) and an ordinary name
        byte[] replacementChar = Sys.raw(m, new byte[] {'x', (byte) 0xef, (byte) 0xbf, (byte) 0xbd, '.', 'c', 'f', 'g'});
        assertOk(Sys.createRaw(replacementChar), "create x\\uFFFD.cfg");
        put(m.resolve("x\ufffd.cfg"), "replacement character\n");
        assertEquals("replacement character\n", readString(m.resolve("x\ufffd.cfg")));
        assertEquals(Set.of("a.cfg", "dir", "x\ufffd.cfg"), names(m), "nothing else created");
        assertEquals(Set.of(), names(m.resolve("dir")));
    }

    /**
     * The name rules hold whatever the daemon's locale: the JDK 17 default charset follows it,
     * and decoding paths with it turned every non-ASCII byte under LANG=C into U+FFFD, so
     * different names became one file.
     */
    @Test
    void utf8NamesStayDistinctUnderACLocale() throws Exception {
        Daemon d = daemon().env("LANG", "C").env("LC_ALL", "C").start();
        Path m = d.mnt;
        put(m.resolve("\u00e9.cfg"), "e acute\n");
        put(m.resolve("\u00e8.cfg"), "e grave\n");
        assertEquals("e acute\n", readString(m.resolve("\u00e9.cfg")));
        assertEquals("e grave\n", readString(m.resolve("\u00e8.cfg")));
        assertEquals(Set.of("\u00e9.cfg", "\u00e8.cfg"), names(m), "readdir gives the names back as UTF-8");
        assertErrno(EINVAL, Sys.createRaw(Sys.raw(m, new byte[] {'x', (byte) 0xff})), "not UTF-8 under LANG=C");
    }

    /** The directory's entries that are not status files or symlinks of the root. */
    static Set<String> names(Path dir) throws IOException {
        Set<String> out = new TreeSet<>(ModesAndStatusFilesTest.rawListing(dir));
        out.removeAll(Set.of(".clusterlog", ".debug", ".members", ".rrd", ".version", ".vmlist", "local", "lxc",
                "openvz", "qemu-server"));
        return out;
    }
}
