package org.pmxcfs.dcdb.sim;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.dcdb.DcdbCodec;
import org.pmxcfs.dcdb.DcdbCodecException;
import org.pmxcfs.dfsm.Dfsm;
import org.pmxcfs.dfsm.sim.SimDriver;
import org.pmxcfs.dfsm.sim.SimNetwork;
import org.pmxcfs.dfsm.sim.SimOp;

/**
 * N {@link SimNode}s on one {@link SimNetwork}, with clients, faults and the strict end-of-run
 * oracle ({@link #check}); {@link SimDriver} drives them.
 *
 * <p>The workload makes every effect visible in the tree: an append writes its operation id
 * into its own 8-byte slot of its node's file {@code log/n<id>} (slot k for the k-th append of
 * that node's clients), and a claim is a {@code mkdir claims/<key>} that only the first in
 * total order wins. Each tree's {@link History} tells whether an append was applied twice.
 */
final class DcdbSimCluster extends SimDriver<SimNode, DcdbSimCluster.ClientOp> {

    /** Slot bytes of an append. */
    static final int SLOT = 8;

    /**
     * One run's settings.
     *
     * @param nodes cluster size (quorum: more than half)
     * @param net network faults and delays
     * @param dfsm verify period and rejoin delay
     * @param sendTimeoutMs how long a client waits for its write (the daemon's --write-timeout)
     */
    record Profile(int nodes, SimNetwork.Options net, Dfsm.Options dfsm, long sendTimeoutMs) {
        static Profile quiet(int nodes) {
            return new Profile(nodes, SimNetwork.Options.DEFAULT,
                    new Dfsm.Options(Duration.ofHours(1), Duration.ofMillis(500)), 3000);
        }
    }

    /** One client operation: an append to its node's slot, or a claim. */
    static final class ClientOp extends SimOp {
        final int slot;
        final String claim;

        ClientOp(long id, int node, int slot, String claim, long submitted) {
            super(id, node, submitted);
            this.slot = slot;
            this.claim = claim;
        }

        Operation operation() {
            if (claim != null) {
                return new Operation.Mkdir("claims/" + claim);
            }
            return new Operation.Write(logFile(node), (long) slot * SLOT, ByteBuffer.allocate(SLOT).putLong(id).array());
        }

        @Override
        public String toString() {
            return describe((claim != null ? "claim(" + claim + ")#" : "append[" + slot + "]#") + id);
        }
    }

    final Profile profile;
    final SimNode[] nodes;
    private final List<SimNode> members;
    /** The history of every tree any node had (see {@link History}). */
    final History.Registry histories = new History.Registry();
    private final int[] nextSlot;

    DcdbSimCluster(long seed, Profile profile) {
        // the production code's loggers
        super(seed, profile.net(), profile.nodes(), profile.sendTimeoutMs(), "sim", "dcdb", "database", "cpg");
        this.profile = profile;
        nodes = new SimNode[profile.nodes()];
        nextSlot = new int[profile.nodes() + 1];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new SimNode(i + 1, nodes.length, clock, profile.dfsm());
            histories.put(setUp(nodes[i].load()), null);
        }
        members = List.of(nodes);
    }

    /** The same tree on every node, as if written before the cluster was formed. */
    private MemDb setUp(MemDb db) {
        long t = START_MILLIS / 1000;
        db.apply(new Operation.Mkdir("log"), 0, t);
        db.apply(new Operation.Mkdir("claims"), 0, t);
        for (int i = 1; i <= nodes.length; i++) {
            db.apply(new Operation.Create(logFile(i)), 0, t);
        }
        return db;
    }

    static String logFile(int node) {
        return "log/n" + node;
    }

    @Override
    public SimNode node(int id) {
        return nodes[id - 1];
    }

    @Override
    protected List<SimNode> members() {
        return members;
    }

    void boot(SimNode n) {
        n.boot(net, nextPid(), histories, tracingLogs() ? this::trace : null);
        trace("n" + n.id + " boots as " + n.endpoint.self());
    }

    void crash(SimNode n) {
        trace("crash n" + n.id);
        n.crash();
        crashed(n.id);
    }

    /**
     * A client on {@code node} appends, or claims {@code claim} if not null, if that node is up
     * and quorate (the FUSE layer answers EACCES without quorum and never sends); null if not.
     */
    ClientOp write(int node, String claim) {
        SimNode n = node(node);
        if (!n.up || !n.isQuorate()) {
            return null;
        }
        ClientOp op = new ClientOp(nextOpId(), node, claim == null ? nextSlot[node]++ : -1, claim, clock.millis());
        try {
            DcdbCodec.Encoded m = DcdbCodec.encode(op.operation());
            op.future = n.dfsm.submit(m.subtype(), m.payload());
        } catch (DcdbCodecException e) {
            throw new IllegalStateException(e);
        }
        return submitted(op);
    }

    /** Oracle result: violations (empty = pass) and statistics. */
    record Verdict(List<String> violations, int acked, long views, int tailLosses, int crashes, int discards) {}

    /**
     * The strict oracle, after the final heal: all synced; identical trees (index and checksum,
     * so versions too) on every node; every acknowledged operation's effect present with its
     * acknowledged result; nothing in the tree that no client sent; nothing applied twice.
     */
    Verdict check() {
        List<String> v = new ArrayList<>();
        if (!allSynced()) {
            v.add(syncReport());
        }
        MemDb db = nodes[0].db;
        if (db == null) {
            v.add("n1 is down");
            return verdict(v, 0);
        }
        byte[] index = db.index().encode();
        for (SimNode n : nodes) {
            if (n.db != null && (!Arrays.equals(index, n.db.index().encode()) || !Arrays.equals(db.checksum(), n.db.checksum()))) {
                v.add("trees differ: n1 v" + db.stats().version() + ", n" + n.id + " v" + n.db.stats().version());
            }
        }
        Map<String, Long> slots = new HashMap<>();
        for (int i = 1; i <= nodes.length; i++) {
            byte[] log = db.lookup(logFile(i)).map(TreeEntry::data).orElse(null);
            ByteBuffer b = ByteBuffer.wrap(log == null ? new byte[0] : log);
            for (int k = 0; b.remaining() >= SLOT; k++) {
                long id = b.getLong();
                if (id != 0) {
                    slots.put(i + "/" + k, id);
                }
            }
        }
        Map<Long, Integer> applied = History.counts(histories.of(db));
        applied.forEach((id, n) -> {
            if (n > 1) {
                v.add("append #" + id + " applied " + n + " times");
            }
        });
        if (applied.size() != slots.size()) {
            v.add(applied.size() + " appends applied, " + slots.size() + " in the tree");
        }
        int acked = 0;
        Map<String, ClientOp> winners = new HashMap<>();
        for (ClientOp op : ops) {
            if (op.outcome == null) {
                v.add("unresolved " + op);
                continue;
            }
            if (op.claim == null) {
                Long inSlot = slots.remove(op.node + "/" + op.slot);
                if (inSlot != null && inSlot != op.id) {
                    v.add("slot " + op.node + "/" + op.slot + " holds " + inSlot + ", not " + op);
                }
                if (op.outcome == SimOp.Outcome.APPLIED && (op.result == SLOT) != (inSlot != null)) {
                    v.add("acknowledged " + op + (inSlot == null ? " lost" : " failed but applied"));
                }
            } else if (op.outcome == SimOp.Outcome.APPLIED) {
                ClientOp earlier = op.result == 0 ? winners.put(op.claim, op) : null;
                if (earlier != null) {
                    v.add(op.claim + " won twice: " + earlier + " and " + op);
                }
                TreeEntry dir = db.lookup("claims/" + op.claim).orElse(null);
                if (dir == null) {
                    v.add("acknowledged " + op + " but nobody holds " + op.claim);
                } else if (op.result == 0 && dir.writer() != op.node) {
                    v.add("acknowledged " + op + " but n" + dir.writer() + " holds " + op.claim);
                }
            }
            acked += op.outcome == SimOp.Outcome.APPLIED ? 1 : 0;
        }
        if (!slots.isEmpty()) {
            v.add("slots written by no client: " + slots);
        }
        return verdict(v, acked);
    }

    private Verdict verdict(List<String> violations, int acked) {
        int discards = 0;
        for (SimNode n : nodes) {
            discards += n.discards;
        }
        return new Verdict(violations, acked, net.views(), net.tailLosses(), crashes, discards);
    }
}
