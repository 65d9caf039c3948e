package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reference 3.6 (what is a guest config path) and 1.2 (path splitting). */
class GuestPathTest {

    @Test
    void guestConfigsOfAllThreeTypes() {
        assertEquals(Optional.of(new GuestPath(100, "pve1", "qemu")), GuestPath.parse("nodes/pve1/qemu-server/100.conf"));
        assertEquals(Optional.of(new GuestPath(101, "pve1", "lxc")), GuestPath.parse("nodes/pve1/lxc/101.conf"));
        assertEquals(Optional.of(new GuestPath(102, "pve1", "openvz")), GuestPath.parse("nodes/pve1/openvz/102.conf"));
    }

    @Test
    void vmidRange() {
        assertEquals(1, GuestPath.parse("nodes/n/qemu-server/1.conf").orElseThrow().vmid());
        assertEquals(4294967295L, GuestPath.parse("nodes/n/qemu-server/4294967295.conf").orElseThrow().vmid());
        assertEquals(1000000000L, GuestPath.parse("nodes/n/qemu-server/1000000000.conf").orElseThrow().vmid());
    }

    @Test
    void nodeNamesFollowTheLdhRule() {
        for (String node : List.of("a", "A", "9", "pve-1", "p-v-e", "node01", "a-b")) {
            assertTrue(GuestPath.parse("nodes/" + node + "/lxc/100.conf").isPresent(), node);
            assertEquals(node, GuestPath.parse("nodes/" + node + "/lxc/100.conf").orElseThrow().node());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // vmid syntax
        "nodes/pve1/qemu-server/0100.conf",
        "nodes/pve1/qemu-server/0.conf",
        "nodes/pve1/qemu-server/4294967296.conf",
        "nodes/pve1/qemu-server/9999999999.conf",
        "nodes/pve1/qemu-server/99999999999.conf",
        "nodes/pve1/qemu-server/18446744073709551617.conf",
        "nodes/pve1/qemu-server/-100.conf",
        "nodes/pve1/qemu-server/+100.conf",
        "nodes/pve1/qemu-server/ 100.conf",
        "nodes/pve1/qemu-server/1e2.conf",
        "nodes/pve1/qemu-server/10a.conf",
        "nodes/pve1/qemu-server/.conf",
        "nodes/pve1/qemu-server/conf",
        "nodes/pve1/qemu-server/100",
        "nodes/pve1/qemu-server/100.",
        "nodes/pve1/qemu-server/100.con",
        "nodes/pve1/qemu-server/100.CONF",
        "nodes/pve1/qemu-server/100.conf.tmp.123",
        "nodes/pve1/qemu-server/100.conf~",
        "nodes/pve1/qemu-server/100.conf ",
        "nodes/pve1/qemu-server/100..conf",
        "nodes/pve1/qemu-server/١٠٠.conf",
        // node names
        "nodes/-pve1/qemu-server/100.conf",
        "nodes/pve1-/qemu-server/100.conf",
        "nodes/-/qemu-server/100.conf",
        "nodes/pve_1/qemu-server/100.conf",
        "nodes/pve.example.com/qemu-server/100.conf",
        "nodes//qemu-server/100.conf",
        "nodes/pvé/qemu-server/100.conf",
        // directory layout
        "nodes/pve1/qemu/100.conf",
        "nodes/pve1/QEMU-SERVER/100.conf",
        "nodes/pve1/lxc2/100.conf",
        "nodes/pve1/priv/100.conf",
        "nodes/pve1/qemu-server/sub/100.conf",
        "nodes/pve1/qemu-server/100.conf/x",
        "nodes/pve1/100.conf",
        "nodes/qemu-server/100.conf",
        "node/pve1/qemu-server/100.conf",
        "x/nodes/pve1/qemu-server/100.conf",
        "qemu-server/100.conf",
        "100.conf",
        ""})
    void notGuestConfigs(String path) {
        assertEquals(Optional.empty(), GuestPath.parse(path), path);
    }

    @Test
    void splitIgnoresEmptyComponentsButKeepsDots() {
        assertEquals(List.of(), Paths.split(""));
        assertEquals(List.of(), Paths.split("/"));
        assertEquals(List.of(), Paths.split("///"));
        assertEquals(List.of(), Paths.split("."), "exactly '.' is the root (1.2)");
        assertEquals(List.of("."), Paths.split("/."));
        assertEquals(List.of(".", "a"), Paths.split("./a"));
        assertEquals(List.of("a", "b"), Paths.split("/a//b/"));
        assertEquals(List.of("a", ".", ".."), Paths.split("a/./.."));
        assertEquals("a/b", Paths.normalize("//a/b//"));
        assertEquals("", Paths.normalize("/"));
    }
}
