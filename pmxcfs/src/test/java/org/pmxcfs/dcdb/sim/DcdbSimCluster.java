package org.pmxcfs.dcdb.sim;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.Result;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.dcdb.DcdbCodec;
import org.pmxcfs.dcdb.DcdbCodecException;
import org.pmxcfs.dfsm.Dfsm;
import org.pmxcfs.dfsm.DfsmMode;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.dfsm.SendResult;
import org.pmxcfs.dfsm.sim.SimClock;
import org.pmxcfs.dfsm.sim.SimNetwork;
import org.slf4j.LoggerFactory;

/**
 * N {@link SimNode}s on one {@link SimNetwork}, driven on one thread in virtual time, with
 * clients, faults and the strict end-of-run oracle ({@link #check}). Everything random comes
 * from the network's seeded PRNG, so a run is reproducible from its seed.
 *
 * <p>The workload makes every effect visible in the tree: an append writes its operation id
 * into its own 8-byte slot of its node's file {@code log/n<id>} (slot k for the k-th append of
 * that node's clients), and a claim is a {@code mkdir claims/<key>} that only the first in
 * total order wins. Each tree's {@link History} tells whether an append was applied twice.
 */
final class DcdbSimCluster {

    static final long STEP_MS = 5;
    static final long TICK_MS = 100;
    /** Slot bytes of an append. */
    static final int SLOT = 8;
    private static final long START_MILLIS = 1_700_000_000_000L;
    /** What the simulation silences (thousands of runs) or, when tracing, turns into trace lines. */
    private static final String[] LOGGERS = {"sim", "dcdb", "database", "cpg"};
    private static DcdbSimCluster tracing;

    static {
        AppenderBase<ILoggingEvent> toTrace = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                DcdbSimCluster c = tracing;
                if (c != null) {
                    c.trace(e.getLoggerName() + ": " + e.getFormattedMessage());
                }
            }
        };
        for (String name : LOGGERS) {
            Logger l = (Logger) LoggerFactory.getLogger(name);
            l.setLevel(Level.OFF);
            l.setAdditive(false);
            toTrace.setContext(l.getLoggerContext());
            l.addAppender(toTrace);
        }
        toTrace.start();
    }

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

    /** How a client operation ended, from the client's point of view. */
    enum Outcome { APPLIED, NOT_SENT, ABORTED, TIMED_OUT, CRASHED }

    /** One client operation: an append to its node's slot, or a claim. */
    static final class ClientOp {
        final long id;
        final int node;
        final int slot;
        final String claim;
        final long submitted;
        CompletableFuture<SendResult> future;
        Outcome outcome;
        int result;

        ClientOp(long id, int node, int slot, String claim, long submitted) {
            this.id = id;
            this.node = node;
            this.slot = slot;
            this.claim = claim;
            this.submitted = submitted;
        }

        Operation operation() {
            if (claim != null) {
                return new Operation.Mkdir("claims/" + claim);
            }
            return new Operation.Write(logFile(node), (long) slot * SLOT, ByteBuffer.allocate(SLOT).putLong(id).array());
        }

        @Override
        public String toString() {
            return (claim != null ? "claim(" + claim + ")#" : "append[" + slot + "]#") + id + "@n" + node + "="
                    + outcome + (outcome == Outcome.APPLIED ? "/" + result : "");
        }
    }

    final long seed;
    final Profile profile;
    final SimClock clock = new SimClock(START_MILLIS);
    final SimNetwork net;
    final Random rnd;
    final SimNode[] nodes;
    final List<ClientOp> ops = new ArrayList<>();
    final List<ClientOp> open = new ArrayList<>();
    int crashes;
    /** The history of every tree any node had (see {@link History}). */
    final History.Registry histories = new History.Registry();
    private final int[] nextSlot;
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    /** How many trace lines are kept (the last ones). */
    int traceLimit = 150;
    private long nextOpId = 1;
    private long nextPid = 100;
    private long lastTick;

    DcdbSimCluster(long seed, Profile profile) {
        this.seed = seed;
        this.profile = profile;
        this.net = new SimNetwork(seed, clock, profile.net());
        this.rnd = net.random();
        net.setTrace(this::trace);
        nodes = new SimNode[profile.nodes()];
        nextSlot = new int[profile.nodes() + 1];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new SimNode(i + 1, nodes.length, clock, profile.dfsm());
            histories.put(setUp(nodes[i].load()), null);
        }
    }

    /** The same tree on every node, as if written before the cluster was formed. */
    private MemDb setUp(MemDb db) {
        long t = START_MILLIS / 1000;
        db.apply(new Operation.Mkdir("log"), 0, t);
        db.apply(new Operation.Mkdir("claims"), 0, t);
        for (int i = 1; i <= nodes.length; i++) {
            db.apply(new Operation.Create(logFile(i)), 0, t);
        }
        db.flush();
        return db;
    }

    static String logFile(int node) {
        return "log/n" + node;
    }

    SimNode node(int id) {
        return nodes[id - 1];
    }

    void boot(SimNode n) {
        n.boot(net, nextPid++, histories, tracing == this ? this::trace : null);
        trace("n" + n.id + " boots as " + n.endpoint.self());
    }

    void crash(SimNode n) {
        trace("crash n" + n.id);
        n.crash();
        crashes++;
        for (ClientOp op : open) {
            if (op.node == n.id) {
                op.outcome = Outcome.CRASHED;
            }
        }
        open.removeIf(op -> op.outcome != null);
    }

    /** Routes the production code's log lines (INFO and up) into this run's trace. */
    void traceLogs(boolean on) {
        tracing = on ? this : null;
        for (String name : LOGGERS) {
            ((Logger) LoggerFactory.getLogger(name)).setLevel(on ? Level.INFO : Level.OFF);
        }
    }

    void trace(String line) {
        if (trace.size() >= traceLimit) {
            trace.removeFirst();
        }
        trace.addLast(String.format("%8.3f %s", (clock.millis() - START_MILLIS) / 1000.0, line));
    }

    String traceDump() {
        return String.join("\n", trace);
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
        ClientOp op = new ClientOp(nextOpId++, node, claim == null ? nextSlot[node]++ : -1, claim, clock.millis());
        try {
            DcdbCodec.Encoded m = DcdbCodec.encode(op.operation());
            op.future = n.dfsm.submit(m.subtype(), m.payload());
        } catch (DcdbCodecException e) {
            throw new IllegalStateException(e);
        }
        ops.add(op);
        open.add(op);
        return op;
    }

    /** Advances virtual time by one step and runs everything due. */
    void step() {
        clock.advance(STEP_MS);
        net.step();
        if (clock.millis() - lastTick >= TICK_MS) {
            lastTick = clock.millis();
            for (SimNode n : nodes) {
                if (n.up) {
                    n.tick();
                }
            }
        }
        resolveOps();
    }

    private void resolveOps() {
        long now = clock.millis();
        for (ClientOp op : open) {
            if (!op.future.isDone() && now - op.submitted >= profile.sendTimeoutMs()) {
                op.future.cancel(false); // what Dfsm.send does on timeout
            }
            if (!op.future.isDone()) {
                continue;
            }
            if (op.future.isCancelled()) {
                op.outcome = Outcome.TIMED_OUT;
            } else {
                SendResult r = op.future.join();
                op.outcome = Outcome.valueOf(r.outcome().name());
                op.result = r.result();
                if (r.isApplied()) {
                    node(op.node).db.flush(); // the client closes the file: durable on its node
                }
            }
            if (op.outcome != Outcome.APPLIED || traceLimit == Integer.MAX_VALUE) {
                trace("client " + op);
            }
        }
        open.removeIf(op -> op.outcome != null);
    }

    /** Steps until {@code done} holds or {@code budgetMs} of virtual time passed. */
    boolean runUntil(BooleanSupplier done, long budgetMs) {
        long end = clock.millis() + budgetMs;
        while (!done.getAsBoolean()) {
            if (clock.millis() >= end) {
                return false;
            }
            step();
        }
        return true;
    }

    void run(long ms) {
        long end = clock.millis() + ms;
        while (clock.millis() < end) {
            step();
        }
    }

    /** Every node up, SYNCED, in one view holding exactly one incarnation of every node, network idle. */
    boolean allSynced() {
        for (SimNode n : nodes) {
            if (!n.up || n.dfsm.mode() != DfsmMode.SYNCED || n.dfsm.members().size() != nodes.length) {
                return false;
            }
            for (MemberId m : n.dfsm.members()) {
                if (!m.equals(node(m.nodeId()).endpoint.self())) {
                    return false;
                }
            }
        }
        return net.quiescent() && open.isEmpty();
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
            StringBuilder b = new StringBuilder("not all synced:");
            for (SimNode n : nodes) {
                b.append(" n").append(n.id).append('=').append(n.mode()).append(n.up ? n.dfsm.members() : "");
            }
            v.add(b.toString());
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
                if (op.outcome == Outcome.APPLIED && (op.result == SLOT) != (inSlot != null)) {
                    v.add("acknowledged " + op + (inSlot == null ? " lost" : " failed but applied"));
                }
            } else if (op.outcome == Outcome.APPLIED) {
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
            acked += op.outcome == Outcome.APPLIED ? 1 : 0;
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
