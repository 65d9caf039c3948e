package org.pmxcfs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.quorum.QDeviceState;
import org.pmxcfs.quorum.QuorumConfig;

class ClusterQuorumTest {

    /** The installed view, as the dfsm hands it out: a new list with every view. */
    private List<MemberId> installed = List.of();

    private static CorosyncConf conf(int nodes, String quorumOptions) throws Exception {
        StringBuilder s = new StringBuilder("nodelist {\n");
        for (int i = 1; i <= nodes; i++) {
            s.append("  node {\n    name: n").append(i).append("\n    nodeid: ").append(i)
                    .append("\n    quorum_votes: 1\n    ring0_addr: 127.0.0.").append(i).append("\n  }\n");
        }
        s.append("}\n\nquorum {\n  provider: corosync_votequorum\n").append(quorumOptions).append("}\n\n")
                .append("totem {\n  cluster_name: c\n  config_version: 1\n  interface {\n    linknumber: 0\n  }\n")
                .append("  ip_version: ipv4-6\n  link_mode: passive\n  secauth: on\n  version: 2\n}\n");
        return CorosyncConf.parse(s.toString());
    }

    private void view(int... nodeIds) {
        List<MemberId> v = new ArrayList<>();
        for (int id : nodeIds) {
            v.add(new MemberId(id, 100 + id));
        }
        installed = v;
    }

    @Test
    void quorumFollowsTheInstalledViewAtOnceWithoutWaitingForAPoll() throws Exception {
        ClusterQuorum q = new ClusterQuorum(conf(3, ""), () -> installed, v -> QDeviceState.NOT_REGISTERED);
        view(1, 2, 3);
        assertTrue(q.quorate());
        view(1); // cut off: the very next write must see it, before any tick
        assertFalse(q.quorate());
        assertEquals(1, q.status().totalVotes());
        assertEquals(List.of(new MemberId(1, 101)), q.view());
        view(1, 2);
        assertTrue(q.quorate());
    }

    @Test
    void pollReportsEachNewViewOnce() throws Exception {
        ClusterQuorum q = new ClusterQuorum(conf(3, ""), () -> installed, v -> QDeviceState.NOT_REGISTERED);
        view(1, 2);
        assertTrue(q.poll());
        assertFalse(q.poll());
        view(1, 2); // equal members, but a new view
        assertTrue(q.poll());
    }

    @Test
    void waitForAllNeedsEveryNodeOnceAndAgainAfterQuorumWasLost() throws Exception {
        ClusterQuorum q = new ClusterQuorum(conf(3, "  wait_for_all: 1\n"), () -> installed, v -> QDeviceState.NOT_REGISTERED);
        view(1, 2);
        assertFalse(q.quorate(), "two of three never saw the third");
        view(1, 2, 3);
        assertTrue(q.quorate());
        view(1, 2);
        assertTrue(q.quorate(), "all were seen together");
        view(1);
        assertFalse(q.quorate());
        view(1, 2);
        assertFalse(q.quorate(), "quorum was lost: wait for all again");
    }

    @Test
    void expectedVotesAreCheckedByTheRulesAndApplied() throws Exception {
        ClusterQuorum q = new ClusterQuorum(conf(3, ""), () -> installed, v -> QDeviceState.NOT_REGISTERED);
        view(1);
        assertFalse(q.quorate());
        assertNotNull(q.setExpected(0), "refused by votequorum's rules");
        assertNull(q.setExpected(1));
        assertTrue(q.quorate());
        q.expectedFromPeer(2); // would make this quorate partition inquorate: ignored here
        assertTrue(q.quorate());
    }

    @Test
    void votesOnlyCountForTheNodelistAndAnExpelledNodeIsNeverQuorate() throws Exception {
        ClusterQuorum q = new ClusterQuorum(conf(3, ""), () -> installed, v -> QDeviceState.NOT_REGISTERED);
        view(1, 2, 3);
        CorosyncConf two = conf(2, "");
        q.nodelist(two, QuorumConfig.from(two)); // node 3 removed, still in the view until it leaves
        assertEquals(2, q.status().totalVotes());
        assertTrue(q.quorate());
        q.expel();
        assertFalse(q.quorate());
    }

    @Test
    void theDevicesVoteCountsOnceItChangesAndOnlyForTheViewItWasCastFor() throws Exception {
        String device = "  device {\n    model: net\n    votes: 1\n    net {\n      algorithm: ffsplit\n"
                + "      host: 127.0.0.1\n      tls: on\n    }\n  }\n";
        java.util.concurrent.atomic.AtomicReference<List<MemberId>> votedFor = new java.util.concurrent.atomic.AtomicReference<>();
        ClusterQuorum q = new ClusterQuorum(conf(2, device), () -> installed,
                v -> v == votedFor.get() ? QDeviceState.CASTING_VOTE : QDeviceState.REGISTERED);
        view(1, 2);
        assertTrue(q.quorate(), "both nodes: 2 of 3 votes");
        view(1); // node 2 gone: 1 of 3 until the device votes for this membership
        assertFalse(q.quorate());
        votedFor.set(installed);
        assertFalse(q.quorate(), "not seen before the device says its vote changed");
        q.deviceVoteChanged();
        assertTrue(q.quorate());
        assertEquals(2, q.status().totalVotes());
        view(1); // a new view: the vote was for the old one
        assertFalse(q.quorate());
    }
}
