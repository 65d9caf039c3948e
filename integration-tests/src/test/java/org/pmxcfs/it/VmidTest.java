package org.pmxcfs.it;

import static jnr.constants.platform.Errno.EEXIST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.it.Sys.assertErrno;
import static org.pmxcfs.it.Sys.assertOk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Reference §3.6: one VMID, one guest config, cluster-wide; .vmlist follows every change. */
class VmidTest extends MountTestBase {

    static final String N = Daemon.NODENAME;

    /** id → "node/type" from .vmlist (validated as JSON). */
    static Map<String, String> vmlist(Path m) {
        String text = readString(m.resolve(".vmlist"));
        Map<?, ?> root = (Map<?, ?>) Json.parse(text);
        Map<String, String> out = new TreeMap<>();
        Object ids = root.get("ids");
        if (ids != null) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) ids).entrySet()) {
                Map<?, ?> v = (Map<?, ?>) e.getValue();
                out.put((String) e.getKey(), v.get("node") + "/" + v.get("type"));
            }
        }
        return out;
    }

    static long vmlistVersion(Path m) {
        Map<?, ?> root = (Map<?, ?>) Json.parse(readString(m.resolve(".vmlist")));
        return ((Number) root.get("version")).longValue();
    }

    private static int create(Path p) {
        int fd = Sys.open(p, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, 0640);
        if (fd < 0) {
            return -fd;
        }
        long n = Sys.write(fd, bytes("memory: 512\n"), 12);
        int rc = Sys.close(fd);
        return n < 0 ? (int) -n : rc;
    }

    @Test
    void aVmidExistsOnlyOnce() {
        Daemon d = started();
        Path m = d.mnt;
        mkdirs(m, "nodes/" + N + "/qemu-server", "nodes/" + N + "/lxc", "nodes/other/qemu-server", "nodes/other/lxc",
                "nodes/other/openvz");
        assertEquals(Map.of(), vmlist(m));
        assertOk(create(m.resolve("nodes/" + N + "/qemu-server/100.conf")), "create 100.conf");
        assertEquals(Map.of("100", N + "/qemu"), vmlist(m), ".vmlist after create");

        assertErrno(EEXIST, create(m.resolve("nodes/other/qemu-server/100.conf")), "same VMID on another node");
        assertErrno(EEXIST, create(m.resolve("nodes/other/lxc/100.conf")), "same VMID as a container elsewhere");
        assertErrno(EEXIST, create(m.resolve("nodes/" + N + "/lxc/100.conf")), "same VMID, other type, same node");
        assertErrno(EEXIST, create(m.resolve("nodes/other/openvz/100.conf")), "same VMID as openvz");
        assertFalse(Files.exists(m.resolve("nodes/other/qemu-server/100.conf")));
        assertFalse(Files.exists(m.resolve("nodes/" + N + "/lxc/100.conf")));

        // renaming some other file onto a taken VMID is refused too
        put(m.resolve("nodes/other/qemu-server/draft"), "memory: 1\n");
        assertErrno(EEXIST, Sys.rename(m.resolve("nodes/other/qemu-server/draft"),
                m.resolve("nodes/other/qemu-server/100.conf")), "rename onto a VMID of another node");
        assertTrue(Files.exists(m.resolve("nodes/other/qemu-server/draft")));

        // not guest configs: no VMID
        put(m.resolve("nodes/other/qemu-server/100.conf.bak"), "x");
        put(m.resolve("nodes/other/qemu-server/0100.conf"), "x");
        mkdirs(m, "nodes/other/misc");
        put(m.resolve("nodes/other/misc/100.conf"), "x");
        assertEquals(Map.of("100", N + "/qemu"), vmlist(m), ".vmlist ignores non-guest paths");

        assertEquals("memory: 512\n", readString(m.resolve("nodes/" + N + "/qemu-server/100.conf")));
        d.stop();
        d.start();
        assertEquals(Map.of("100", N + "/qemu"), vmlist(m), ".vmlist rebuilt at start");
        assertErrno(EEXIST, create(m.resolve("nodes/other/qemu-server/100.conf")), "after restart");
    }

    @Test
    void vmlistFollowsCreateRenameAndDelete() {
        Daemon d = started();
        Path m = d.mnt;
        mkdirs(m, "nodes/" + N + "/qemu-server", "nodes/" + N + "/lxc", "nodes/other/qemu-server");
        long v0 = vmlistVersion(m);
        assertOk(create(m.resolve("nodes/" + N + "/qemu-server/100.conf")), "create 100");
        assertOk(create(m.resolve("nodes/" + N + "/lxc/101.conf")), "create 101");
        assertEquals(Map.of("100", N + "/qemu", "101", N + "/lxc"), vmlist(m));
        long v1 = vmlistVersion(m);
        assertTrue(v1 > v0, "vmlist version moves on create: " + v0 + " -> " + v1);

        // migrate: the guest config itself may move to another node
        assertOk(Sys.rename(m.resolve("nodes/" + N + "/qemu-server/100.conf"), m.resolve("nodes/other/qemu-server/100.conf")),
                "move guest 100 to node other");
        assertEquals(Map.of("100", "other/qemu", "101", N + "/lxc"), vmlist(m), ".vmlist after migration");
        // and change type
        assertOk(Sys.rename(m.resolve("nodes/" + N + "/lxc/101.conf"), m.resolve("nodes/" + N + "/qemu-server/102.conf")),
                "rename 101 to 102");
        assertEquals(Map.of("100", "other/qemu", "102", N + "/qemu"), vmlist(m), ".vmlist after renaming 101 to 102");
        long v2 = vmlistVersion(m);
        assertTrue(v2 > v1, "vmlist version moves on rename");

        // the PVE write pattern onto an existing config keeps it registered
        Path tmpFile = m.resolve("nodes/" + N + "/qemu-server/102.conf.tmp.4711");
        put(tmpFile, "memory: 1024\n");
        assertOk(Sys.rename(tmpFile, m.resolve("nodes/" + N + "/qemu-server/102.conf")), "tmp+rename onto 102.conf");
        assertEquals(Map.of("100", "other/qemu", "102", N + "/qemu"), vmlist(m));
        assertEquals("memory: 1024\n", readString(m.resolve("nodes/" + N + "/qemu-server/102.conf")));

        assertOk(Sys.unlink(m.resolve("nodes/other/qemu-server/100.conf")), "delete 100");
        assertEquals(Map.of("102", N + "/qemu"), vmlist(m), ".vmlist after delete");
        assertTrue(vmlistVersion(m) > v2, "vmlist version moves on delete");
        // the freed VMID is usable anywhere now
        assertOk(create(m.resolve("nodes/" + N + "/lxc/100.conf")), "reuse VMID 100 as a container");
        assertEquals(Map.of("100", N + "/lxc", "102", N + "/qemu"), vmlist(m));
    }
}
