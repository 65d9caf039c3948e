package org.pmxcfs.status.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pmxcfs.status.KvStore;
import org.pmxcfs.status.ClusterLogEntry;

class StatusPublisherTest {

    record Sent(int subtype, byte[] payload) {}

    private final KvStore kv = new KvStore("pve1", () -> 1_700_000_000L);
    private final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
    private final CountDownLatch network = new CountDownLatch(1);
    private volatile boolean networkStuck;
    private final StatusPublisher publisher = StatusPublisher.start(kv, (subtype, payload) -> {
        if (networkStuck) {
            try {
                network.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        sent.add(new Sent(subtype, payload));
    });

    @AfterEach
    void stop() {
        network.countDown();
        publisher.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private StatusMessages.KvUpdate nextUpdate() throws Exception {
        Sent s = sent.poll(5, TimeUnit.SECONDS);
        assertNotNull(s, "nothing sent");
        assertEquals(StatusMessages.UPDATE, s.subtype());
        return StatusMessages.decodeUpdate(s.payload());
    }

    @Test
    void aKvKeyIsSentWithItsCurrentValue() throws Exception {
        kv.set("tasklist", b("new"));
        publisher.statusSet("tasklist", b("old, overtaken by a racing writer"));
        StatusMessages.KvUpdate u = nextUpdate();
        assertEquals("tasklist", u.key());
        assertArrayEquals(b("new"), u.value());
    }

    @Test
    void aDeletedKeyIsSentEmpty() throws Exception {
        publisher.statusSet("gone", new byte[0]);
        StatusMessages.KvUpdate u = nextUpdate();
        assertEquals("gone", u.key());
        assertEquals(0, u.value().length);
    }

    @Test
    void rrdUpdatesAreSentAsGiven() throws Exception {
        publisher.statusSet("rrd/pve2-node/pve1", b("1:2:3\0"));
        assertArrayEquals(b("1:2:3\0"), nextUpdate().value());
    }

    @Test
    void logEntriesAreSentPacked() throws Exception {
        ClusterLogEntry e = new ClusterLogEntry(1, 2, 6, "tag", 3, "pve1", "root@pam", "msg");
        publisher.clusterLogged(e);
        Sent s = sent.poll(5, TimeUnit.SECONDS);
        assertNotNull(s);
        assertEquals(StatusMessages.LOG, s.subtype());
        assertEquals(e, StatusMessages.decodeLog(s.payload()));
    }

    @Test
    void republishSendsEveryOwnKeyAndTheNodeIp() throws Exception {
        kv.set("tasklist", b("t"));
        kv.set("kv/ceph-versions", b("c"));
        kv.set("nodeip", b("192.168.1.11\0"));
        kv.set("rrd/pve2-node/pve1", b("1:2\0"));
        publisher.republishAll();
        Map<String, String> got = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            StatusMessages.KvUpdate u = nextUpdate();
            got.put(u.key(), new String(u.value(), StandardCharsets.UTF_8));
        }
        assertEquals(Map.of("tasklist", "t", "kv/ceph-versions", "c", "nodeip", "192.168.1.11\0"), got);
        assertNull(sent.poll(200, TimeUnit.MILLISECONDS), "RRD samples are not repeated");
    }

    @Test
    void callersNeverWaitForTheNetwork() throws Exception {
        networkStuck = true;
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < 5000; i++) {
                publisher.statusSet("k" + (i % 50), b("v"));
                publisher.clusterLogged(new ClusterLogEntry(i + 1, 2, 6, "t", 3, "pve1", "u", "m"));
            }
        });
        network.countDown(); // the network recovers: what was queued goes out
        assertNotNull(sent.poll(5, TimeUnit.SECONDS));
    }
}
