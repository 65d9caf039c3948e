package org.pmxcfs.jgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.protocols.SHARED_LOOPBACK;
import org.jgroups.protocols.SHARED_LOOPBACK_PING;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Heartbeats go out every interval, also from a member that multicasts all the time (the sequencer). */
class HeartbeatFdTest {

    private final List<JChannel> channels = new ArrayList<>();

    private JChannel channel(String name) throws Exception {
        List<Protocol> p = List.of(new SHARED_LOOPBACK(), new SHARED_LOOPBACK_PING(),
                new HeartbeatFd().setTimeout(400).setInterval(100), new NAKACK2(), new UNICAST3(), new STABLE(),
                new GMS().setJoinTimeout(500).printLocalAddress(false));
        JChannel c = new JChannel(p).name(name);
        channels.add(c);
        c.connect("heartbeat-fd-test-" + ProcessHandle.current().pid());
        return c;
    }

    @AfterEach
    void close() {
        channels.forEach(JChannel::close);
    }

    @Test
    void aMemberThatMulticastsWithoutPauseIsNeverSuspected() throws Exception {
        JChannel coordinator = channel("a");
        JChannel member = channel("b");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (member.getView().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(2, member.getView().size());
        HeartbeatFd fd = coordinator.getProtocolStack().findProtocol(HeartbeatFd.class);
        int sentBefore = fd.getHeartbeatsSent();
        // two seconds of multicasts every 5 ms: five timeouts' worth
        for (int i = 0; i < 400; i++) {
            coordinator.send(new BytesMessage(null, new byte[] {1}));
            Thread.sleep(5);
        }
        assertTrue(fd.getHeartbeatsSent() - sentBefore >= 10, "heartbeats sent while multicasting: "
                + (fd.getHeartbeatsSent() - sentBefore));
        assertEquals(2, member.getView().size(), "the busy member was suspected and dropped: " + member.getView());
    }
}
