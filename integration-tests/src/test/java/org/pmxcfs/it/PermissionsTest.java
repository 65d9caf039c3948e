package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The daemon checks permissions itself (the mount has no {@code default_permissions}): every
 * caller must get exactly what the kernel would decide from the modes it reports. So the same
 * system calls run, as root, www-data, nobody, nobody in group www-data and nobody with each
 * capability that overrides modes, once through the mount and once on a plain directory tree
 * with the same owners and modes (where the kernel decides), and the errnos must be the same,
 * call by call. Root walks every path first, so that the kernel has every name cached: a name
 * below {@code priv} must not let anyone else past the directory it is in.
 */
class PermissionsTest extends MountTestBase {

    /** Runs one caller's calls below argv[1] (names tagged argv[2]); prints "call errno" lines. */
    static final String PROBE = """
            import errno, os, sys
            root, tag = sys.argv[1], sys.argv[2]
            os.chdir(root)
            def do(label, fn):
                try:
                    r = fn()
                    if isinstance(r, int) and label.startswith("open"):
                        os.close(r)
                    print(label, 0)
                except OSError as e:
                    print(label, errno.errorcode.get(e.errno, e.errno))
            def access(p, mode):
                if not os.access(p, mode):
                    raise PermissionError(errno.EACCES, p)
            def chdir(p):
                try:
                    os.chdir(p)
                finally:
                    os.chdir(root)
            dirs = [".", "d", "priv", "priv/lock", "nodes/n1/priv"]
            files = ["d/f.cfg", "priv/k.key", "nodes/n1/priv/x.cfg"]
            for p in dirs + files:
                do("stat " + p, lambda: os.stat(p))
                for name, mode in (("F", os.F_OK), ("R", os.R_OK), ("W", os.W_OK), ("X", os.X_OK)):
                    do("access%s %s" % (name, p), lambda: access(p, mode))
                do("openR " + p, lambda: os.open(p, os.O_RDONLY))
                if p != ".":  # the tree's root refuses a new time to everyone (as the original)
                    do("utime-now " + p, lambda: os.utime(p))
                    do("utime-explicit " + p, lambda: os.utime(p, (1700000000, 1700000000)))
                do("chown-same " + p, lambda: os.chown(p, 0, int(sys.argv[3])))
            for p in dirs:
                do("listdir " + p, lambda: os.listdir(p))
                do("chdir " + p, lambda: chdir(p))
                do("create " + p, lambda: os.open(os.path.join(p, "new-" + tag), os.O_CREAT | os.O_WRONLY, 0o640))
                do("mkdir " + p, lambda: os.mkdir(os.path.join(p, "dir-" + tag)))
                do("rename " + p, lambda: os.rename(os.path.join(p, "new-" + tag), os.path.join(p, "ren-" + tag)))
                do("rename-across " + p, lambda: os.rename(os.path.join(p, "ren-" + tag), os.path.join("d", "x-" + tag)))
                do("unlink " + p, lambda: os.unlink(os.path.join(p, "ren-" + tag)))
                do("rmdir " + p, lambda: os.rmdir(os.path.join(p, "dir-" + tag)))
            for p in files:
                do("chmod-same " + p, lambda: os.chmod(p, os.stat(p).st_mode & 0o7777))
                do("openW " + p, lambda: os.open(p, os.O_WRONLY))
                do("openRW " + p, lambda: os.open(p, os.O_RDWR))
                do("openR-trunc " + p, lambda: os.open(p, os.O_RDONLY | os.O_TRUNC))
                do("truncate " + p, lambda: os.truncate(p, 3))
            """;

    /** The callers: a tag and the setpriv arguments that make one (empty: root). */
    static List<String[]> callers(int www) {
        String nobody = "--reuid=65534 --regid=65534 ";
        return List.of(
                new String[] {"root", ""},
                new String[] {"www", "--reuid=33 --regid=" + www + " --clear-groups"},
                new String[] {"nobody", nobody + "--clear-groups"},
                new String[] {"nobody-in-www", nobody + "--groups=" + www},
                new String[] {"read-search", nobody + "--clear-groups --inh-caps=+dac_read_search --ambient-caps=+dac_read_search"},
                new String[] {"fowner-chown", nobody + "--clear-groups --inh-caps=+fowner,+chown --ambient-caps=+fowner,+chown"},
                new String[] {"dac-override", nobody + "--clear-groups --inh-caps=+dac_override --ambient-caps=+dac_override"});
    }

    @Test
    void everyCallerGetsWhatTheKernelWouldDecideFromTheModes() throws Exception {
        int www = ModesAndStatusFilesTest.wwwDataGid();
        // the callers must reach both trees: the test's temp dirs are 0700
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Daemon d = started();
        Files.setPosixFilePermissions(d.base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path mnt = d.mnt;
        Path mirror = tmp.resolve("mirror");
        for (Path root : List.of(mnt, mirror)) {
            for (String dir : List.of("d", "priv", "priv/lock", "nodes/n1/priv")) {
                Files.createDirectories(root.resolve(dir));
            }
            for (String f : List.of("d/f.cfg", "priv/k.key", "nodes/n1/priv/x.cfg")) {
                Files.writeString(root.resolve(f), "content\n");
            }
        }
        // the mirror gets the owners and modes the mount reports
        for (String p : List.of("", "d", "priv", "priv/lock", "nodes", "nodes/n1", "nodes/n1/priv", "d/f.cfg",
                "priv/k.key", "nodes/n1/priv/x.cfg")) {
            var st = Sys.stat(mnt.resolve(p));
            assertEquals(0, Sys.chown(mirror.resolve(p), st.uid(), st.gid()), "chown mirror " + p);
            assertEquals(0, Sys.chmod(mirror.resolve(p), st.mode() & 07777), "chmod mirror " + p);
        }
        Path probe = tmp.resolve("probe.py");
        Files.writeString(probe, PROBE);
        Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rw-r--r--"));

        // The one known difference: the kernel asks about chdir with the same ACCESS request as
        // about access(2), which drops the capabilities of a caller other than root; such a caller
        // cannot chdir into a private directory it could read (it is refused, not let further).
        Set<String> known = new HashSet<>();
        for (String who : List.of("read-search", "dac-override")) {
            for (String dir : List.of("priv", "priv/lock", "nodes/n1/priv")) {
                known.add(who + ": chdir " + dir + " EACCES (kernel on the mirror: chdir " + dir + " 0)");
            }
        }
        List<String> differences = new ArrayList<>();
        for (String[] caller : callers(www)) {
            String onMount = run(caller, probe, mnt, www);
            String onMirror = run(caller, probe, mirror, www);
            String[] a = onMount.split("\n");
            String[] b = onMirror.split("\n");
            assertEquals(b.length, a.length, caller[0] + ": the probe ran differently\nmount:\n" + onMount
                    + "\nmirror:\n" + onMirror);
            for (int i = 0; i < a.length; i++) {
                if (!a[i].equals(b[i])) {
                    differences.add(caller[0] + ": " + a[i] + " (kernel on the mirror: " + b[i] + ")");
                }
            }
        }
        differences.removeAll(known);
        assertEquals(List.of(), differences, "calls whose result differs from the kernel's");
    }

    private String run(String[] caller, Path probe, Path root, int www) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (!caller[1].isEmpty()) {
            cmd.add("setpriv");
            cmd.addAll(List.of(caller[1].split(" ")));
        }
        cmd.addAll(List.of("/usr/bin/python3", probe.toString(), root.toString(), caller[0], Integer.toString(www)));
        Command.Result r = Command.run(cmd, 60_000);
        assertEquals(0, r.code(), caller[0] + " on " + root + ":\n" + r.out());
        assertTrue(r.out().lines().count() > 100, r.out());
        return r.out();
    }
}
