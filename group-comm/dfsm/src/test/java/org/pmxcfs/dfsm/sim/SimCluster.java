package org.pmxcfs.dfsm.sim;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.pmxcfs.dfsm.Dfsm;
import org.pmxcfs.dfsm.DfsmMode;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.dfsm.SendResult;
import org.pmxcfs.dfsm.ViewSyncedDelivery;
import org.slf4j.LoggerFactory;

/**
 * N toy nodes, each a {@link Dfsm} with {@link ToyApp} on a {@link SimNetwork}, driven on one
 * thread in virtual time, with clients, faults and the end-of-run oracle. Everything random
 * comes from the network's seeded PRNG.
 */
final class SimCluster {

    private static final ch.qos.logback.classic.Logger DFSM_LOGS =
            (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("sim");
    private static SimCluster current;

    static {
        // The dfsm logs every mode change; thousands of simulated runs would drown the output.
        // With verbose tracing on, its log lines go into the current cluster's trace instead.
        DFSM_LOGS.setLevel(Level.OFF);
        DFSM_LOGS.setAdditive(false);
        AppenderBase<ILoggingEvent> toTrace = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                SimCluster c = current;
                if (c != null) {
                    c.trace(e.getLoggerName().substring(4) + ": " + e.getFormattedMessage());
                }
            }
        };
        toTrace.setContext(DFSM_LOGS.getLoggerContext());
        toTrace.start();
        DFSM_LOGS.addAppender(toTrace);
    }

    /** Routes the dfsm's own log lines (INFO and up) into this cluster's trace. */
    void traceDfsmLogs(boolean on) {
        current = on ? this : null;
        DFSM_LOGS.setLevel(on ? Level.INFO : Level.OFF);
    }

    static final long STEP_MS = 5;
    static final long TICK_MS = 100;

    /**
     * One run's settings.
     *
     * @param nodes cluster size (quorum: more than half)
     * @param net network faults and delays
     * @param verifyPeriodMs dfsm verify period
     * @param restartDelayMs dfsm rejoin delay after LEAVE
     * @param sendTimeoutMs how long a client waits for its write
     */
    record Profile(int nodes, SimNetwork.Options net, long verifyPeriodMs, long restartDelayMs, long sendTimeoutMs) {
        static Profile quiet(int nodes) {
            return new Profile(nodes, SimNetwork.Options.DEFAULT, 3_600_000, 500, 3000);
        }
    }

    /** How a client write ended, from the client's point of view. */
    enum OpOutcome { APPLIED, NOT_SENT, ABORTED, TIMED_OUT, CRASHED }

    /** One client write. */
    static final class ClientOp {
        final long id;
        final int node;
        final int kind;
        final String key;
        final long submitted;
        final boolean finalPhase;
        CompletableFuture<SendResult> future;
        OpOutcome outcome;
        int result;

        ClientOp(long id, int node, int kind, String key, long submitted, boolean finalPhase) {
            this.id = id;
            this.node = node;
            this.kind = kind;
            this.key = key;
            this.submitted = submitted;
            this.finalPhase = finalPhase;
        }

        @Override
        public String toString() {
            return (kind == ToyStore.ADD ? "add#" : "claim#") + id + (kind == ToyStore.CLAIM ? "(" + key + ")" : "")
                    + "@n" + node + "=" + outcome + (outcome == OpOutcome.APPLIED ? "/" + result : "");
        }
    }

    final class Node {
        final int id;
        final ToyStore store = new ToyStore();
        SimNetwork.Endpoint endpoint;
        ToyApp app;
        Dfsm dfsm;
        boolean up;
        long downSince;
        DfsmMode lastMode;
        long protocolVersion = 1;

        Node(int id) {
            this.id = id;
        }

        void boot() {
            endpoint = net.endpoint(id, nextPid++);
            app = new ToyApp(store, this::quorate);
            if (current == SimCluster.this) {
                app.trace = line -> trace("n" + id + " " + line);
            }
            dfsm = new Dfsm("sim.n" + id, protocolVersion, new ViewSyncedDelivery(endpoint), app, clock,
                    new Dfsm.Options(Duration.ofMillis(profile.verifyPeriodMs()), Duration.ofMillis(profile.restartDelayMs())));
            try {
                dfsm.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            up = true;
            lastMode = null;
            trace("n" + id + " boots as " + endpoint.self());
        }

        void crash() {
            endpoint.crash();
            up = false;
            downSince = clock.millis();
            crashes++;
            for (ClientOp op : open) {
                if (op.node == id && op.outcome == null) {
                    op.outcome = OpOutcome.CRASHED;
                }
            }
            open.removeIf(op -> op.outcome != null);
        }

        boolean quorate() {
            Set<Integer> ids = new HashSet<>();
            for (MemberId m : dfsm.members()) {
                ids.add(m.nodeId());
            }
            return ids.size() * 2 > nodes.length;
        }

        DfsmMode mode() {
            return up ? dfsm.mode() : null;
        }
    }

    final long seed;
    final Profile profile;
    final SimClock clock;
    final SimNetwork net;
    final Random rnd;
    final Node[] nodes;
    final List<ClientOp> ops = new ArrayList<>();
    final List<ClientOp> open = new ArrayList<>();
    int crashes;
    /** Members that left a view early for other reasons than a crash (service restarts). */
    int departures;
    private final long start;
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    /** How many trace lines are kept (the last ones). */
    int traceLimit = 150;
    private long nextOpId = 1;
    private long nextPid = 100;
    private long lastTick;

    SimCluster(long seed, Profile profile) {
        this.seed = seed;
        this.profile = profile;
        this.clock = new SimClock(1_700_000_000_000L);
        this.start = clock.millis();
        this.net = new SimNetwork(seed, clock, profile.net());
        this.rnd = net.random();
        net.setTrace(this::trace);
        nodes = new Node[profile.nodes()];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new Node(i + 1);
        }
    }

    Node node(int id) {
        return nodes[id - 1];
    }

    void trace(String line) {
        if (trace.size() >= traceLimit) {
            trace.removeFirst();
        }
        trace.addLast(String.format("%8.3f %s", (clock.millis() - start) / 1000.0, line));
    }

    String traceDump() {
        return String.join("\n", trace);
    }

    /** Starts every node. */
    void bootAll() {
        for (Node n : nodes) {
            n.boot();
        }
    }

    /**
     * A client on {@code node} writes, if that node is up and quorate (the FUSE layer answers
     * EACCES without quorum and never sends); returns null if it did not.
     */
    ClientOp write(int node, int kind, String key, boolean finalPhase) {
        Node n = node(node);
        if (!n.up || !n.quorate()) {
            return null;
        }
        ClientOp op = new ClientOp(nextOpId++, node, kind, key, clock.millis(), finalPhase);
        op.future = n.dfsm.submit(ToyApp.SUBTYPE, ToyApp.encodeOp(kind, op.id, key));
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
            for (Node n : nodes) {
                if (n.up) {
                    n.dfsm.tick();
                }
            }
        }
        resolveOps();
        for (Node n : nodes) {
            DfsmMode m = n.mode();
            if (n.up && m != n.lastMode) {
                trace("n" + n.id + " " + m);
                n.lastMode = m;
            }
        }
    }

    private void resolveOps() {
        if (open.isEmpty()) {
            return;
        }
        long now = clock.millis();
        for (ClientOp op : open) {
            if (!op.future.isDone() && now - op.submitted >= profile.sendTimeoutMs()) {
                op.future.cancel(false); // what Dfsm.send does on timeout
            }
            if (op.future.isDone()) {
                if (op.future.isCancelled()) {
                    op.outcome = OpOutcome.TIMED_OUT;
                } else {
                    SendResult r = op.future.join();
                    op.outcome = OpOutcome.valueOf(r.outcome().name());
                    op.result = r.result();
                }
                if (op.outcome != OpOutcome.APPLIED || traceLimit == Integer.MAX_VALUE) {
                    trace("client " + op); // successful writes only in full traces: they are most lines
                }
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
        for (Node n : nodes) {
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

    /** Whether every node holds the same state. */
    boolean converged() {
        byte[] d = nodes[0].store.digest();
        for (Node n : nodes) {
            if (!java.util.Arrays.equals(d, n.store.digest())) {
                return false;
            }
        }
        return true;
    }

    /** Oracle result: violations (empty = pass) and statistics. */
    record Verdict(List<String> violations, int acked, int lostAcked, boolean strict, int forks, long views,
            int tailLosses, int crashes, List<String> losses) {}

    /**
     * Checks the end state (after a heal and quiet period). Always: all synced, identical
     * states, no operation applied twice, nothing applied that no client sent, every acked
     * write of the final (fault-free) phase present with its acked result. If {@code strict},
     * every acked write of the whole run must be present with its acked result.
     */
    Verdict check(boolean strict) {
        List<String> v = new ArrayList<>();
        if (!allSynced()) {
            StringBuilder b = new StringBuilder("not all synced:");
            for (Node n : nodes) {
                b.append(" n").append(n.id).append('=').append(n.mode()).append(n.up ? n.dfsm.members() : "");
            }
            v.add(b.toString());
        }
        if (!converged()) {
            StringBuilder b = new StringBuilder("states differ:");
            for (Node n : nodes) {
                b.append(" n").append(n.id).append("(v").append(n.store.version()).append(')');
            }
            v.add(b.toString());
        }
        List<ToyStore.Entry> log = nodes[0].store.log();
        Map<String, Long> owners = nodes[0].store.owners();
        Set<Long> sent = new HashSet<>();
        for (ClientOp op : ops) {
            sent.add(op.id);
        }
        Set<Long> inLog = new HashSet<>();
        for (ToyStore.Entry e : log) {
            if (!inLog.add(e.id())) {
                v.add("op " + e.id() + " applied twice");
            }
            if (!sent.contains(e.id())) {
                v.add("op " + e.id() + " applied but never sent");
            }
        }
        int acked = 0;
        int lost = 0;
        List<String> losses = new ArrayList<>();
        for (ClientOp op : ops) {
            if (op.outcome == null) {
                v.add("unresolved " + op);
                continue;
            }
            if (op.outcome != OpOutcome.APPLIED) {
                continue;
            }
            acked++;
            String problem = null;
            if (op.kind == ToyStore.ADD || op.result == 0) {
                if (!inLog.contains(op.id)) {
                    problem = "acked " + op + " lost";
                } else if (op.kind == ToyStore.CLAIM && !Long.valueOf(op.id).equals(owners.get(op.key))) {
                    problem = "acked " + op + " but owner is " + owners.get(op.key);
                }
            } else {
                Long owner = owners.get(op.key);
                if (owner == null || owner == op.id) {
                    problem = "acked " + op + " but owner is " + owner;
                }
            }
            if (problem != null) {
                lost++;
                losses.add(problem);
                if (strict || op.finalPhase) {
                    v.add(problem);
                }
            }
        }
        int forks = 0;
        for (Node n : nodes) {
            forks += n.store.discards;
        }
        return new Verdict(v, acked, lost, strict, forks, net.views(), net.tailLosses(), crashes, losses);
    }
}
