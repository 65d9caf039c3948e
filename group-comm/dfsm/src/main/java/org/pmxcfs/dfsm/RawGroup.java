package org.pmxcfs.dfsm;

import java.util.List;

/**
 * A process group as a group communication system gives it, before the guarantees the dfsm
 * needs are added on top ({@link ViewSyncedDelivery}): what JGroups with SEQUENCER and without
 * FLUSH offers, and what the simulated network imitates.
 *
 * <ul>
 *   <li><b>Views</b> carry a {@link ViewStamp}; every member of a view is told of it, each at
 *       its own moment.</li>
 *   <li><b>Multicast</b> reaches the members of the sender's view in one total order (each
 *       sender's messages in the order it sent them), the sender included, but is not aligned
 *       with views: a message may arrive at a member after it installed the next view, or
 *       before it installed the view the message was sent in; a member that leaves or is cut
 *       off may miss any part of what was sent before.</li>
 *   <li><b>Unicast</b> is out of band: no order with anything else, and it may be lost.</li>
 * </ul>
 *
 * <p>Listener calls may come from several threads; {@link #dispatch} runs tasks on the group's
 * one delivery thread, in the order they were handed over.
 */
public interface RawGroup {

    /** Joins the group; events arrive at {@code listener} until {@link #leave()}. */
    void join(Listener listener) throws Exception;

    /** Multicasts to the current view; false if it could not be sent (not connected, too many waiting). */
    boolean multicast(byte[] message);

    /** Sends to one member out of band; false if it could not be sent. */
    boolean unicast(MemberId to, byte[] message);

    /** Runs {@code task} on the delivery thread after every task handed over before it. */
    void dispatch(Runnable task);

    /** Leaves the group; no more events or dispatched tasks after it returns. */
    void leave();

    /** This member. */
    MemberId self();

    /** How many nodes the group is configured for (the nodelist); 0 if not known. */
    default int configuredNodes() {
        return 0;
    }

    /** Views and messages as they arrive. */
    interface Listener {
        /** A new view was installed: its stamp and members (sorted, containing this member). */
        void viewInstalled(ViewStamp view, List<MemberId> members);

        /** A multicast or unicast message arrived from {@code sender}. */
        void received(MemberId sender, byte[] message);
    }
}
