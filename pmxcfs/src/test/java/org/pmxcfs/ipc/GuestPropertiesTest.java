package org.pmxcfs.ipc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.pmxcfs.dbstore.VmList;
import org.pmxcfs.dbstore.VmList.VmInfo;

class GuestPropertiesTest {

    private final Map<String, byte[]> files = new HashMap<>();
    private final VmList vms = new VmList(5, Map.of(
            100L, new VmInfo(100, "pve1", "qemu", 1),
            101L, new VmInfo(101, "pve2", "lxc", 2),
            102L, new VmInfo(102, "pve1", "qemu", 3),
            103L, new VmInfo(103, "pve1", "openvz", 4)));

    private void put(String path, String text) {
        files.put(path, text.getBytes(StandardCharsets.UTF_8));
    }

    private String render(long vmid, String... props) {
        return GuestProperties.render(vms, p -> Optional.ofNullable(files.get(p)), vmid, List.of(props));
    }

    @Test
    void oneGuest() {
        put("nodes/pve1/qemu-server/100.conf", "boot: order=scsi0\nlock: backup\nmemory: 2048\n");
        assertEquals("{\n\"100\":{\"lock\": \"backup\"}\n}\n", render(100, "lock"));
        assertEquals("{\n\"100\":{\"lock\": \"backup\",\"memory\": \"2048\"}\n}\n", render(100, "lock", "memory"));
    }

    @Test
    void allGuestsInVmidOrderWithoutThoseLackingTheProperty() {
        put("nodes/pve1/qemu-server/100.conf", "tags: a;b\n");
        put("nodes/pve2/lxc/101.conf", "hostname: ct\n");
        put("nodes/pve1/qemu-server/102.conf", "tags:   x  \n");
        put("nodes/pve1/openvz/103.conf", "tags: old\n");
        assertEquals("{\n\"100\":{\"tags\": \"a;b\"},\n\"102\":{\"tags\": \"x\"},\n\"103\":{\"tags\": \"old\"}\n}\n",
                render(0, "tags"));
        assertEquals("{\n\n}\n", render(0, "nothing"));
        assertEquals("{\n\n}\n", render(101, "tags"));
    }

    @Test
    void onlyTheMainSectionAndTheFirstOccurrence() {
        put("nodes/pve1/qemu-server/100.conf",
                "# comment lock: no\n lock: indented\nLock: upper\nlock: first\nlock: second\n[snap1]\nname: x\n");
        assertEquals("{\n\"100\":{\"lock\": \"first\"}\n}\n", render(100, "lock"));
        assertEquals("{\n\n}\n", render(100, "name"), "snapshot section is not scanned");
        put("nodes/pve1/qemu-server/100.conf", "lockx: 1\nlo: 2\nlock:3");
        assertEquals("{\n\"100\":{\"lock\": \"3\"}\n}\n", render(100, "lock"), "exact name; last line without newline");
    }

    @Test
    void valuesAreJsonEscaped() {
        put("nodes/pve1/qemu-server/100.conf", "description: say \"hi\" \\o/ \u0001 ünï\n");
        assertEquals("{\n\"100\":{\"description\": \"say \\\"hi\\\" \\\\o/ \\u0001 ünï\"}\n}\n",
                render(100, "description"));
    }

    @Test
    void errors() {
        assertEquals("EINVAL", assertThrows(IpcError.class, () -> render(99, "lock")).errno());
        assertEquals("EINVAL", assertThrows(IpcError.class, () -> render(1, "lock")).errno());
        assertEquals("EINVAL", assertThrows(IpcError.class, () -> render(-1, "lock")).errno());
        assertEquals("EINVAL", assertThrows(IpcError.class, () -> render(1L << 32, "lock")).errno());
        assertEquals("ENOENT", assertThrows(IpcError.class, () -> render(104, "lock")).errno());
        assertEquals("EINVAL", assertThrows(IpcError.class, () -> render(100, "")).errno());
        assertEquals("EINVAL", assertThrows(IpcError.class, () -> render(100, "Lock")).errno());
        assertEquals("EINVAL", assertThrows(IpcError.class, () -> render(100, "a:b")).errno());
        assertEquals("EINVAL", assertThrows(IpcError.class, () -> render(100)).errno());
    }

    @Test
    void missingConfigOfARegisteredGuestIsLeftOut() {
        assertEquals("{\n\n}\n", render(100, "lock"));
    }

    @Test
    void configPaths() {
        assertEquals("nodes/pve1/qemu-server/100.conf", GuestProperties.configPath(vms.vms().get(100L)));
        assertEquals("nodes/pve2/lxc/101.conf", GuestProperties.configPath(vms.vms().get(101L)));
        assertEquals("nodes/pve1/openvz/103.conf", GuestProperties.configPath(vms.vms().get(103L)));
        assertArrayEquals(new String[] {"1", null}, GuestProperties.scan("a: 1\n", List.of("a", "b")));
    }
}
