package org.pmxcfs.dfsm.sim;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Randomised runs of the dfsm with the toy state machine on the simulated network, in the style
 * of TigerBeetle's VOPR: one seed decides the cluster size, the fault profile and every event;
 * a chaos phase with client writes, partitions, heals, crashes and restarts; then a heal, a
 * fault-free phase with more writes, and the oracle ({@link SimCluster#check}).
 *
 * <p>{@code -Dsim.seed=N} runs only seed N and prints its trace; {@code -Dsim.seeds=K} and
 * {@code -Dsim.base=B} choose how many seeds from which first one.
 */
class DfsmSimulationTest {

    /** Result of one seed. */
    record Run(long seed, String profile, SimCluster.Verdict verdict, String trace) {}

    @Test
    void randomRuns() {
        String one = System.getProperty("sim.seed");
        List<Long> seeds = new ArrayList<>();
        if (one != null) {
            seeds.add(Long.parseLong(one));
        } else {
            long base = Long.getLong("sim.base", 1);
            int count = Integer.getInteger("sim.seeds", 3000);
            for (long s = base; s < base + count; s++) {
                seeds.add(s);
            }
        }
        long t0 = System.nanoTime();
        List<Run> failed = new ArrayList<>();
        int strict = 0;
        int acked = 0;
        int lost = 0;
        int runsWithLoss = 0;
        int forks = 0;
        List<Long> lossSeeds = new ArrayList<>();
        long views = 0;
        long tails = 0;
        long crashes = 0;
        for (long seed : seeds) {
            Run r = run(seed, one != null ? Integer.MAX_VALUE : 150);
            if (one != null) {
                System.out.println(r.trace());
                System.out.println("seed " + seed + ": " + r.profile() + " -> " + r.verdict());
            }
            strict += r.verdict().strict() ? 1 : 0;
            acked += r.verdict().acked();
            lost += r.verdict().lostAcked();
            if (r.verdict().lostAcked() > 0) {
                runsWithLoss++;
                if (lossSeeds.size() < 10) {
                    lossSeeds.add(seed);
                }
            }
            forks += r.verdict().forks();
            views += r.verdict().views();
            tails += r.verdict().tailLosses();
            crashes += r.verdict().crashes();
            if (!r.verdict().violations().isEmpty()) {
                failed.add(r);
                if (failed.size() >= 3) {
                    break;
                }
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("dfsm simulation: %d seeds in %.1f s (%d strict); %d views, %d tail losses, %d crashes; %d acked writes; "
                + "%d acked writes lost in %d runs with tail loss or crashes (protocol limit, see SimCluster.check); "
                + "%d commits discarded local history; runs with losses include seeds %s%n",
                seeds.size(), secs, strict, views, tails, crashes, acked, lost, runsWithLoss, forks, lossSeeds);
        if (!failed.isEmpty()) {
            StringBuilder b = new StringBuilder();
            for (Run r : failed) {
                b.append("\n=== seed ").append(r.seed()).append(" failed: ").append(r.verdict().violations())
                        .append("\nprofile: ").append(r.profile()).append("\n--- trace (last events) ---\n")
                        .append(r.trace()).append("\n=== reproduce with -Dsim.seed=").append(r.seed()).append('\n');
            }
            fail(failed.size() + " seed(s) failed" + b);
        }
    }

    /** One seeded run: profile, chaos, heal, final writes, oracle. */
    static Run run(long seed, int traceLimit) {
        Random pr = new Random(seed);
        int nodes = 3 + pr.nextInt(3);
        // 40% of the runs have only partitions and heals, with clean view changes: there every
        // acked write must survive. The others add tail loss, departures (crashes, service
        // restarts) or both.
        int faults = pr.nextInt(5);
        boolean tailLoss = faults == 2 || faults == 4;
        boolean crashes = faults == 3 || faults == 4;
        SimNetwork.Options net = new SimNetwork.Options(1, 2 + pr.nextInt(30), 0.1 + 0.8 * pr.nextDouble(),
                tailLoss ? 0.2 + 0.5 * pr.nextDouble() : 0.0, pr.nextDouble(), 0.3 * pr.nextDouble(), 0.1 * pr.nextDouble());
        SimCluster.Profile p = new SimCluster.Profile(nodes, net, 500 + pr.nextInt(2500), 200 + pr.nextInt(800),
                1000 + pr.nextInt(3000));
        long chaosMs = 3000 + pr.nextInt(7000);
        double opsPerSecond = 5 + pr.nextInt(95);
        long faultEveryMs = 30 + pr.nextInt(1000);
        String profile = p + " chaos=" + chaosMs + "ms ops/s/node=" + opsPerSecond + " faultEvery=" + faultEveryMs
                + "ms departures=" + crashes;

        SimCluster c = new SimCluster(pr.nextLong(), p);
        c.traceLimit = traceLimit;
        c.traceDfsmLogs(traceLimit == Integer.MAX_VALUE);
        Random r = c.rnd;
        try {
            for (SimCluster.Node n : c.nodes) {
                n.boot();
                c.run(SimCluster.STEP_MS * r.nextInt(60));
            }
            long end = c.clock.millis() + chaosMs;
            long nextFault = c.clock.millis() + r.nextInt((int) faultEveryMs * 2);
            while (c.clock.millis() < end) {
                c.step();
                writeRandomly(c, r, opsPerSecond, false);
                if (c.clock.millis() >= nextFault) {
                    fault(c, r, crashes);
                    nextFault = c.clock.millis() + r.nextInt((int) faultEveryMs * 2);
                }
            }
            // Heal everything, bring crashed nodes back, let it settle.
            c.net.heal();
            for (SimCluster.Node n : c.nodes) {
                if (!n.up) {
                    n.boot();
                }
            }
            c.runUntil(c::allSynced, 60_000);
            // Fault-free phase: every write acked here must survive, whatever happened before.
            for (int i = 0; i < 20; i++) {
                c.write(1 + r.nextInt(nodes), r.nextInt(4) == 0 ? ToyStore.CLAIM : ToyStore.ADD, "k" + r.nextInt(8), true);
                c.run(SimCluster.STEP_MS * r.nextInt(10));
            }
            c.runUntil(c::allSynced, 60_000);
            // A member that misses part of a view (tail loss) or leaves it early (crash, service
            // restart) can make even the reference protocol lose an acked write: the writer applied
            // it, that member did not, and that member's lineage may win a later sync.
            boolean strict = c.net.tailLosses() == 0 && c.crashes == 0 && c.departures == 0;
            return new Run(seed, profile, c.check(strict), c.traceDump());
        } catch (RuntimeException e) {
            SimCluster.Verdict v = new SimCluster.Verdict(List.of("exception: " + e), 0, 0, false, 0, 0, 0, 0, List.of());
            e.printStackTrace();
            return new Run(seed, profile, v, c.traceDump());
        }
    }

    private static void writeRandomly(SimCluster c, Random r, double opsPerSecond, boolean finalPhase) {
        double p = opsPerSecond * SimCluster.STEP_MS / 1000.0;
        for (SimCluster.Node n : c.nodes) {
            if (r.nextDouble() < p) {
                boolean claim = r.nextInt(3) == 0;
                c.write(n.id, claim ? ToyStore.CLAIM : ToyStore.ADD, "k" + r.nextInt(8), finalPhase);
            }
        }
    }

    private static void fault(SimCluster c, Random r, boolean crashes) {
        int kind = r.nextInt(100);
        if (kind < 35) {
            int groups = 2 + r.nextInt(2);
            Map<Integer, Integer> labels = new HashMap<>();
            for (SimCluster.Node n : c.nodes) {
                labels.put(n.id, r.nextInt(groups));
            }
            c.net.setPartition(labels);
        } else if (kind < 60) {
            c.net.heal();
        } else if (kind < 75) {
            if (crashes) {
                SimCluster.Node n = c.nodes[r.nextInt(c.nodes.length)];
                if (n.up) {
                    c.trace("crash n" + n.id);
                    n.crash();
                }
            }
        } else if (kind < 90) {
            for (SimCluster.Node n : c.nodes) {
                if (!n.up && c.clock.millis() - n.downSince >= 100) {
                    n.boot();
                    break;
                }
            }
        } else if (crashes) {
            // graceful restart of the service (stop, start): the node keeps its pid
            SimCluster.Node n = c.nodes[r.nextInt(c.nodes.length)];
            if (n.up && n.dfsm.mode() != org.pmxcfs.dfsm.DfsmMode.LEAVE) {
                c.trace("restart service n" + n.id);
                c.departures++; // it leaves without delivering the rest of the view, like a crash
                n.dfsm.stop();
                try {
                    n.dfsm.start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
