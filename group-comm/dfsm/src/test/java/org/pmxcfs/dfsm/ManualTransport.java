package org.pmxcfs.dfsm;

import java.util.ArrayList;
import java.util.List;

/**
 * A transport driven by hand: records what the dfsm multicasts and lets the test deliver views
 * and messages. With {@code loopback} on, every multicast is delivered back at once (a group of
 * one with an instant sequencer).
 */
final class ManualTransport implements Transport {

    final MemberId self;
    final List<byte[]> sent = new ArrayList<>();
    Listener listener;
    boolean accept = true;
    boolean loopback;
    int joins;
    int leaves;

    ManualTransport(MemberId self) {
        this.self = self;
    }

    @Override
    public void join(Listener l) {
        listener = l;
        joins++;
    }

    @Override
    public synchronized boolean multicast(byte[] message) {
        if (!accept) {
            return false;
        }
        sent.add(message);
        if (loopback && listener != null) {
            listener.deliver(self, message);
        }
        return true;
    }

    @Override
    public void leave() {
        listener = null;
        leaves++;
    }

    @Override
    public MemberId self() {
        return self;
    }

    void view(MemberId... members) {
        listener.viewChanged(List.of(members));
    }

    void deliver(MemberId sender, byte[] message) {
        listener.deliver(sender, message);
    }
}
