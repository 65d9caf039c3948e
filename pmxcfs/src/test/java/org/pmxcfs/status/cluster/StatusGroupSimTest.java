package org.pmxcfs.status.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.pmxcfs.dfsm.Dfsm;
import org.pmxcfs.dfsm.DfsmMode;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.dfsm.ViewSyncedDelivery;
import org.pmxcfs.dfsm.sim.SimClock;
import org.pmxcfs.dfsm.sim.SimNetwork;
import org.pmxcfs.status.KvStore;
import org.pmxcfs.status.ClusterLog;
import org.pmxcfs.status.ClusterLogEntry;

/**
 * Three nodes' status groups on real {@link Dfsm}s over the seeded simulated network: the
 * callbacks in the actual protocol, including joins, the log merge and the re-announcement.
 * Sends go straight to {@code Dfsm#submit} here (allowed from callbacks), so the run stays on
 * one thread; the daemon puts its sender thread in between.
 */
class StatusGroupSimTest {

    static final Map<Integer, String> NODELIST = Map.of(1, "pve1", 2, "pve2", 3, "pve3");

    private final SimClock clock = new SimClock(1_700_000_000_000L);
    private final SimNetwork net = new SimNetwork(42, clock, SimNetwork.Options.DEFAULT);

    final class Node {
        final String name;
        final SimNetwork.Endpoint endpoint;
        final KvStore kv;
        final ClusterLog log;
        final Dfsm dfsm;

        Node(int id) {
            name = NODELIST.get(id);
            endpoint = net.endpoint(id, 1000 + id);
            kv = new KvStore(name, () -> clock.millis() / 1000);
            log = new ClusterLog(name);
            kv.set("nodeip", b("10.0.0." + id + "\0"));
            StatusGroup group = new StatusGroup(id, NODELIST::get, kv, log, this::republish, () -> {});
            dfsm = new Dfsm("status", 0, new ViewSyncedDelivery(endpoint), group, clock, new Dfsm.Options(Duration.ofDays(1), Duration.ofSeconds(5)));
        }

        void republish() {
            for (String k : kv.localKeys()) {
                dfsm.submit(StatusMessages.UPDATE, StatusMessages.encodeUpdate(k, kv.localValue(k).orElse(new byte[0])));
            }
        }

        void setStatus(String key, String value) {
            kv.set(key, b(value));
            dfsm.submit(StatusMessages.UPDATE, StatusMessages.encodeUpdate(key, b(value)));
        }

        ClusterLogEntry logMessage(String msg) {
            ClusterLogEntry e = log.addLocal(6, "root@pam", "test", 1, msg, clock.millis() / 1000);
            dfsm.submit(StatusMessages.LOG, StatusMessages.encodeLog(e));
            return e;
        }
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void settle(List<Node> nodes) {
        for (int i = 0; i < 2000; i++) {
            clock.advance(5);
            net.step();
            if (i % 20 == 0) {
                nodes.forEach(n -> n.dfsm.tick());
            }
            if (i > 10 && net.quiescent()) {
                return;
            }
        }
        throw new AssertionError("the network did not settle");
    }

    @Test
    void statusAndLogsReachEveryNodeAndSurviveMembershipChanges() throws Exception {
        List<Node> nodes = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            nodes.add(new Node(id));
        }
        Node n1 = nodes.get(0);
        Node n2 = nodes.get(1);
        Node n3 = nodes.get(2);

        // node 1 alone: synced at once, logs and serves its own status without anyone else
        n1.dfsm.start();
        settle(nodes);
        assertEquals(DfsmMode.SYNCED, n1.dfsm.mode());
        n1.setStatus("tasklist", "t1");
        ClusterLogEntry lonely = n1.logMessage("while alone");
        settle(nodes);
        assertEquals(Map.of("pve1", Map.of("tasklist", 0L)), n1.kv.versions()); // own message not applied twice

        // nodes 2 and 3 join: the merge brings them node 1's old entry, the re-announcement its status
        n2.log.addLocal(6, "root@pam", "test", 2, "pve2 before joining", clock.millis() / 1000);
        n2.dfsm.start();
        n3.dfsm.start();
        settle(nodes);
        for (Node n : nodes) {
            assertEquals(DfsmMode.SYNCED, n.dfsm.mode(), n.name);
            assertEquals(3, n.dfsm.members().size(), n.name);
            assertTrue(n.log.newest(100).contains(lonely), n.name + " has the entry logged while alone");
        }
        assertArrayEquals(b("t1"), n3.kv.get("pve1", "tasklist").orElseThrow());
        assertEquals(Optional.of("10.0.0.1"), n3.kv.nodeIp("pve1"));
        assertEquals(Optional.of("10.0.0.3"), n1.kv.nodeIp("pve3"));
        assertEquals(n1.log.newest(100), n2.log.newest(100));
        assertEquals(n1.log.newest(100), n3.log.newest(100));

        // normal traffic in the synced group
        ClusterLogEntry fromTwo = n2.logMessage("hello from pve2");
        n2.setStatus("kv/x", "1");
        n2.setStatus("kv/x", "");
        settle(nodes);
        for (Node n : nodes) {
            assertEquals(fromTwo, n.log.newest(1).get(0), n.name);
        }
        assertEquals(Map.of(), n1.kv.versions().get("pve2"));

        // node 3 goes away: the others see it leave, keep its data, and keep working
        n3.endpoint.crash();
        settle(nodes);
        assertEquals(List.of(new MemberId(1, 1001), new MemberId(2, 1002)), n1.dfsm.members());
        assertEquals(Optional.of("10.0.0.3"), n1.kv.nodeIp("pve3"));
        ClusterLogEntry after = n1.logMessage("after pve3 left");
        settle(nodes);
        assertEquals(after, n2.log.newest(1).get(0));
    }
}
