package org.pmxcfs.dcdb.sim;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.pmxcfs.dbstore.LoadException;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.RamStore;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.dcdb.Dcdb;
import org.pmxcfs.dcdb.DcdbHost;
import org.pmxcfs.dfsm.Dfsm;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.dfsm.ViewSyncedDelivery;
import org.pmxcfs.dfsm.sim.SimMember;
import org.pmxcfs.dfsm.sim.SimNetwork;

/**
 * One simulated pmxcfs node: the production memdb, dcdb and dfsm on a {@link RamStore} that
 * plays its disk, over {@link ViewSyncedDelivery} on a simulated endpoint. A crash loses the
 * memdb (what was not committed yet) and the dfsm; the disk stays, and the next boot loads it.
 */
final class SimNode extends SimMember implements DcdbHost {

    final RamStore disk = new RamStore();
    private final int clusterSize;
    private final Clock clock;
    private final Dfsm.Options options;
    MemDb db;
    RecordingCallbacks callbacks;
    /** State transfers that replaced entries this node had (its history lost a fork). */
    int discards;

    SimNode(int id, int clusterSize, Clock clock, Dfsm.Options options) {
        super(id);
        this.clusterSize = clusterSize;
        this.clock = clock;
        this.options = options;
    }

    /** Loads the disk into a new memdb (after a crash: what was committed before it). */
    MemDb load() {
        try {
            db = MemDb.open(disk, MemDb.DEFAULT_MAX_TOTAL_BYTES, clock.millis() / 1000);
            return db;
        } catch (LoadException e) {
            throw new IllegalStateException("n" + id + " cannot load its disk: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a new process incarnation: memdb from disk, dcdb, dfsm, join. The dcdb keeps its
     * tree's history in {@code histories}; with {@code trace}, every applied message and commit
     * is traced.
     */
    void boot(SimNetwork net, long pid, History.Registry histories, Consumer<String> trace) {
        if (db == null) {
            load();
        }
        endpoint = net.endpoint(id, pid);
        callbacks = new RecordingCallbacks(new Dcdb(db, id, this), db, histories,
                trace == null ? null : line -> trace.accept("n" + id + " " + line));
        dfsm = new Dfsm("sim.n" + id, 1, new ViewSyncedDelivery(endpoint), callbacks, clock, options);
        try {
            dfsm.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        up = true;
    }

    /** The process dies: nothing of it but the disk is left. */
    void crash() {
        die(clock.millis());
        db = null;
        dfsm = null;
    }

    /** What the daemon's cluster tick does: the dfsm's timers. */
    @Override
    public void tick() {
        dfsm.tick();
    }


    /** Quorum of the dfsm's current view, one vote per node, as votequorum with default votes. */
    @Override
    public boolean isQuorate() {
        Set<Integer> nodes = new HashSet<>();
        for (MemberId m : dfsm.members()) {
            nodes.add(m.nodeId());
        }
        return nodes.size() * 2 > clusterSize;
    }

    @Override
    public void submit(int subtype, byte[] payload) {
        dfsm.submit(subtype, payload);
    }

    @Override
    public void setErrorMode() {
        dfsm.setErrorMode();
    }

    /** The workload holds no locks under priv/lock: nothing ever expires. */
    @Override
    public boolean lockExpired(String path, TreeEntry lock) {
        return false;
    }

    @Override
    public void syncCorosyncConf(boolean reloadCorosync) {}

    @Override
    public void beforeStateTransfer(List<String> discardedPaths) {
        discards++;
    }
}
