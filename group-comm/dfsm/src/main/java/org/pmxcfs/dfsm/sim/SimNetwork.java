package org.pmxcfs.dfsm.sim;

import java.util.ArrayDeque;
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
import org.pmxcfs.dfsm.RawGroup;
import org.pmxcfs.dfsm.ViewStamp;

/**
 * A deterministic in-process group network for N simulated nodes: a {@link RawGroup} with
 * the anomalies JGroups shows, so that {@link org.pmxcfs.dfsm.ViewSyncedDelivery} (the layer
 * real clusters run) and the dfsm above it are tested against them.
 *
 * <ul>
 *   <li><b>Components and views.</b> Joined endpoints are grouped by the partition they are in
 *       ({@link #setPartition}); each group is one component with one view. Whenever a group's
 *       membership changes (join, leave, crash, partition, heal) its component is dissolved and
 *       a new one formed. Each side of a partition numbers its views on its own (one more than
 *       the highest its members saw), so the two sides' views often share a number and differ
 *       only by creator, as in JGroups.</li>
 *   <li><b>Total order per view.</b> A multicast travels to the component's sequencer with a
 *       random delay ({@link Options#minDelayMillis}..{@link Options#maxDelayMillis}), so
 *       messages of different senders are reordered before sequencing, while one sender's
 *       messages stay in order. Sequenced messages form one list per view; every member
 *       delivers a prefix of it, lagging randomly ({@link Options#lagProbability}).</li>
 *   <li><b>Crossing view changes.</b> When a component dissolves, each surviving member
 *       delivers the rest of the old sequence, or, with {@link Options#tailLossProbability},
 *       only a random part of it before the new view; of what it misses, some is lost and
 *       some arrives after the new view (late). A member may install the new view late
 *       ({@link Options#lateViewProbability}) and receive messages of that view first (early).
 *       Messages not yet sequenced are lost, or, with {@link Options#carryOverProbability},
 *       sequenced in the sender's new view (as SEQUENCER re-forwards to a new coordinator).</li>
 *   <li><b>Unicasts</b> arrive after a random delay, if sender and receiver are still
 *       connected; some are slow ({@link Options#slowUnicastProbability}).</li>
 * </ul>
 *
 * Everything runs on the caller's thread: {@link #step()} does the work due at the current
 * virtual time and calls the listeners directly; dispatched tasks run at once (after the one
 * running, if any). One seeded {@link Random} decides everything, so a run is reproducible
 * from the seed. Joins and leaves take effect at the next step.
 */
public final class SimNetwork {

    /**
     * Fault and timing knobs.
     *
     * @param minDelayMillis smallest delay from multicast to sequencing, and of a unicast
     * @param maxDelayMillis largest such delay
     * @param lagProbability chance that a member delivers nothing in a step
     * @param tailLossProbability chance that a surviving member of a dissolved view misses a
     *     random part of what it had not yet delivered
     * @param carryOverProbability chance that a message not yet sequenced when its view
     *     dissolved is sequenced in the sender's next view instead of being lost
     * @param lateViewProbability chance that a member installs a new view some steps late
     * @param slowUnicastProbability chance that a unicast (an ack) takes up to ten times the
     *     longest delay, so that a view change may come first and it is lost
     */
    public record Options(int minDelayMillis, int maxDelayMillis, double lagProbability, double tailLossProbability,
            double carryOverProbability, double lateViewProbability, double slowUnicastProbability) {
        public static final Options DEFAULT = new Options(1, 10, 0.2, 0.0, 0.5, 0.0, 0.0);

        public Options {
            if (minDelayMillis < 0 || maxDelayMillis < minDelayMillis) {
                throw new IllegalArgumentException("bad delay range");
            }
        }
    }

    private record Sequenced(MemberId sender, byte[] message) {}

    private record InFlight(Endpoint from, byte[] message, long arrival, long seq, Component component) {}

    private record Unicast(Endpoint from, MemberId to, byte[] message, long arrival, long seq) {}

    private final class Component {
        final ViewStamp stamp;
        final List<Endpoint> members;
        final List<MemberId> view;
        final List<Sequenced> sequence = new ArrayList<>();
        boolean alive = true;

        Component(ViewStamp stamp, List<Endpoint> members) {
            this.stamp = stamp;
            this.members = members;
            this.view = members.stream().map(e -> e.self).toList();
        }
    }

    private final Random random;
    /** See {@link #setConfiguredNodes}; 0: not known. */
    private int configuredNodes;
    private final SimClock clock;
    private Options options;
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final Map<Integer, Integer> partitionOf = new TreeMap<>();
    private final List<Component> components = new ArrayList<>();
    private final PriorityQueue<InFlight> inFlight = new PriorityQueue<>(
            Comparator.comparingLong(InFlight::arrival).thenComparingLong(InFlight::seq));
    private final PriorityQueue<Unicast> unicasts = new PriorityQueue<>(
            Comparator.comparingLong(Unicast::arrival).thenComparingLong(Unicast::seq));
    private long views;
    private long msgSeq;
    private boolean dirty;
    private int tailLosses;
    private int lateViews;
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

    /** Sets how many nodes the simulated cluster has (what {@link RawGroup#configuredNodes} tells). */
    public void setConfiguredNodes(int nodes) {
        configuredNodes = nodes;
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

    /** How often a member installed a view late so far. */
    public int lateViews() {
        return lateViews;
    }

    /** How many views have been formed so far. */
    public long views() {
        return views;
    }

    /** True if no membership change is pending, nothing is in flight and every member delivered everything. */
    public boolean quiescent() {
        if (dirty || !inFlight.isEmpty() || !unicasts.isEmpty()) {
            return false;
        }
        for (Endpoint e : endpoints) {
            if (e.joined && (!e.installed || !e.late.isEmpty() || e.cursor < e.component.sequence.size())) {
                return false;
            }
        }
        return true;
    }

    /** Does what is due at the current virtual time: view changes, sequencing, deliveries. */
    public void step() {
        if (dirty) {
            changeViews();
        }
        long now = clock.millis();
        for (Endpoint e : List.copyOf(endpoints)) {
            if (e.joined && !e.installed && e.installAt <= now) {
                e.install();
            }
        }
        while (!inFlight.isEmpty() && inFlight.peek().arrival() <= now) {
            InFlight m = inFlight.poll();
            if (m.component().alive) {
                m.component().sequence.add(new Sequenced(m.from().self, m.message()));
            }
        }
        while (!unicasts.isEmpty() && unicasts.peek().arrival() <= now) {
            deliverUnicast(unicasts.poll());
        }
        deliver();
    }

    private void deliverUnicast(Unicast u) {
        for (Endpoint e : endpoints) {
            if (e.self.equals(u.to()) && e.joined && u.from().joined && e.component == u.from().component) {
                e.receive(u.from().self, u.message());
            }
        }
    }

    private void deliver() {
        for (Endpoint e : List.copyOf(endpoints)) {
            if (!e.joined || random.nextDouble() < options.lagProbability()) {
                continue;
            }
            if (e.installed && !e.late.isEmpty()) {
                int n = 1 + random.nextInt(e.late.size());
                for (int i = 0; i < n && e.joined; i++) {
                    Sequenced s = e.late.poll();
                    e.receive(s.sender(), s.message());
                }
            }
            int available = e.joined ? e.component.sequence.size() - e.cursor : 0;
            if (available > 0) {
                deliverUpTo(e, e.component, e.cursor + 1 + random.nextInt(available));
            }
        }
    }

    private void deliverUpTo(Endpoint e, Component c, int end) {
        while (e.joined && e.component == c && e.cursor < end) {
            Sequenced s = c.sequence.get(e.cursor++);
            e.receive(s.sender(), s.message());
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
        List<Component> kept = new ArrayList<>();
        List<List<Endpoint>> fresh = new ArrayList<>();
        for (List<Endpoint> g : groups.values()) {
            g.sort(Comparator.comparing(x -> x.self));
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
        for (Component c : components) {
            if (!kept.contains(c)) {
                dissolve(c);
            }
        }
        components.clear();
        components.addAll(kept);
        for (List<Endpoint> g : fresh) {
            long id = 0;
            for (Endpoint e : g) {
                id = Math.max(id, e.lastViewId + 1);
            }
            MemberId first = g.get(0).self;
            Component c = new Component(new ViewStamp(id, ((long) first.nodeId() << 40) ^ first.pid()), g);
            views++;
            components.add(c);
            trace.accept("view " + c.stamp + " " + c.view);
            long now = clock.millis();
            for (Endpoint e : g) {
                e.component = c;
                e.cursor = 0;
                e.needsView = false;
                e.lastViewId = id;
                e.installed = false;
                e.installAt = now;
                if (random.nextDouble() < options.lateViewProbability()) {
                    e.installAt = now + options.minDelayMillis() + random.nextInt(options.maxDelayMillis() * 2 + 1);
                    lateViews++;
                }
            }
        }
        // Messages still travelling to a dissolved view's sequencer: lost, or re-forwarded to
        // the sender's new view, ahead of everything it multicasts there (FIFO per sender).
        List<InFlight> travelling = new ArrayList<>();
        while (!inFlight.isEmpty()) {
            travelling.add(inFlight.poll());
        }
        for (InFlight m : travelling) {
            if (m.component().alive) {
                inFlight.add(m);
            } else if (m.from().joined && random.nextDouble() < options.carryOverProbability()) {
                inFlight.add(new InFlight(m.from(), m.message(), m.arrival(), m.seq(), m.from().component));
            }
        }
        for (Endpoint e : List.copyOf(endpoints)) {
            if (e.joined && !e.installed && e.installAt <= clock.millis()) {
                e.install();
            }
        }
    }

    /** Survivors finish (a part of) the old sequence; what they miss is lost or comes late. */
    private void dissolve(Component c) {
        c.alive = false;
        for (Endpoint e : c.members) {
            if (!e.joined || e.component != c) {
                continue;
            }
            if (!e.installed) {
                e.install(); // a view is never skipped, however late
            }
            int remaining = c.sequence.size() - e.cursor;
            int n = remaining;
            if (remaining > 0 && random.nextDouble() < options.tailLossProbability()) {
                n = random.nextInt(remaining + 1);
                if (n < remaining) {
                    tailLosses++;
                    trace.accept(e.self + " misses " + (remaining - n) + " of view " + c.stamp);
                }
            }
            int missedFrom = e.cursor + n;
            deliverUpTo(e, c, missedFrom);
            if (e.joined && e.component == c) {
                for (int i = missedFrom; i < c.sequence.size(); i++) {
                    if (random.nextBoolean()) {
                        e.late.add(c.sequence.get(i));
                    }
                }
            }
        }
    }

    private long delay() {
        return options.minDelayMillis() + random.nextInt(options.maxDelayMillis() - options.minDelayMillis() + 1);
    }

    /** One process incarnation's connection to the simulated group. */
    public final class Endpoint implements RawGroup {
        private final MemberId self;

        private Listener listener;
        private boolean joined;
        private boolean crashed;
        private boolean needsView;
        private Component component;
        private boolean installed;
        private long installAt;
        private long lastViewId;
        private int cursor;
        private long lastArrival;
        /** Old views' messages that arrive after the new view. */
        private final ArrayDeque<Sequenced> late = new ArrayDeque<>();
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        private boolean dispatching;

        private Endpoint(MemberId self) {
            this.self = self;
        }

        @Override
        public MemberId self() {
            return self;
        }

        @Override
        public int configuredNodes() {
            return configuredNodes;
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
            installed = false;
            late.clear();
            tasks.clear();
            dirty = true;
        }

        private void install() {
            installed = true;
            listener.viewInstalled(component.stamp, component.view);
        }

        private void receive(MemberId sender, byte[] message) {
            listener.received(sender, message);
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

        @Override
        public boolean unicast(MemberId to, byte[] message) {
            if (!joined) {
                return false;
            }
            // reliable while both stay connected (UNICAST3 retransmits), but sometimes slow: lost
            // only when a view change comes first
            long arrival = clock.millis() + delay();
            if (random.nextDouble() < options.slowUnicastProbability()) {
                arrival += random.nextInt(10 * options.maxDelayMillis() + 1);
            }
            unicasts.add(new Unicast(this, to, message, arrival, msgSeq++));
            return true;
        }

        @Override
        public void dispatch(Runnable task) {
            if (!joined) {
                return;
            }
            tasks.add(task);
            if (dispatching) {
                return; // the running task's caller runs it next
            }
            dispatching = true;
            try {
                Runnable t;
                while ((t = tasks.poll()) != null) {
                    t.run();
                }
            } finally {
                dispatching = false;
            }
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
