package org.pmxcfs.dfsm.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pmxcfs.dfsm.Dfsm;
import org.pmxcfs.dfsm.DfsmMode;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.dfsm.ViewSyncedDelivery;

/**
 * N toy nodes, each a {@link Dfsm} with {@link ToyApp} on a {@link SimNetwork}, with clients,
 * faults and the end-of-run oracle; {@link SimDriver} drives them.
 */
final class SimCluster extends SimDriver<SimCluster.Node, SimCluster.ClientOp> {

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

    /** One client write. */
    static final class ClientOp extends SimOp {
        final int kind;
        final String key;
        final boolean finalPhase;

        ClientOp(long id, int node, int kind, String key, long submitted, boolean finalPhase) {
            super(id, node, submitted);
            this.kind = kind;
            this.key = key;
            this.finalPhase = finalPhase;
        }

        @Override
        public String toString() {
            return describe((kind == ToyStore.ADD ? "add#" : "claim#") + id
                    + (kind == ToyStore.CLAIM ? "(" + key + ")" : ""));
        }
    }

    final class Node extends SimMember {
        final ToyStore store = new ToyStore();
        ToyApp app;
        DfsmMode lastMode;
        long protocolVersion = 1;

        Node(int id) {
            super(id);
        }

        void boot() {
            endpoint = net.endpoint(id, nextPid());
            app = new ToyApp(store, this::quorate);
            if (tracingLogs()) {
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
            die(clock.millis());
            crashed(id);
        }

        boolean quorate() {
            Set<Integer> ids = new HashSet<>();
            for (MemberId m : dfsm.members()) {
                ids.add(m.nodeId());
            }
            return ids.size() * 2 > nodes.length;
        }

        @Override
        public void tick() {
            dfsm.tick();
        }
    }

    final Profile profile;
    final Node[] nodes;
    private final List<Node> members;

    SimCluster(long seed, Profile profile) {
        super(seed, profile.net(), profile.nodes(), profile.sendTimeoutMs(), "sim");
        this.profile = profile;
        nodes = new Node[profile.nodes()];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new Node(i + 1);
        }
        members = List.of(nodes);
    }

    @Override
    public Node node(int id) {
        return nodes[id - 1];
    }

    @Override
    protected List<Node> members() {
        return members;
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
        ClientOp op = new ClientOp(nextOpId(), node, kind, key, clock.millis(), finalPhase);
        op.future = n.dfsm.submit(ToyApp.SUBTYPE, ToyApp.encodeOp(kind, op.id, key));
        return submitted(op);
    }

    /** Traces every node's mode change. */
    @Override
    protected void afterStep() {
        for (Node n : nodes) {
            DfsmMode m = n.mode();
            if (n.up && m != n.lastMode) {
                trace("n" + n.id + " " + m);
                n.lastMode = m;
            }
        }
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
            v.add(syncReport());
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
            if (op.outcome != SimOp.Outcome.APPLIED) {
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
