package org.pmxcfs.jgroups;

import java.util.Set;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.stack.Protocol;
import org.jgroups.util.ExtendedUUID;
import org.jgroups.util.MessageBatch;

/**
 * Test-only network partition: drops every message from, and every unicast to, the members of
 * the blocked nodes, as a cut cable would. Sits right above the transport, so discovery, failure
 * detection and merging all see the cut. The in-process transport tests put it in the stack;
 * the daemon has no such layer (multi-process tests cut real links, see TestNetwork).
 */
public final class PartitionSwitch extends Protocol {

    private volatile Set<Integer> blocked = Set.of();

    /** Cuts this node off from {@code nodeIds} (empty: heal). */
    public void block(Set<Integer> nodeIds) {
        blocked = Set.copyOf(nodeIds);
    }

    private boolean cut(Address a) {
        Set<Integer> b = blocked;
        if (b.isEmpty() || !(a instanceof ExtendedUUID id) || !id.keyExists(JGroupsTransport.KEY_NODEID)) {
            return false;
        }
        try {
            return b.contains((int) JGroupsTransport.number(id.get(JGroupsTransport.KEY_NODEID)));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public Object down(Message msg) {
        return msg.getDest() != null && cut(msg.getDest()) ? null : down_prot.down(msg);
    }

    @Override
    public Object up(Message msg) {
        return cut(msg.getSrc()) ? null : up_prot.up(msg);
    }

    @Override
    public void up(MessageBatch batch) {
        if (!cut(batch.sender())) {
            up_prot.up(batch);
        }
    }
}
