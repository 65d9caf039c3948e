package org.pmxcfs.dfsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The guarantees the dfsm relies on, on a raw group driven by hand. */
class ViewSyncedDeliveryTest {

    static final MemberId A = new MemberId(1, 100);
    static final MemberId B = new MemberId(2, 200);
    static final MemberId C = new MemberId(3, 300);
    static final ViewStamp V1 = new ViewStamp(1, 11);
    static final ViewStamp V2 = new ViewStamp(2, 11);
    /** The other side of a partition numbered its view 2 too. */
    static final ViewStamp V2_ELSEWHERE = new ViewStamp(2, 33);

    /** A raw group that runs dispatched tasks at once and records what is sent. */
    static final class HandGroup implements RawGroup {
        Listener listener;
        final List<byte[]> multicasts = new ArrayList<>();
        final List<MemberId> unicastTo = new ArrayList<>();
        int nodes;

        @Override
        public void join(Listener l) {
            listener = l;
        }

        @Override
        public boolean multicast(byte[] message) {
            multicasts.add(message);
            return true;
        }

        @Override
        public boolean unicast(MemberId to, byte[] message) {
            unicastTo.add(to);
            return true;
        }

        @Override
        public void dispatch(Runnable task) {
            task.run();
        }

        @Override
        public void leave() {
            listener = null;
        }

        @Override
        public MemberId self() {
            return A;
        }

        @Override
        public int configuredNodes() {
            return nodes;
        }
    }

    final HandGroup group = new HandGroup();
    final ViewSyncedDelivery transport = new ViewSyncedDelivery(group);
    final List<String> events = new ArrayList<>();

    @BeforeEach
    void join() throws Exception {
        transport.join(new Transport.Listener() {
            @Override
            public void viewChanged(List<MemberId> members) {
                events.add("view " + members.size());
            }

            @Override
            public void deliver(MemberId sender, byte[] message) {
                events.add(sender.nodeId() + ":" + new String(message));
            }
        });
        group.listener.viewInstalled(V1, List.of(A, B, C));
    }

    private static byte[] data(ViewStamp v, long seq, String body) {
        ByteBuffer b = ByteBuffer.allocate(ViewSyncedDelivery.HEADER_BYTES + body.length()).put((byte) 1);
        v.write(b);
        return b.putLong(seq).put(body.getBytes()).array();
    }

    private static byte[] ack(ViewStamp v, long seq) {
        ByteBuffer b = ByteBuffer.allocate(ViewSyncedDelivery.HEADER_BYTES).put((byte) 2);
        v.write(b);
        return b.putLong(seq).array();
    }

    /**
     * Not before half the nodes hold it: a majority of the view may be a minority of the cluster
     * (two of a five-node cluster's view of three), and the other three a quorate view without
     * the write (simulation seed 739).
     */
    @Test
    void inAFiveNodeClusterOwnMessagesWaitForThreeCopiesAndHoldBackWhatFollows() {
        group.nodes = 5;
        transport.multicast("mine".getBytes());
        group.listener.received(A, group.multicasts.get(0)); // back from the sequencer
        group.listener.received(B, data(V1, 1, "after"));
        group.listener.received(B, ack(V1, 1));
        assertEquals(List.of("view 3"), events, "nothing before both other members of three have it");
        group.listener.received(C, ack(V1, 1));
        assertEquals(List.of("view 3", "1:mine", "2:after"), events);
        assertEquals(List.of(B), group.unicastTo, "foreign messages are acked to their sender");
    }

    @Test
    void inAThreeNodeClusterAMajorityOfTheViewIsEnough() {
        group.nodes = 3;
        transport.multicast("mine".getBytes());
        group.listener.received(A, group.multicasts.get(0));
        assertEquals(List.of("view 3"), events, "nothing before one other member has it");
        group.listener.received(B, ack(V1, 1));
        assertEquals(List.of("view 3", "1:mine"), events);
    }

    @Test
    void withoutTheNumberOfNodesEveryMemberMustHaveIt() {
        transport.multicast("mine".getBytes());
        group.listener.received(A, group.multicasts.get(0));
        group.listener.received(B, ack(V1, 1));
        assertEquals(List.of("view 3"), events);
        group.listener.received(C, ack(V1, 1));
        assertEquals(List.of("view 3", "1:mine"), events);
    }

    @Test
    void otherViewsAreDroppedOrHeldByNumberAndCreator() {
        group.listener.received(B, data(V2, 1, "early"));
        group.listener.received(B, data(new ViewStamp(0, 11), 1, "late"));
        group.listener.received(C, data(V2_ELSEWHERE, 1, "other side"));
        assertEquals(List.of("view 3"), events);
        group.listener.viewInstalled(V2, List.of(A, B));
        assertEquals(List.of("view 3", "view 2", "2:early"), events, "held until its view is installed");
    }

    @Test
    void anOwnMessageGivenUpAtAViewChangeEndsItsView() {
        transport.multicast("mine".getBytes());
        group.listener.received(A, group.multicasts.get(0));
        group.listener.received(B, data(V1, 7, "after"));
        group.listener.viewInstalled(V2, List.of(A, B)); // before any ack
        group.listener.received(B, data(V1, 8, "late"));
        group.listener.received(B, data(V2, 9, "new"));
        assertEquals(List.of("view 3", "view 2", "2:new"), events,
                "others may have delivered ours: nothing more of that view here");
        assertTrue(group.unicastTo.contains(B));
    }
}
