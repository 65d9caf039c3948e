package org.pmxcfs.dfsm.sim;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.pmxcfs.dfsm.DfsmMode;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.dfsm.SendResult;
import org.slf4j.LoggerFactory;

/**
 * What every cluster simulation drives the same way: one seeded {@link SimNetwork} and virtual
 * clock, nodes that tick every {@link #TICK_MS}, client writes resolved by their futures or a
 * timeout, crashes that end their node's waiting clients, a bounded trace, and the step loop,
 * all on one thread. Everything random comes from the network's PRNG, so a run is reproducible
 * from its seed. Subclasses say what a node is and what its clients write.
 *
 * @param <N> a node
 * @param <O> a client write
 */
public abstract class SimDriver<N extends SimMember, O extends SimOp> {

    public static final long STEP_MS = 5;
    public static final long TICK_MS = 100;
    public static final long START_MILLIS = 1_700_000_000_000L;
    private static final Set<String> ROUTED = ConcurrentHashMap.newKeySet();
    /** The run whose trace receives the routed log lines; null: they are dropped. */
    private static volatile SimDriver<?, ?> tracing;

    public final long seed;
    public final SimClock clock = new SimClock(START_MILLIS);
    public final SimNetwork net;
    public final Random rnd;
    public final List<O> ops = new ArrayList<>();
    /** The writes whose clients still wait. */
    public final List<O> open = new ArrayList<>();
    public int crashes;
    /** How many trace lines are kept (the last ones). */
    public int traceLimit = 150;
    private final long sendTimeoutMs;
    private final String[] loggers;
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    private long nextOpId = 1;
    private long nextPid = 100;
    private long lastTick;

    /**
     * @param nodes how many nodes the cluster has
     * @param sendTimeoutMs how long a client waits for its write (the daemon's --write-timeout)
     * @param loggers the loggers of the code under test: silent, or lines of the trace (see {@link #traceLogs})
     */
    protected SimDriver(long seed, SimNetwork.Options net, int nodes, long sendTimeoutMs, String... loggers) {
        this.seed = seed;
        this.net = new SimNetwork(seed, clock, net);
        this.net.setConfiguredNodes(nodes);
        this.rnd = this.net.random();
        this.sendTimeoutMs = sendTimeoutMs;
        this.loggers = loggers.clone();
        this.net.setTrace(this::trace);
        for (String name : loggers) {
            route(name);
        }
    }

    /** The node with {@code id}. */
    public abstract N node(int id);

    /** Every node, in id order. */
    protected abstract List<N> members();

    /** Called after every step (after the clients' writes were resolved). */
    protected void afterStep() {}

    /** Called when {@code op} was applied, before its client is told. */
    protected void applied(O op) {}

    /** The id for the next client write. */
    protected long nextOpId() {
        return nextOpId++;
    }

    /** The pid of the next process incarnation of any node. */
    protected long nextPid() {
        return nextPid++;
    }

    /** Registers a write its client now waits for. */
    protected O submitted(O op) {
        ops.add(op);
        open.add(op);
        return op;
    }

    /** A node's process died: its waiting clients learn that. */
    protected void crashed(int node) {
        crashes++;
        for (O op : open) {
            if (op.node == node && op.outcome == null) {
                op.outcome = SimOp.Outcome.CRASHED;
            }
        }
        open.removeIf(op -> op.outcome != null);
    }

    /** Whether this run's trace is the one that gets the log lines. */
    protected boolean tracingLogs() {
        return tracing == this;
    }

    /** Routes the code's log lines (INFO and up) into this run's trace, or silences them again. */
    public void traceLogs(boolean on) {
        tracing = on ? this : null;
        for (String name : loggers) {
            ((Logger) LoggerFactory.getLogger(name)).setLevel(on ? Level.INFO : Level.OFF);
        }
    }

    public void trace(String line) {
        if (trace.size() >= traceLimit) {
            trace.removeFirst();
        }
        trace.addLast(String.format("%8.3f %s", (clock.millis() - START_MILLIS) / 1000.0, line));
    }

    public String traceDump() {
        return String.join("\n", trace);
    }

    /** Advances virtual time by one step and runs everything due. */
    public void step() {
        clock.advance(STEP_MS);
        net.step();
        if (clock.millis() - lastTick >= TICK_MS) {
            lastTick = clock.millis();
            for (N n : members()) {
                if (n.up) {
                    n.tick();
                }
            }
        }
        resolveOps();
        afterStep();
    }

    private void resolveOps() {
        long now = clock.millis();
        for (O op : open) {
            if (!op.future.isDone() && now - op.submitted >= sendTimeoutMs) {
                op.future.cancel(false); // what Dfsm.send does on timeout
            }
            if (!op.future.isDone()) {
                continue;
            }
            if (op.future.isCancelled()) {
                op.outcome = SimOp.Outcome.TIMED_OUT;
            } else {
                SendResult r = op.future.join();
                op.outcome = SimOp.Outcome.valueOf(r.outcome().name());
                op.result = r.result();
                if (r.isApplied()) {
                    applied(op);
                }
            }
            if (op.outcome != SimOp.Outcome.APPLIED || traceLimit == Integer.MAX_VALUE) {
                trace("client " + op); // successful writes only in full traces: they are most lines
            }
        }
        open.removeIf(op -> op.outcome != null);
    }

    /** Steps until {@code done} holds or {@code budgetMs} of virtual time passed. */
    public boolean runUntil(BooleanSupplier done, long budgetMs) {
        long end = clock.millis() + budgetMs;
        while (!done.getAsBoolean()) {
            if (clock.millis() >= end) {
                return false;
            }
            step();
        }
        return true;
    }

    public void run(long ms) {
        long end = clock.millis() + ms;
        while (clock.millis() < end) {
            step();
        }
    }

    /** Every node up, SYNCED, in one view holding exactly one incarnation of every node, network idle. */
    public boolean allSynced() {
        List<N> all = members();
        for (N n : all) {
            if (!n.up || n.dfsm.mode() != DfsmMode.SYNCED || n.dfsm.members().size() != all.size()) {
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

    /** "not all synced:" and every node's mode and members, for a verdict. */
    protected String syncReport() {
        StringBuilder b = new StringBuilder("not all synced:");
        for (N n : members()) {
            b.append(" n").append(n.id).append('=').append(n.mode()).append(n.up ? n.dfsm.members() : "");
        }
        return b.toString();
    }

    /** Silences {@code name} and sends its lines to the run being traced, once per logger. */
    private static void route(String name) {
        if (!ROUTED.add(name)) {
            return;
        }
        Logger l = (Logger) LoggerFactory.getLogger(name);
        AppenderBase<ILoggingEvent> toTrace = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                SimDriver<?, ?> d = tracing;
                if (d != null) {
                    d.trace(e.getLoggerName() + ": " + e.getFormattedMessage());
                }
            }
        };
        toTrace.setContext(l.getLoggerContext());
        toTrace.start();
        l.setLevel(Level.OFF);
        l.setAdditive(false);
        l.addAppender(toTrace);
    }
}
