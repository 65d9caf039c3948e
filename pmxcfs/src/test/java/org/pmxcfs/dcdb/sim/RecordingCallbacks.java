package org.pmxcfs.dcdb.sim;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dcdb.DcdbMessageType;
import org.pmxcfs.dfsm.DfsmCallbacks;
import org.pmxcfs.dfsm.MemberId;

/**
 * A node's dcdb callbacks, keeping the {@link History} of its tree: every append applied, the
 * history of a tree taken in a state transfer, the version raise at a round's end. With a trace
 * (single-seed runs), also a line per applied message and per commit.
 */
final class RecordingCallbacks implements DfsmCallbacks {

    private final DfsmCallbacks dcdb;
    private final MemDb db;
    private final History.Registry registry;
    private final Consumer<String> trace;
    private History history;

    RecordingCallbacks(DfsmCallbacks dcdb, MemDb db, History.Registry registry, Consumer<String> trace) {
        this.dcdb = dcdb;
        this.db = db;
        this.registry = registry;
        this.trace = trace;
        this.history = registry.of(db);
    }

    History history() {
        return history;
    }

    @Override
    public int deliver(MemberId sender, int subtype, long msgTime, byte[] payload) {
        int r = dcdb.deliver(sender, subtype, msgTime, payload);
        boolean append = subtype == DcdbMessageType.WRITE.code();
        // an append's last 8 bytes are its operation id
        long id = append ? ByteBuffer.wrap(payload, payload.length - DcdbSimCluster.SLOT, DcdbSimCluster.SLOT).getLong() : 0;
        if (append && r > 0) {
            history = new History(id, history);
        }
        registry.put(db, history);
        if (trace != null) {
            trace.accept("applies " + (append ? "append #" + id : "subtype " + subtype) + " from " + sender + " = " + r
                    + " -> v" + db.stats().version());
        }
        return r;
    }

    @Override
    public boolean processStateUpdate(List<MemberState> states, SyncRound round) {
        boolean ok = dcdb.processStateUpdate(states, round);
        registry.put(db, history); // a synced member raised its version
        return ok;
    }

    @Override
    public boolean commit() {
        long before = db.stats().version();
        boolean ok = dcdb.commit();
        if (ok) {
            history = registry.of(db);
        }
        if (trace != null) {
            trace.accept("commits the leader's tree v" + db.stats().version() + " over v" + before);
        }
        return ok;
    }

    @Override
    public boolean isQuorate() {
        return dcdb.isQuorate();
    }

    @Override
    public byte[] getState() {
        return dcdb.getState();
    }

    @Override
    public boolean processUpdate(MemberId sender, byte[] payload) {
        return dcdb.processUpdate(sender, payload);
    }

    @Override
    public void cleanup() {
        dcdb.cleanup();
    }

    @Override
    public byte[] checksum() {
        return dcdb.checksum();
    }

    @Override
    public void synced() {
        dcdb.synced();
    }

    @Override
    public void roundAgreed() {
        dcdb.roundAgreed();
    }

    @Override
    public void membersChanged(List<MemberId> members) {
        dcdb.membersChanged(members);
    }
}
