package org.pmxcfs.status;

import org.pmxcfs.dbstore.FsException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KvStoreTest {

    private final AtomicLong now = new AtomicLong(1000);
    private final KvStore kv = new KvStore("pve1", now::get);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void newKeyStartsAtVersionZeroAndCountsUpdates() {
        kv.set("tasklist", b("a"));
        assertEquals(Map.of("pve1", Map.of("tasklist", 0L)), kv.versions());
        kv.set("tasklist", b("b"));
        kv.set("tasklist", b("c"));
        kv.set("kv/ceph-versions", b("x"));
        assertEquals(Map.of("pve1", Map.of("tasklist", 2L, "kv/ceph-versions", 0L)), kv.versions());
        assertArrayEquals(b("c"), kv.get(null, "tasklist").orElseThrow());
        assertArrayEquals(b("c"), kv.get("", "tasklist").orElseThrow());
        assertArrayEquals(b("c"), kv.get("pve1", "tasklist").orElseThrow());
    }

    @Test
    void emptyValueDeletesAndTheVersionStartsOver() {
        kv.set("tasklist", b("a"));
        kv.set("tasklist", b("b"));
        kv.set("tasklist", new byte[0]);
        assertTrue(kv.get(null, "tasklist").isEmpty());
        assertEquals(Map.of("pve1", Map.of()), kv.versions());
        kv.set("tasklist", b("c"));
        assertEquals(0L, kv.versions().get("pve1").get("tasklist"));
        kv.set("never-set", new byte[0]); // deleting an unknown key is fine
    }

    @Test
    void valuesAreCopied() {
        byte[] v = b("abc");
        kv.set("k", v);
        v[0] = 'X';
        byte[] got = kv.get(null, "k").orElseThrow();
        assertArrayEquals(b("abc"), got);
        got[0] = 'Y';
        assertArrayEquals(b("abc"), kv.get(null, "k").orElseThrow());
    }

    @Test
    void otherNodesAreUnknownForNow() {
        kv.set("k", b("v"));
        assertTrue(kv.get("pve2", "k").isEmpty());
    }

    @Test
    void limits() {
        kv.set("k", new byte[KvStore.MAX_VALUE_BYTES]);
        FsException e = assertThrows(FsException.class, () -> kv.set("k", new byte[KvStore.MAX_VALUE_BYTES + 1]));
        assertEquals("EFBIG", e.errno().name());
        kv.set("n".repeat(255), b("v"));
        assertEquals("ENAMETOOLONG", assertThrows(FsException.class, () -> kv.set("n".repeat(256), b("v"))).errno().name());
        // the limit is in bytes: 128 two-byte characters are 256 bytes
        assertEquals("ENAMETOOLONG", assertThrows(FsException.class, () -> kv.set("é".repeat(128), b("v"))).errno().name());
        assertEquals("EINVAL", assertThrows(FsException.class, () -> kv.set("", b("v"))).errno().name());
        assertEquals("EINVAL", assertThrows(FsException.class, () -> kv.set("a\0b", b("v"))).errno().name());
    }

    @Test
    void rrdUpdatesGoToTheDumpNotTheKvTable() {
        kv.set("rrd/pve2-node/pve1", b("1700000000:0.5:4\0"));
        kv.set("rrd/pve2.3-vm/100", b("1700000000:1:2"));
        assertEquals("pve2-node/pve1:1700000000:0.5:4\npve2.3-vm/100:1700000000:1:2\n", kv.rrdDump());
        assertTrue(kv.get(null, "rrd/pve2-node/pve1").isEmpty());
        assertEquals(Map.of(), kv.versions());

        now.addAndGet(300);
        kv.set("rrd/pve2.3-vm/100", b("1700000300:1:3"));
        assertEquals("pve2-node/pve1:1700000000:0.5:4\npve2.3-vm/100:1700000300:1:3\n", kv.rrdDump());
        now.addAndGet(1);
        assertEquals("pve2.3-vm/100:1700000300:1:3\n", kv.rrdDump(), "older than 300 s");
        kv.set("rrd/pve2.3-vm/100", new byte[0]);
        assertEquals("", kv.rrdDump());

        kv.set("rrd/x", new byte[KvStore.MAX_RRD_BYTES]);
        assertEquals("EFBIG", assertThrows(FsException.class, () -> kv.set("rrd/x", new byte[KvStore.MAX_RRD_BYTES + 1]))
                .errno().name());
        assertEquals("EINVAL", assertThrows(FsException.class, () -> kv.set("rrd/", b("1"))).errno().name());
    }

    @Test
    void nodeIpIsKeptApart() {
        kv.set("nodeip", b("192.0.2.1"));
        assertEquals("192.0.2.1", kv.nodeIp("pve1").orElseThrow());
        assertTrue(kv.get(null, "nodeip").isEmpty());
        assertEquals(Map.of(), kv.versions());
        kv.set("nodeip", new byte[0]);
        assertTrue(kv.nodeIp("pve1").isEmpty());
    }
}
