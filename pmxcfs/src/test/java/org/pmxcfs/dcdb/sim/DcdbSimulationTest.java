package org.pmxcfs.dcdb.sim;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pmxcfs.dfsm.Dfsm;
import org.pmxcfs.dfsm.DfsmMode;
import org.pmxcfs.dfsm.sim.SimNetwork;

/**
 * Randomised runs of the production dfsm, dcdb and memdb on the simulated network, in the style
 * of TigerBeetle's VOPR: one seed decides the cluster size, the fault profile and every event;
 * a chaos phase with client writes, partitions, heals, crashes (the memdb loses what it had not
 * committed), restarts and service restarts; then a heal, a fault-free phase with more writes,
 * and the strict oracle ({@link DcdbSimCluster#check}) in every seed.
 *
 * <p>{@code -Dsim.seed=N} runs only seed N and prints its full trace; {@code -Dsim.seeds=K} and
 * {@code -Dsim.base=B} choose how many seeds from which first one ({@code scripts/sim}).
 */
class DcdbSimulationTest {

    /** Result of one seed. */
    record Run(long seed, String profile, DcdbSimCluster.Verdict verdict, String trace) {}

    @Test
    void randomRuns() {
        String one = System.getProperty("sim.seed");
        List<Long> seeds = new ArrayList<>();
        if (one != null) {
            seeds.add(Long.parseLong(one));
        } else {
            long base = Long.getLong("sim.base", 1);
            int count = Integer.getInteger("sim.seeds", 2000);
            for (long s = base; s < base + count; s++) {
                seeds.add(s);
            }
        }
        long t0 = System.nanoTime();
        List<Run> failed = new ArrayList<>();
        long acked = 0;
        long views = 0;
        long tails = 0;
        long crashes = 0;
        long discards = 0;
        for (long seed : seeds) {
            Run r = run(seed, one != null ? Integer.MAX_VALUE : 150);
            if (one != null) {
                System.out.println(r.trace());
                System.out.println("seed " + seed + ": " + r.profile() + " -> " + r.verdict());
            }
            acked += r.verdict().acked();
            views += r.verdict().views();
            tails += r.verdict().tailLosses();
            crashes += r.verdict().crashes();
            discards += r.verdict().discards();
            if (!r.verdict().violations().isEmpty()) {
                failed.add(r);
                if (failed.size() >= 3) {
                    break;
                }
            }
        }
        System.out.printf("dcdb simulation: %d seeds in %.1f s; %d views, %d tail losses, %d crashes; %d acknowledged"
                + " writes; %d state transfers replaced local history; %d seeds failed%n", seeds.size(),
                (System.nanoTime() - t0) / 1e9, views, tails, crashes, acked, discards, failed.size());
        if (!failed.isEmpty()) {
            StringBuilder b = new StringBuilder();
            for (Run r : failed) {
                b.append("\n=== seed ").append(r.seed()).append(" failed: ").append(r.verdict().violations())
                        .append("\nprofile: ").append(r.profile()).append("\n--- trace (last events) ---\n")
                        .append(r.trace()).append("\n=== reproduce with scripts/sim --seed ").append(r.seed())
                        .append('\n');
            }
            fail(failed.size() + " seed(s) failed" + b);
        }
    }

    /** One seeded run: profile, chaos, heal, final writes, oracle. */
    static Run run(long seed, int traceLimit) {
        Random pr = new Random(seed);
        int size = 3 + pr.nextInt(3);
        boolean departures = pr.nextInt(5) >= 2; // crashes and service restarts in 3 runs of 5
        SimNetwork.Options net = new SimNetwork.Options(1, 2 + pr.nextInt(30), 0.1 + 0.8 * pr.nextDouble(),
                pr.nextBoolean() ? 0.7 * pr.nextDouble() : 0.0, pr.nextDouble(), 0.3 * pr.nextDouble(),
                0.1 * pr.nextDouble());
        long sendTimeoutMs = 1000 + pr.nextInt(3000);
        // a restarted node's applied log misses messages for the resend window: sometimes for
        // the whole run, sometimes only for a part of it
        Dfsm.Options dfsm = new Dfsm.Options(Duration.ofMillis(500 + pr.nextInt(2500)),
                Duration.ofMillis(200 + pr.nextInt(800)), Duration.ofMillis(sendTimeoutMs + pr.nextInt(8000)));
        DcdbSimCluster.Profile p = new DcdbSimCluster.Profile(size, net, dfsm, sendTimeoutMs);
        long chaosMs = 2000 + pr.nextInt(4000);
        double opsPerSecond = 5 + pr.nextInt(60);
        long faultEveryMs = 30 + pr.nextInt(1000);
        String profile = p + " chaos=" + chaosMs + "ms ops/s/node=" + opsPerSecond + " faultEvery=" + faultEveryMs
                + "ms departures=" + departures;

        DcdbSimCluster c = new DcdbSimCluster(pr.nextLong(), p);
        c.traceLimit = traceLimit;
        c.traceLogs(traceLimit == Integer.MAX_VALUE);
        Random r = c.rnd;
        try {
            for (SimNode n : c.nodes) {
                c.boot(n);
                c.run(DcdbSimCluster.STEP_MS * r.nextInt(60));
            }
            long end = c.clock.millis() + chaosMs;
            long nextFault = c.clock.millis() + r.nextInt((int) faultEveryMs * 2);
            while (c.clock.millis() < end) {
                c.step();
                writeRandomly(c, r, opsPerSecond);
                if (c.clock.millis() >= nextFault) {
                    fault(c, r, departures);
                    nextFault = c.clock.millis() + r.nextInt((int) faultEveryMs * 2);
                }
            }
            c.net.heal();
            for (SimNode n : c.nodes) {
                if (!n.up) {
                    c.boot(n);
                }
            }
            c.runUntil(c::allSynced, 60_000);
            for (int i = 0; i < 20; i++) {
                c.write(1 + r.nextInt(size), r.nextInt(4) == 0 ? "k" + r.nextInt(8) : null);
                c.run(DcdbSimCluster.STEP_MS * r.nextInt(10));
            }
            c.runUntil(c::allSynced, 60_000);
            return new Run(seed, profile, c.check(), c.traceDump());
        } catch (RuntimeException e) {
            e.printStackTrace();
            return new Run(seed, profile, new DcdbSimCluster.Verdict(List.of("exception: " + e), 0, 0, 0, 0, 0),
                    c.traceDump());
        } finally {
            c.traceLogs(false);
        }
    }

    private static void writeRandomly(DcdbSimCluster c, Random r, double opsPerSecond) {
        double p = opsPerSecond * DcdbSimCluster.STEP_MS / 1000.0;
        for (SimNode n : c.nodes) {
            if (r.nextDouble() < p) {
                c.write(n.id, r.nextInt(3) == 0 ? "k" + r.nextInt(8) : null);
            }
        }
    }

    private static void fault(DcdbSimCluster c, Random r, boolean departures) {
        int kind = r.nextInt(100);
        if (kind < 35) {
            int groups = 2 + r.nextInt(2);
            Map<Integer, Integer> labels = new HashMap<>();
            for (SimNode n : c.nodes) {
                labels.put(n.id, r.nextInt(groups));
            }
            c.net.setPartition(labels);
        } else if (kind < 60) {
            c.net.heal();
        } else if (kind < 75) {
            SimNode n = c.nodes[r.nextInt(c.nodes.length)];
            if (departures && n.up) {
                c.crash(n);
            }
        } else if (kind < 90) {
            for (SimNode n : c.nodes) {
                if (!n.up && c.clock.millis() - n.downSince >= 100) {
                    c.boot(n);
                    break;
                }
            }
        } else if (departures) {
            // graceful restart of the service (stop, start): the process and its memdb stay
            SimNode n = c.nodes[r.nextInt(c.nodes.length)];
            if (n.up && n.dfsm.mode() != DfsmMode.LEAVE) {
                c.trace("restart service n" + n.id);
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
