package org.pmxcfs.dfsm;

import java.util.List;

/**
 * Group communication as the dfsm needs it, and no more: membership views and totally ordered
 * multicast. Implemented by {@link ViewSyncedDelivery} on a {@link RawGroup}: JGroups in real
 * clusters, the seeded in-process network in simulation tests.
 *
 * <p>Guarantees the dfsm may rely on: the listener is called from one thread at a time; within a
 * view, every member delivers a prefix of one common sequence of messages (total order, each
 * sender's messages in the order it sent them), its own messages included; a view change is
 * delivered to every member of the new view, after every message it delivered in the old view.
 * Not guaranteed: that members leaving, or members on the far side of a partition, delivered the
 * same prefix; that a message multicast just before a view change is delivered at all.
 */
public interface Transport {

    /** Joins the group; events arrive on {@code listener} until {@link #leave()}. */
    void join(Listener listener) throws Exception;

    /**
     * Multicasts {@code message} to the current view, totally ordered with all members'
     * messages and delivered to the sender too. Returns false if it could not be sent (not
     * connected); the caller then fails the operation.
     */
    boolean multicast(byte[] message);

    /** Leaves the group; no more events after it returns. */
    void leave();

    /** This member. */
    MemberId self();

    /** Receives views and messages, one event at a time. */
    interface Listener {
        /** A new view; {@code members} sorted ({@link MemberId#compareTo}), containing this member. */
        void viewChanged(List<MemberId> members);

        void deliver(MemberId sender, byte[] message);
    }
}
