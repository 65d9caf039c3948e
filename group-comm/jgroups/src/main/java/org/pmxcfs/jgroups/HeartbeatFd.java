package org.pmxcfs.jgroups;

import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.FD_ALL3;

/**
 * {@link FD_ALL3} that keeps a member alive only by its heartbeats, not by any message from it.
 *
 * <p>Why: heartbeats go to the members of the sender's view only, while other traffic does
 * not stop when a view changes (retransmissions, suspicion checks). A node whose own packets
 * are lost is dropped from the others' view, yet it keeps receiving their retransmissions; had
 * those counted, it would never suspect anyone and would wait, writable, in a view that no
 * longer exists. Counting heartbeats only, it notices within the timeout that nobody counts it
 * as a member any more, forms a view of its own and goes read-only.
 *
 * <p>So heartbeats must go out every interval. {@link org.jgroups.protocols.FailureDetection}
 * skips a heartbeat when the member multicast anything in the interval, which is always the case
 * for the sequencer under write load: the others then suspected it every timeout, and only
 * VERIFY_SUSPECT2's check kept it in the view, until a lost check (a lossy link) dropped a
 * healthy coordinator. Multicasts here do not count as having sent a heartbeat.
 */
public final class HeartbeatFd extends FD_ALL3 {

    public HeartbeatFd() {
        // headers are looked up by protocol id: the subclass speaks as FD_ALL3
        setId(ClassConfigurator.getProtocolId(FD_ALL3.class));
    }

    /** {@code heartbeat}: the update comes from a heartbeat (FailureDetection passes this flag). */
    @Override
    protected void update(Address sender, boolean heartbeat, boolean skipIfExists) {
        if (heartbeat || !timestamps.containsKey(sender)) {
            super.update(sender, heartbeat, skipIfExists);
        }
    }

    /** Passes the message on without marking the interval as one with traffic: the heartbeat still goes out. */
    @Override
    public Object down(Message msg) {
        return down_prot.down(msg);
    }
}
