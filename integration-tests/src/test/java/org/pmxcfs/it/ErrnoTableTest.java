package org.pmxcfs.it;

import static jnr.constants.platform.Errno.EACCES;
import static jnr.constants.platform.Errno.EEXIST;
import static jnr.constants.platform.Errno.EFBIG;
import static jnr.constants.platform.Errno.EIO;
import static jnr.constants.platform.Errno.EISDIR;
import static jnr.constants.platform.Errno.ENOENT;
import static jnr.constants.platform.Errno.ENOSYS;
import static jnr.constants.platform.Errno.ENOTDIR;
import static jnr.constants.platform.Errno.ENOTEMPTY;
import static jnr.constants.platform.Errno.EOPNOTSUPP;
import static jnr.constants.platform.Errno.EPERM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.it.Sys.assertErrno;
import static org.pmxcfs.it.Sys.assertOk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import jnr.posix.FileStat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The errno table of reference §1.3-1.7, checked syscall by syscall through a real mount: what
 * a PVE tool (or cp, rsync, ln, setfattr) sees when it touches /etc/pve.
 */
class ErrnoTableTest extends MountTestBase {

    static final int MIB = 1 << 20;

    Daemon d;
    Path m;

    @BeforeEach
    void up() {
        d = started();
        m = d.mnt;
    }

    @Test
    void mkdirTwiceIsEexist() {
        assertOk(Sys.mkdir(m.resolve("a")), "first mkdir");
        assertErrno(EEXIST, Sys.mkdir(m.resolve("a")), "second mkdir of the same name");
        put(m.resolve("f"), "x");
        assertErrno(EEXIST, Sys.mkdir(m.resolve("f")), "mkdir over a file");
        assertErrno(EEXIST, Sys.mkdir(m.resolve("local")), "mkdir over the 'local' symlink");
        assertErrno(EEXIST, Sys.mkdir(m.resolve(".version")), "mkdir over a status file");
        assertErrno(ENOENT, Sys.mkdir(m.resolve("missing/a")), "mkdir below a missing parent");
    }

    @Test
    void rmdirOfNonEmptyDirIsEnotemptyAndKeepsIt() {
        mkdirs(m, "a");
        put(m.resolve("a/f"), "keep");
        assertErrno(ENOTEMPTY, Sys.rmdir(m.resolve("a")), "rmdir of a non-empty dir");
        assertEquals("keep", readString(m.resolve("a/f")));
        assertOk(Sys.unlink(m.resolve("a/f")), "unlink a/f");
        assertOk(Sys.rmdir(m.resolve("a")), "rmdir of the now empty dir");
        assertErrno(ENOENT, Sys.lstatErrno(m.resolve("a")), "lstat after rmdir");
    }

    @Test
    void removingMissingOrWrongTypeFails() {
        assertErrno(ENOENT, Sys.unlink(m.resolve("nope")), "unlink of a missing file");
        assertErrno(ENOENT, Sys.rmdir(m.resolve("nope")), "rmdir of a missing dir");
        mkdirs(m, "dir");
        put(m.resolve("file"), "x");
        assertErrno(EISDIR, Sys.unlink(m.resolve("dir")), "unlink of a directory");
        assertErrno(ENOTDIR, Sys.rmdir(m.resolve("file")), "rmdir of a file");
        assertTrue(Files.isDirectory(m.resolve("dir")));
        assertTrue(Files.isRegularFile(m.resolve("file")));
    }

    @Test
    void exactlyOneMibIsAllowedAndOneByteMoreIsEfbig() {
        Path f = m.resolve("big.cfg");
        byte[] data = pattern(1, MIB);
        Sys.writeFile(f, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, data);
        assertEquals(MIB, Sys.stat(f).st_size());
        assertArrayEquals(data, readBytes(f), "1 MiB file read back");

        int fd = Sys.open(f, Sys.O_WRONLY, 0);
        assertTrue(fd >= 0, "open: " + Sys.name(-fd));
        try {
            long n = Sys.pwrite(fd, new byte[] {7}, 1, MIB);
            assertEquals(-EFBIG.intValue(), n,
                    "pwrite of 1 byte at offset 1 MiB: " + (n < 0 ? Sys.name((int) -n) : n + " bytes"));
            assertEquals(1, Sys.pwrite(fd, new byte[] {7}, 1, MIB - 1), "pwrite of the last byte inside 1 MiB");
        } finally {
            assertOk(Sys.close(fd), "close");
        }
        assertErrno(EFBIG, Sys.truncate(f, MIB + 1L), "truncate to 1 MiB + 1");
        assertEquals(MIB, Sys.stat(f).st_size(), "size unchanged by the refused operations");
        data[MIB - 1] = 7;
        assertArrayEquals(data, readBytes(f));

        // One write(2) of 1 MiB + 1: the kernel splits it into FUSE writes of <= 128 KiB (not
        // aligned to the file offset: the split follows the user buffer's pages). Every chunk
        // below the limit is taken; the one crossing 1 MiB gets EFBIG as a whole.
        Path g = m.resolve("big2.cfg");
        byte[] more = pattern(2, MIB + 1);
        fd = Sys.open(g, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, 0640);
        assertTrue(fd >= 0, "open: " + Sys.name(-fd));
        long total = 0;
        long last = 0;
        try {
            for (int i = 0; i < 20 && total < more.length; i++) {
                byte[] rest = Arrays.copyOfRange(more, (int) total, more.length);
                last = Sys.write(fd, rest, rest.length);
                if (last <= 0) {
                    break;
                }
                total += last;
            }
            assertTrue(total <= MIB && total > MIB - 128 * 1024, "bytes accepted of a 1 MiB + 1 write: " + total);
            assertEquals(-EFBIG.intValue(), last, "error for the write crossing 1 MiB: " + Sys.name((int) -last));
            // the rest up to exactly 1 MiB still fits
            int rest = (int) (MIB - total);
            if (rest > 0) {
                assertEquals(rest, Sys.pwrite(fd, Arrays.copyOfRange(more, (int) total, MIB), rest, total),
                        "filling up to exactly 1 MiB");
            }
            long n = Sys.pwrite(fd, new byte[] {1}, 1, MIB);
            assertEquals(-EFBIG.intValue(), n, "one byte beyond: " + (n < 0 ? Sys.name((int) -n) : n + " bytes"));
        } finally {
            Sys.close(fd);
        }
        assertArrayEquals(Arrays.copyOf(more, MIB), readBytes(g));
    }

    @Test
    void createOrMkdirBelowAFileIsEnotdir() {
        put(m.resolve("f"), "x");
        int fd = Sys.open(m.resolve("f/x"), Sys.O_WRONLY | Sys.O_CREAT, 0640);
        assertErrno(ENOTDIR, fd < 0 ? -fd : 0, "open(O_CREAT) below a file");
        if (fd >= 0) {
            Sys.close(fd);
        }
        assertErrno(ENOTDIR, Sys.mkdir(m.resolve("f/x")), "mkdir below a file");
        assertEquals("x", readString(m.resolve("f")));
    }

    @Test
    void exclusiveCreateOfExistingFileIsEexist() {
        put(m.resolve("f"), "old");
        int fd = Sys.open(m.resolve("f"), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, 0640);
        if (fd >= 0) {
            Sys.close(fd);
        }
        assertErrno(EEXIST, fd < 0 ? -fd : 0, "O_CREAT|O_EXCL on an existing file");
        assertEquals("old", readString(m.resolve("f")));
    }

    @Test
    void symlinkAndHardLinkAreEnosys() {
        put(m.resolve("f"), "x");
        assertErrno(ENOSYS, Sys.symlink("f", m.resolve("sym")), "symlink (ln -s) inside the mount");
        // The reference says ENOSYS; Linux >= 6.10 reports a FUSE ENOSYS for link as EPERM
        // ("fuse: Return EPERM rather than ENOSYS from link()"). Either means "not supported".
        int rc = Sys.link(m.resolve("f"), m.resolve("hard"));
        assertTrue(rc == ENOSYS.intValue() || rc == EPERM.intValue(), "link (ln) inside the mount: " + Sys.name(rc));
        assertErrno(ENOENT, Sys.lstatErrno(m.resolve("sym")), "no symlink was created");
        assertErrno(ENOENT, Sys.lstatErrno(m.resolve("hard")), "no hard link was created");
    }

    @Test
    void specialFilesAndFallocateAreNotSupported() {
        int rc = Sys.POSIX.mkfifo(m.resolve("fifo").toString(), 0640) < 0 ? Sys.POSIX.errno() : 0;
        assertErrno(ENOSYS, rc, "mkfifo inside the mount");
        assertErrno(ENOENT, Sys.lstatErrno(m.resolve("fifo")), "no fifo was created");
        put(m.resolve("f"), "x");
        int fd = Sys.open(m.resolve("f"), Sys.O_WRONLY, 0);
        assertTrue(fd >= 0);
        try {
            assertErrno(EOPNOTSUPP, Sys.fallocate(fd, 4096), "fallocate");
        } finally {
            Sys.close(fd);
        }
        assertEquals("x", readString(m.resolve("f")));
    }

    @Test
    void xattrsAreEopnotsupp() {
        put(m.resolve("f"), "x");
        assertErrno(EOPNOTSUPP, Sys.setxattr(m.resolve("f"), "user.test", bytes("v")), "setxattr");
        assertErrno(EOPNOTSUPP, Sys.getxattr(m.resolve("f"), "user.test"), "getxattr");
        assertErrno(EOPNOTSUPP, Sys.listxattr(m.resolve("f")), "listxattr");
        assertErrno(EOPNOTSUPP, Sys.removexattr(m.resolve("f"), "user.test"), "removexattr");
    }

    @Test
    void chmodAcceptsOnlyTheFixedModes() {
        Path f = m.resolve("f.cfg");
        put(f, "x");
        assertOk(Sys.chmod(f, 0640), "chmod 0640 of a normal file");
        assertErrno(EPERM, Sys.chmod(f, 0777), "chmod 0777");
        assertErrno(EPERM, Sys.chmod(f, 0644), "chmod 0644");
        assertErrno(EPERM, Sys.chmod(f, 0600), "chmod 0600 of a non-private file");
        assertEquals(0100640, Sys.stat(f).mode(), "mode unchanged");

        mkdirs(m, "priv");
        Path p = m.resolve("priv/secret");
        put(p, "s");
        assertOk(Sys.chmod(p, 0600), "chmod 0600 of a private file");
        assertErrno(EPERM, Sys.chmod(p, 0640), "chmod 0640 of a private file");
        assertEquals(0100600, Sys.stat(p).mode(), "private mode unchanged");
    }

    @Test
    void chownAcceptsOnlyRootAndWwwData() {
        int www = ModesAndStatusFilesTest.wwwDataGid();
        Path f = m.resolve("f.cfg");
        put(f, "x");
        assertOk(Sys.chown(f, 0, www), "chown root:www-data");
        assertOk(Sys.chown(f, -1, www), "chown :www-data");
        assertOk(Sys.chown(f, 0, -1), "chown root:");
        assertErrno(EPERM, Sys.chown(f, 1000, -1), "chown to uid 1000");
        assertErrno(EPERM, Sys.chown(f, 0, 0), "chown to group root");
        FileStat st = Sys.stat(f);
        assertEquals(0, st.uid());
        assertEquals(www, st.gid());
    }

    @Test
    void statusFilesRefuseWritesAndRemoval() {
        put(m.resolve("plain.cfg"), "x");
        for (String name : List.of(".version", ".members", ".vmlist", ".rrd", ".clusterlog")) {
            Path p = m.resolve(name);
            int fd = Sys.open(p, Sys.O_WRONLY, 0);
            if (fd >= 0) {
                long n = Sys.write(fd, bytes("x\n"), 2);
                Sys.close(fd);
                assertEquals(-EIO.intValue(), n, "write to " + name + ": " + (n < 0 ? Sys.name((int) -n) : n + " bytes"));
            } else {
                // refusing the open itself is no worse for callers, but the reference opens and fails the write
                assertErrno(EIO, -fd, "open(O_WRONLY) of " + name);
            }
            assertErrno(EIO, Sys.truncate(p, 0), "truncate of " + name);
            assertErrno(EACCES, Sys.unlink(p), "unlink of " + name);
            assertErrno(EACCES, Sys.rename(p, m.resolve("moved")), "rename of " + name);
            assertErrno(EACCES, Sys.rename(m.resolve("plain.cfg"), p), "rename onto " + name);
            assertOk(Sys.lstatErrno(p), name + " still there");
        }
        assertEquals("x", readString(m.resolve("plain.cfg")));
        assertErrno(EACCES, Sys.unlink(m.resolve("local")), "unlink of the 'local' symlink");
        assertErrno(EACCES, Sys.rename(m.resolve("local"), m.resolve("x")), "rename of the 'local' symlink");
    }

    @Test
    void debugFileSwitchesDebugLogging() {
        Path dbg = m.resolve(".debug");
        assertEquals("0\n", readString(dbg));
        Sys.writeFile(dbg, Sys.O_WRONLY, bytes("1\n"));
        assertEquals("1\n", readString(dbg), ".debug after writing 1");
        int fd = Sys.open(dbg, Sys.O_WRONLY, 0);
        long n = Sys.write(fd, bytes("x\n"), 2);
        Sys.close(fd);
        assertEquals(-EIO.intValue(), n, "writing something else than 0/1 to .debug");
        Sys.writeFile(dbg, Sys.O_WRONLY | Sys.O_TRUNC, bytes("0\n"));
        assertEquals("0\n", readString(dbg), ".debug after writing 0 (with O_TRUNC)");
    }

    @Test
    void renameOfALockDirectoryIsEacces() {
        mkdirs(m, "priv/lock/x");
        assertErrno(EACCES, Sys.rename(m.resolve("priv/lock/x"), m.resolve("priv/lock/y")), "rename of a lock");
        assertErrno(EACCES, Sys.rename(m.resolve("priv/lock/x"), m.resolve("x")), "rename of a lock out of priv/lock");
        assertTrue(Files.isDirectory(m.resolve("priv/lock/x")));
        assertFalse(Files.exists(m.resolve("priv/lock/y")));
    }

    @Test
    void renameOfNonEmptyDirIsEnotemptyAndChangesNothing() {
        mkdirs(m, "a", "b");
        put(m.resolve("a/f"), "inside");
        assertErrno(ENOTEMPTY, Sys.rename(m.resolve("a"), m.resolve("b")), "rename non-empty dir onto empty dir");
        assertErrno(ENOTEMPTY, Sys.rename(m.resolve("a"), m.resolve("c")), "rename non-empty dir to a new name");
        assertEquals("inside", readString(m.resolve("a/f")));
        assertTrue(Files.isDirectory(m.resolve("b")), "the target dir must survive the failed rename");
        assertFalse(Files.exists(m.resolve("c")));
        // the reference loses the target from RAM but not from the DB: both views must agree
        d.stop();
        d.start();
        assertEquals("inside", readString(m.resolve("a/f")));
        assertTrue(Files.isDirectory(m.resolve("b")), "target dir after restart");
        assertFalse(Files.exists(m.resolve("c")));
        // an empty dir may replace an empty dir
        mkdirs(m, "e");
        assertOk(Sys.rename(m.resolve("e"), m.resolve("b")), "rename empty dir onto empty dir");
        assertFalse(Files.exists(m.resolve("e")));
        assertTrue(Files.isDirectory(m.resolve("b")));
    }

    @Test
    void renameRules() {
        put(m.resolve("src"), "new");
        put(m.resolve("dst"), "old");
        assertOk(Sys.rename(m.resolve("src"), m.resolve("dst")), "rename over an existing file");
        assertEquals("new", readString(m.resolve("dst")));
        assertErrno(ENOENT, Sys.lstatErrno(m.resolve("src")), "source gone");
        assertErrno(ENOENT, Sys.rename(m.resolve("dst"), m.resolve("missing/x")), "rename into a missing dir");
        put(m.resolve("file"), "f");
        assertErrno(ENOTDIR, Sys.rename(m.resolve("dst"), m.resolve("file/x")), "rename below a file");
        mkdirs(m, "emptydir");
        assertErrno(EISDIR, Sys.rename(m.resolve("dst"), m.resolve("emptydir")), "rename file onto a dir");
        assertErrno(ENOTDIR, Sys.rename(m.resolve("emptydir"), m.resolve("file")), "rename dir onto a file");
        assertErrno(ENOENT, Sys.rename(m.resolve("nope"), m.resolve("x")), "rename of a missing file");
        assertEquals("new", readString(m.resolve("dst")));
        assertEquals("f", readString(m.resolve("file")));
        mkdirs(m, "sub");
        assertOk(Sys.rename(m.resolve("dst"), m.resolve("sub/moved")), "rename into another dir");
        assertEquals("new", readString(m.resolve("sub/moved")));
    }

    @Test
    void truncateGrowOfEmptyFileReadsZeros() {
        Path f = m.resolve("empty.cfg");
        Sys.writeFile(f, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, new byte[0]);
        assertEquals(0, Sys.stat(f).st_size());
        assertOk(Sys.truncate(f, 5000), "truncate grow of an empty file");
        assertEquals(5000, Sys.stat(f).st_size());
        assertArrayEquals(new byte[5000], readBytes(f), "grown empty file reads zeros");

        Path g = m.resolve("text.cfg");
        put(g, "hello world");
        assertOk(Sys.truncate(g, 5), "truncate shrink");
        assertEquals("hello", readString(g));
        assertOk(Sys.truncate(g, 8), "truncate grow of a non-empty file");
        assertArrayEquals(new byte[] {'h', 'e', 'l', 'l', 'o', 0, 0, 0}, readBytes(g));

        d.stop();
        d.start();
        assertArrayEquals(new byte[5000], readBytes(f), "grown empty file after restart");
        assertArrayEquals(new byte[] {'h', 'e', 'l', 'l', 'o', 0, 0, 0}, readBytes(g), "after restart");
    }

    @Test
    void writeKeepsTheTailAndZeroFillsGaps() {
        Path f = m.resolve("w.cfg");
        put(f, "hello world");
        int fd = Sys.open(f, Sys.O_WRONLY, 0);
        assertEquals(2, Sys.pwrite(fd, bytes("HE"), 2, 0));
        assertEquals(3, Sys.pwrite(fd, bytes("END"), 3, 14));
        Sys.close(fd);
        byte[] expected = bytes("HEllo world\0\0\0END");
        assertArrayEquals(expected, readBytes(f));
        put(f, "short");
        assertEquals("short", readString(f), "O_TRUNC rewrite");
    }
}
