package org.pmxcfs.jgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.dfsm.Transport;
import org.pmxcfs.dfsm.ViewSyncedDelivery;

/** Three members on loopback: views, total order, and the authkey gate. */
class JGroupsTransportTest {

    private final List<Transport> started = new ArrayList<>();

    /** Records what one member saw. */
    static final class Recorder implements Transport.Listener {
        final AtomicReference<List<MemberId>> view = new AtomicReference<>(List.of());
        final List<String> delivered = new CopyOnWriteArrayList<>();

        @Override
        public void viewChanged(List<MemberId> members) {
            view.set(members);
        }

        @Override
        public void deliver(MemberId sender, byte[] message) {
            delivered.add(sender.nodeId() + ":" + new String(message));
        }
    }

    private static List<InetSocketAddress> peers(int base, int n) {
        List<InetSocketAddress> p = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            p.add(new InetSocketAddress("127.0.0.1", base + i));
        }
        return p;
    }

    /** A member as the daemon runs one: the dfsm's guarantees on top of the JGroups group. */
    private Transport start(int nodeId, int base, int n, byte[] key, Recorder r) throws Exception {
        GroupConfig c = new GroupConfig("test", nodeId, new InetSocketAddress("127.0.0.1", base + nodeId - 1),
                peers(base, n), key, Duration.ofSeconds(3));
        Transport t = new ViewSyncedDelivery(new JGroupsTransport(c, ProcessHandle.current().pid() * 10 + nodeId));
        started.add(t);
        t.join(r);
        return t;
    }

    private static void await(String what, java.util.function.BooleanSupplier cond, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @AfterEach
    void stop() {
        Collections.reverse(started);
        started.forEach(Transport::leave);
    }

    @Test
    void threeMembersAgreeOnViewAndOrder() throws Exception {
        byte[] key = new byte[256];
        Arrays.fill(key, (byte) 7);
        Recorder[] r = {new Recorder(), new Recorder(), new Recorder()};
        Transport[] t = new Transport[3];
        for (int i = 0; i < 3; i++) {
            t[i] = start(i + 1, 17901, 3, key, r[i]);
        }
        await("3-member views", () -> Arrays.stream(r).allMatch(x -> x.view.get().size() == 3), 20_000);
        assertEquals(List.of(1, 2, 3), r[0].view.get().stream().map(MemberId::nodeId).toList());
        int perSender = 300;
        Thread[] senders = new Thread[3];
        for (int i = 0; i < 3; i++) {
            int k = i;
            senders[i] = new Thread(() -> {
                for (int m = 0; m < perSender; m++) {
                    assertTrue(t[k].multicast(("m" + m).getBytes()));
                }
            });
            senders[i].start();
        }
        for (Thread s : senders) {
            s.join(30_000);
        }
        await("all messages", () -> Arrays.stream(r).allMatch(x -> x.delivered.size() == 3 * perSender), 30_000);
        assertEquals(r[0].delivered, r[1].delivered, "total order");
        assertEquals(r[0].delivered, r[2].delivered, "total order");
        for (int s = 1; s <= 3; s++) {
            String prefix = s + ":";
            List<String> fromS = r[0].delivered.stream().filter(x -> x.startsWith(prefix)).toList();
            for (int m = 0; m < perSender; m++) {
                assertEquals(prefix + "m" + m, fromS.get(m), "sender FIFO");
            }
        }
    }

    @Test
    void aMemberWithAnotherKeyCannotJoinOrInject() throws Exception {
        byte[] key = new byte[256];
        Arrays.fill(key, (byte) 1);
        byte[] wrong = new byte[256];
        Arrays.fill(wrong, (byte) 2);
        Recorder good1 = new Recorder();
        Recorder good2 = new Recorder();
        Recorder bad = new Recorder();
        start(1, 17911, 3, key, good1);
        start(2, 17911, 3, key, good2);
        await("2-member view", () -> good1.view.get().size() == 2 && good2.view.get().size() == 2, 20_000);
        Transport intruder = start(3, 17911, 3, wrong, bad);
        intruder.multicast("evil".getBytes());
        Thread.sleep(3000);
        assertEquals(2, good1.view.get().size(), "the intruder is not admitted");
        assertTrue(good1.delivered.stream().noneMatch(x -> x.contains("evil")), "nothing injected");
        assertTrue(good2.delivered.stream().noneMatch(x -> x.contains("evil")), "nothing injected");
        assertTrue(bad.view.get().stream().noneMatch(m -> m.nodeId() != 3), "the intruder sees only itself");
    }

    /**
     * The dfsm leaves and rejoins through the same transport after an error (mode LEAVE): the
     * rejoined member must see views and send and receive again, as after its first join.
     */
    @Test
    void aMemberThatLeftCanJoinAgainAndSend() throws Exception {
        byte[] key = new byte[256];
        Arrays.fill(key, (byte) 3);
        Recorder r1 = new Recorder();
        Recorder r2 = new Recorder();
        Transport t1 = start(1, 17921, 2, key, r1);
        Transport t2 = start(2, 17921, 2, key, r2);
        await("2-member views", () -> r1.view.get().size() == 2 && r2.view.get().size() == 2, 20_000);
        t2.leave();
        await("node1 alone", () -> r1.view.get().size() == 1, 20_000);
        Recorder again = new Recorder();
        t2.join(again);
        await("2-member views after the rejoin", () -> r1.view.get().size() == 2 && again.view.get().size() == 2, 20_000);
        assertTrue(t2.multicast("from-rejoined".getBytes()), "the rejoined member can send");
        assertTrue(t1.multicast("to-rejoined".getBytes()));
        await("both messages at both members", () -> r1.delivered.containsAll(List.of("2:from-rejoined", "1:to-rejoined"))
                && again.delivered.containsAll(List.of("2:from-rejoined", "1:to-rejoined")), 10_000);
        assertTrue(r2.delivered.isEmpty(), "the listener of the first join hears nothing after leave: " + r2.delivered);
    }
}
