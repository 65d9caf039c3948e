package org.pmxcfs.dfsm.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.dfsm.Transport;

/**
 * A deterministic in-process group network for N simulated nodes, offering exactly what the
 * {@link Transport} contract promises (what JGroups with SEQUENCER gives) and no more:
 *
 * <ul>
 *   <li><b>Components and views.</b> Joined endpoints are grouped by the partition they are in
 *       ({@link #setPartition}); each group is one component with one view. Whenever a group's
 *       membership changes (join, leave, crash, partition, heal) its component is dissolved and
 *       the new component's view is delivered to all its members.</li>
 *   <li><b>Total order per view.</b> A multicast travels to the component's sequencer with a
 *       random delay ({@link Options#minDelayMillis}..{@link Options#maxDelayMillis}), so
 *       messages of different senders are reordered before sequencing, while one sender's
 *       messages stay in order. Sequenced messages form one list per view; every member
 *       delivers a prefix of it, lagging randomly ({@link Options#lagProbability}).</li>
 *   <li><b>View changes.</b> When a component dissolves, each surviving member delivers the
 *       rest of the old sequence, or, with {@link Options#tailLossProbability}, only a random
 *       part of it (it "misses the tail"), then the new view. Messages not yet sequenced are
 *       lost, or, with {@link Options#carryOverProbability}, sequenced in the sender's new view
 *       (as SEQUENCER re-forwards to a new coordinator). Nothing else is ever lost.</li>
 * </ul>
 *
 * Everything runs on the caller's thread: {@link #step()} does the work due at the current
 * virtual time and calls the listeners directly. One seeded {@link Random} decides everything,
 * so a run is reproducible from the seed. Listeners may multicast from a callback; joins and
 * leaves take effect at the next step.
 */
public final class SimNetwork {

    /**
     * Fault and timing knobs.
     *
     * @param minDelayMillis smallest delay from multicast to sequencing
     * @param maxDelayMillis largest such delay
     * @param lagProbability chance that a member delivers nothing in a step
     * @param tailLossProbability chance that a surviving member of a dissolved view delivers only
     *     a random prefix of what it had not yet delivered
     * @param carryOverProbability chance that a message not yet sequenced when its view
     *     dissolved is sequenced in the sender's next view instead of being lost
     */
    public record Options(int minDelayMillis, int maxDelayMillis, double lagProbability, double tailLossProbability,
            double carryOverProbability) {
        public static final Options DEFAULT = new Options(1, 10, 0.2, 0.0, 0.5);

        public Options {
            if (minDelayMillis < 0 || maxDelayMillis < minDelayMillis) {
                throw new IllegalArgumentException("bad delay range");
            }
        }
    }

    private record Sequenced(MemberId sender, byte[] message) {}

    private record InFlight(Endpoint from, byte[] message, long arrival, long seq, Component component) {}

    private final class Component {
        final long viewId;
        final List<Endpoint> members;
        final List<Sequenced> sequence = new ArrayList<>();
        boolean alive = true;

        Component(long viewId, List<Endpoint> members) {
            this.viewId = viewId;
            this.members = members;
        }

        List<MemberId> view() {
            List<MemberId> v = new ArrayList<>(members.size());
            for (Endpoint e : members) {
                v.add(e.self);
            }
            return List.copyOf(v);
        }
    }

    private final Random random;
    private final SimClock clock;
    private Options options;
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final Map<Integer, Integer> partitionOf = new TreeMap<>();
    private final List<Component> components = new ArrayList<>();
    private final PriorityQueue<InFlight> inFlight = new PriorityQueue<>(
            Comparator.comparingLong(InFlight::arrival).thenComparingLong(InFlight::seq));
    private long viewCounter;
    private long msgSeq;
    private boolean dirty;
    private int tailLosses;
    private Consumer<String> trace = s -> {};

    public SimNetwork(long seed, SimClock clock, Options options) {
        this.random = new Random(seed);
        this.clock = Objects.requireNonNull(clock);
        this.options = Objects.requireNonNull(options);
    }

    /** Receives one line per view change and fault, for failure reports. */
    public void setTrace(Consumer<String> trace) {
        this.trace = Objects.requireNonNull(trace);
    }

    public void setOptions(Options options) {
        this.options = Objects.requireNonNull(options);
    }

    public Options options() {
        return options;
    }

    /** The network's random source, for harnesses that want one seed for everything. */
    public Random random() {
        return random;
    }

    /** A new endpoint for the process incarnation {@code nodeId}/{@code pid}, not yet joined. */
    public Endpoint endpoint(int nodeId, long pid) {
        Endpoint e = new Endpoint(new MemberId(nodeId, pid));
        endpoints.add(e);
        return e;
    }

    /**
     * Splits the nodes: nodes mapped to the same label can talk, others cannot; unmapped
     * nodes are in partition 0.
     */
    public void setPartition(Map<Integer, Integer> labelByNode) {
        partitionOf.clear();
        partitionOf.putAll(labelByNode);
        trace.accept("partition " + labelByNode);
        dirty = true;
    }

    /** Removes every partition. */
    public void heal() {
        partitionOf.clear();
        trace.accept("heal");
        dirty = true;
    }

    /** How often a surviving member really missed part of a view's tail so far. */
    public int tailLosses() {
        return tailLosses;
    }

    /** How many views have been installed so far. */
    public long views() {
        return viewCounter;
    }

    /** The view most recently delivered to {@code e}; empty if it is in none. */
    public List<MemberId> viewOf(Endpoint e) {
        return e.component == null ? List.of() : e.component.view();
    }

    /** True if no membership change is pending, nothing is in flight and every member delivered everything. */
    public boolean quiescent() {
        if (dirty || !inFlight.isEmpty()) {
            return false;
        }
        for (Component c : components) {
            for (Endpoint e : c.members) {
                if (e.joined && e.cursor < c.sequence.size()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Does what is due at the current virtual time: view changes, sequencing, deliveries. */
    public void step() {
        if (dirty) {
            changeViews();
        }
        sequenceArrived();
        deliver();
    }

    private void sequenceArrived() {
        long now = clock.millis();
        while (!inFlight.isEmpty() && inFlight.peek().arrival() <= now) {
            InFlight m = inFlight.poll();
            if (m.component().alive) {
                m.component().sequence.add(new Sequenced(m.from().self, m.message()));
            }
        }
    }

    private void deliver() {
        for (Component c : List.copyOf(components)) {
            for (Endpoint e : c.members) {
                int available = c.sequence.size() - e.cursor;
                if (available <= 0 || random.nextDouble() < options.lagProbability()) {
                    continue;
                }
                deliverUpTo(e, c, e.cursor + 1 + random.nextInt(available));
            }
        }
    }

    private void deliverUpTo(Endpoint e, Component c, int end) {
        while (e.joined && e.component == c && e.cursor < end) {
            Sequenced s = c.sequence.get(e.cursor++);
            e.listener.deliver(s.sender(), s.message());
        }
    }

    private void changeViews() {
        dirty = false;
        Map<Integer, List<Endpoint>> groups = new TreeMap<>();
        for (Endpoint e : endpoints) {
            if (e.joined) {
                groups.computeIfAbsent(partitionOf.getOrDefault(e.self.nodeId(), 0), k -> new ArrayList<>()).add(e);
            }
        }
        List<List<Endpoint>> wanted = new ArrayList<>();
        for (List<Endpoint> g : groups.values()) {
            g.sort(Comparator.comparing(x -> x.self));
            wanted.add(g);
        }
        List<Component> kept = new ArrayList<>();
        List<List<Endpoint>> fresh = new ArrayList<>();
        for (List<Endpoint> g : wanted) {
            Component same = null;
            for (Component c : components) {
                if (c.members.equals(g)) {
                    same = c;
                }
            }
            for (Endpoint e : g) {
                if (e.needsView) {
                    same = null; // it (re)joined: it must see a view even if the member set looks unchanged
                }
            }
            if (same != null) {
                kept.add(same);
            } else {
                fresh.add(g);
            }
        }
        // Dissolve the others: survivors finish (a prefix of) the old sequence first.
        for (Component c : components) {
            if (kept.contains(c)) {
                continue;
            }
            c.alive = false;
            for (Endpoint e : c.members) {
                if (!e.joined || e.component != c) {
                    continue;
                }
                int remaining = c.sequence.size() - e.cursor;
                int n = remaining;
                if (remaining > 0 && random.nextDouble() < options.tailLossProbability()) {
                    n = random.nextInt(remaining + 1);
                    if (n < remaining) {
                        tailLosses++;
                        trace.accept(e.self + " misses " + (remaining - n) + " of view " + c.viewId);
                    }
                }
                deliverUpTo(e, c, e.cursor + n);
                e.component = null;
            }
        }
        components.clear();
        components.addAll(kept);
        for (List<Endpoint> g : fresh) {
            Component c = new Component(++viewCounter, g);
            components.add(c);
            for (Endpoint e : g) {
                e.component = c;
                e.cursor = 0;
                e.needsView = false;
            }
        }
        // Messages still travelling to a dissolved view's sequencer: lost, or re-forwarded to
        // the sender's new view. Done before the new views are announced, so they stay ahead
        // of everything their senders multicast in the new view (FIFO per sender).
        List<InFlight> travelling = new ArrayList<>();
        while (!inFlight.isEmpty()) {
            travelling.add(inFlight.poll());
        }
        for (InFlight m : travelling) {
            if (m.component().alive) {
                inFlight.add(m);
            } else if (m.from().joined && m.from().component != null && random.nextDouble() < options.carryOverProbability()) {
                inFlight.add(new InFlight(m.from(), m.message(), m.arrival(), m.seq(), m.from().component));
            }
        }
        for (Component c : components) {
            if (!kept.contains(c)) {
                List<MemberId> view = c.view();
                trace.accept("view " + c.viewId + " " + view);
                for (Endpoint e : c.members) {
                    if (e.joined && e.component == c) {
                        e.listener.viewChanged(view);
                    }
                }
            }
        }
    }

    private long delay() {
        return options.minDelayMillis() + random.nextInt(options.maxDelayMillis() - options.minDelayMillis() + 1);
    }

    /** One process incarnation's connection to the simulated group. */
    public final class Endpoint implements Transport {
        private final MemberId self;
        private Listener listener;
        private boolean joined;
        private boolean crashed;
        private boolean needsView;
        private Component component;
        private int cursor;
        private long lastArrival;

        private Endpoint(MemberId self) {
            this.self = self;
        }

        @Override
        public MemberId self() {
            return self;
        }

        @Override
        public void join(Listener l) {
            if (crashed) {
                throw new IllegalStateException(self + " crashed");
            }
            if (joined) {
                throw new IllegalStateException(self + " already joined");
            }
            listener = Objects.requireNonNull(l);
            joined = true;
            needsView = true;
            dirty = true;
            trace.accept(self + " joins");
        }

        @Override
        public void leave() {
            if (joined) {
                trace.accept(self + " leaves");
                disconnect();
            }
        }

        /** The process dies: like {@link #leave()}, but it can never rejoin. */
        public void crash() {
            trace.accept(self + " crashes");
            crashed = true;
            disconnect();
        }

        private void disconnect() {
            joined = false;
            listener = null;
            component = null;
            dirty = true;
        }

        @Override
        public boolean multicast(byte[] message) {
            if (!joined || component == null) {
                return false;
            }
            // FIFO per sender: never overtake this sender's previous message.
            long arrival = Math.max(clock.millis() + delay(), lastArrival);
            lastArrival = arrival;
            inFlight.add(new InFlight(this, message, arrival, msgSeq++, component));
            return true;
        }

        public boolean isJoined() {
            return joined;
        }

        @Override
        public String toString() {
            return self.toString();
        }
    }
}
