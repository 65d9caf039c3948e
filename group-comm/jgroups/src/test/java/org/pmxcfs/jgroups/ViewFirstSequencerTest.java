package org.pmxcfs.jgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.SEQUENCER;
import org.jgroups.protocols.SHARED_LOOPBACK;
import org.jgroups.protocols.SHARED_LOOPBACK_PING;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A message sent as soon as a view arrives is ordered by that view's coordinator. With plain
 * SEQUENCER it went to the previous coordinator, which after a merge ordered it in the old
 * view's stream, where the other half of the new view never saw it.
 */
class ViewFirstSequencerTest {

    private final List<JChannel> channels = new ArrayList<>();

    /** Below the sequencer: where its FORWARD/FLUSH requests (its only unicasts) go. */
    static final class ForwardLog extends Protocol {
        final List<Address> targets = new CopyOnWriteArrayList<>();
        private final short sequencerId = ClassConfigurator.getProtocolId(SEQUENCER.class);

        @Override
        public Object down(Message msg) {
            if (msg.getDest() != null && msg.getHeader(sequencerId) != null) {
                targets.add(msg.getDest());
            }
            return down_prot.down(msg);
        }
    }

    private JChannel channel(String name, Receiver receiver) throws Exception {
        List<Protocol> p = List.of(new SHARED_LOOPBACK(), new SHARED_LOOPBACK_PING(), new NAKACK2(), new UNICAST3(),
                new STABLE(), new GMS().setJoinTimeout(500).printLocalAddress(false), new ForwardLog(),
                new ViewFirstSequencer());
        JChannel c = new JChannel(p).name(name);
        if (receiver != null) {
            c.setReceiver(receiver);
        }
        channels.add(c);
        c.connect("view-first-sequencer-test-" + ProcessHandle.current().pid());
        return c;
    }

    @AfterEach
    void close() {
        channels.forEach(JChannel::close);
    }

    @Test
    void aMessageSentOnANewViewGoesToItsCoordinator() throws Exception {
        List<String> delivered = new CopyOnWriteArrayList<>();
        CompletableFuture<Address> newCoordinator = new CompletableFuture<>();
        JChannel[] self = new JChannel[1];
        JChannel oldCoordinator = channel("a", null);
        channel("b", null);
        self[0] = channel("c", new Receiver() {
            @Override
            public void viewAccepted(View v) {
                if (self[0] == null || v.size() != 2 || newCoordinator.isDone()) {
                    return;
                }
                // as the dfsm does: another thread sends at once, while the view is still on its way
                // up (a send blocks until it is ordered, so wait only until it is forwarded)
                ForwardLog log = self[0].getProtocolStack().findProtocol(ForwardLog.class);
                CompletableFuture.runAsync(() -> {
                    try {
                        self[0].send(new BytesMessage(null, "on-new-view".getBytes()));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                long deadline = System.nanoTime() + 2_000_000_000L;
                while (log.targets.isEmpty() && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                newCoordinator.complete(v.getCoord());
            }

            @Override
            public void receive(Message msg) {
                delivered.add(new String(msg.getArray(), msg.getOffset(), msg.getLength()));
            }
        });
        awaitSize(self[0], 3);
        ForwardLog log = self[0].getProtocolStack().findProtocol(ForwardLog.class);
        Address old = oldCoordinator.getAddress();
        log.targets.clear();

        oldCoordinator.close(); // b becomes coordinator
        Address coord = newCoordinator.get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!delivered.contains("on-new-view") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(delivered.contains("on-new-view"), "the message was delivered");
        assertTrue(!log.targets.isEmpty(), "the message was forwarded");
        assertTrue(!log.targets.contains(old), "forwarded to the old coordinator " + old + ": " + log.targets);
        assertEquals(coord, log.targets.get(0));
    }

    private static void awaitSize(JChannel c, int size) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (c.getView().size() < size && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(size, c.getView().size());
    }
}
