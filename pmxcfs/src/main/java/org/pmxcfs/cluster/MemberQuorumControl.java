package org.pmxcfs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.NodeEntry;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.ipc.QuorumControl;
import org.pmxcfs.jgroups.JGroupsTransport;
import org.pmxcfs.qdevice.RingId;
import org.pmxcfs.status.KvStore;

/**
 * {@code pvecm status} and {@code pvecm expected} on a cluster member: the quorum of
 * {@link ClusterQuorum} with the nodelist in force, the group's view and links and the QDevice's
 * state, rendered by {@link QuorumStatusJson}; expected votes applied here, then sent to the others.
 */
final class MemberQuorumControl implements QuorumControl {

    private final NodelistInForce nodelist;
    private final NodeEntry self;
    private final ClusterQuorum quorum;
    private final JGroupsTransport transport;
    private final QDeviceLink qdevice;
    private final Function<List<MemberId>, RingId> ringOf;
    private final KvStore kv;
    private final LongConsumer tellExpected;

    /**
     * @param ringOf       corosync's ring id of a view of the dcdb group
     * @param tellExpected sends accepted expected votes to the other members
     */
    MemberQuorumControl(NodelistInForce nodelist, NodeEntry self, ClusterQuorum quorum, JGroupsTransport transport,
                        QDeviceLink qdevice, Function<List<MemberId>, RingId> ringOf, KvStore kv,
                        LongConsumer tellExpected) {
        this.nodelist = nodelist;
        this.self = self;
        this.quorum = quorum;
        this.transport = transport;
        this.qdevice = qdevice;
        this.ringOf = ringOf;
        this.kv = kv;
        this.tellExpected = tellExpected;
    }

    /** {@code pvecm expected}: validated by votequorum's rules, applied here, then sent to the others. */
    @Override
    public String setExpected(long votes) {
        String refused = quorum.setExpected(votes);
        if (refused == null) {
            tellExpected.accept(votes);
        }
        return refused;
    }

    @Override
    public JsonNode quorumStatus() {
        List<MemberId> view = quorum.view();
        CorosyncConf c = nodelist.conf();
        // corosync-quorumtool's Qdevice column: this node's flags, the others' as they announced them
        Function<NodeEntry, String> deviceFlags = c.quorum().device().isEmpty() ? null
                : n -> n.nodeid() == self.nodeid() ? qdevice.flags(ringOf.apply(view))
                        : kv.get(n.name(), DeviceFeed.QDEVICE_KEY).map(v -> new String(v, StandardCharsets.UTF_8)).orElse("NR");
        ObjectNode o = QuorumStatusJson.render(c, self, quorum.quorate(), quorum.status(), view,
                transport.viewNumber(), transport.linkStatus(), deviceFlags);
        qdevice.client().ifPresent(client -> {
            ObjectNode d = o.putObject("qdevice");
            d.put("votes", quorum.deviceVotes());
            d.put("casting", client.castsVoteFor(ringOf.apply(view)));
            d.put("state", client.state());
            d.put("host", client.settings().host());
            d.put("algorithm", client.settings().algorithm().toString());
        });
        return o;
    }
}
