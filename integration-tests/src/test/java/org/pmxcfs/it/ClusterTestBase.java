package org.pmxcfs.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-test clusters on a temp dir: every {@link Cluster} made through {@link #cluster} is torn
 * down after each test, pass or fail (SIGTERM, kill -9 after 10 s, umount -l), and a failing
 * test gets every node's output attached. Each test class has its own range of ten ports
 * ({@code 16000 + 200 * (classIndex() / 10) + 10 * (classIndex() % 10)}), each cluster the next two of it (dcdb
 * and status group), so a leftover from another test never answers on a port this one uses; the FD_SOCK2 ports
 * (base + 100) of one block of ten classes fall between the blocks.
 */
abstract class ClusterTestBase {

    private static final Map<Class<?>, AtomicInteger> PORTS_USED = new ConcurrentHashMap<>();

    @TempDir
    Path tmp;

    private final List<Cluster> clusters = new ArrayList<>();
    private final List<TestNetwork> networks = new ArrayList<>();

    /** 0..29, unique per test class. */
    abstract int classIndex();

    /** A new cluster of {@code size} nodes (not started) on the next port of this class's range. */
    Cluster cluster(int size, String... totem) {
        return cluster(size, null, totem);
    }

    /** As {@link #cluster(int, String...)}, node k in namespace k of {@code net} (see {@link #network}). */
    Cluster cluster(int size, TestNetwork net, String... totem) {
        int n = PORTS_USED.computeIfAbsent(getClass(), c -> new AtomicInteger()).getAndIncrement() % 5;
        int i = classIndex();
        int port = 16000 + 200 * (i / 10) + 10 * (i % 10) + 2 * n; // port: dcdb group, port + 1: status group
        Cluster c = new Cluster(tmp.resolve("c" + clusters.size()), size, port, net, totem);
        clusters.add(c);
        return c;
    }

    /** A network of {@code size} namespaces of its own, removed after the test once its clusters stopped. */
    TestNetwork network(int size) {
        return network(size, 1);
    }

    /** As {@link #network(int)}, each node on {@code links} links. */
    TestNetwork network(int size, int links) {
        TestNetwork net = new TestNetwork(size, links);
        networks.add(net);
        return net;
    }

    /** A started, quorate cluster of {@code size} nodes. */
    Cluster started(int size, String... totem) {
        return cluster(size, totem).startAll();
    }

    /** Prints a measurement so it shows in the test output ("[cluster-timing] ..."). */
    static void timing(String what, long ms) {
        System.out.printf("[cluster-timing] %s: %d ms%n", what, ms);
    }

    @RegisterExtension
    final TestExecutionExceptionHandler attachDaemonOutput = (context, failure) -> {
        StringBuilder sb = new StringBuilder();
        for (Cluster c : clusters) {
            sb.append(c.allOutput());
        }
        if (sb.length() > 0) {
            failure.addSuppressed(new MountTestBase.DaemonOutput(sb.toString()));
        }
        throw failure;
    };

    @AfterEach
    void stopClusters(TestInfo info) {
        Throwable first = null;
        for (Cluster c : clusters) {
            try {
                c.close();
            } catch (Throwable t) {
                if (first == null) {
                    first = t;
                }
            }
        }
        networks.forEach(TestNetwork::close);
        networks.clear();
        keepLogs(info);
        summarizeCritical(info);
        for (Cluster c : clusters) {
            for (Cluster.Node n : c.nodes) {
                if (Daemon.isMounted(n.mnt)) {
                    throw new AssertionError("mount " + n.mnt + " still present after clean-up");
                }
            }
        }
        // an uncaught exception in a daemon thread is a bug even if the test did not notice
        for (Cluster c : clusters) {
            for (Cluster.Node n : c.nodes) {
                String out = n.output();
                if (first == null && out.contains("Exception in thread")) {
                    first = new AssertionError("uncaught exception in " + n + ":\n" + out);
                }
            }
        }
        clusters.clear();
        if (first instanceof RuntimeException r) {
            throw r;
        } else if (first instanceof Error e) {
            throw e;
        }
    }

    /**
     * Prints the distinct "crit" lines of the daemons (JGroups' own left out), so that errors
     * a test did not look for still show up in its output.
     */
    private void summarizeCritical(TestInfo info) {
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (Cluster c : clusters) {
            for (Cluster.Node n : c.nodes) {
                n.output().lines().filter(l -> l.contains("] crit: ") && !l.contains("[org.jgroups"))
                        .map(l -> n.name + " " + l.substring(l.indexOf('[')).replaceAll("'[^']*'", "'...'").replaceAll("\\d+", "N"))
                        .forEach(seen::add);
            }
        }
        if (!seen.isEmpty()) {
            System.out.println("[cluster-crit] " + info.getDisplayName() + ": " + String.join(" | ", seen));
        }
    }

    /** Copies every node's log to target/cluster-logs/<class>.<method>/c<i>-node<k>.log (the temp dir goes away). */
    private void keepLogs(TestInfo info) {
        Path dest = Path.of("target", "cluster-logs",
                getClass().getSimpleName() + "." + info.getTestMethod().map(java.lang.reflect.Method::getName).orElse("unknown"));
        try {
            Files.createDirectories(dest);
            for (int i = 0; i < clusters.size(); i++) {
                for (Cluster.Node n : clusters.get(i).nodes) {
                    if (Files.exists(n.log)) {
                        Files.copy(n.log, dest.resolve("c" + i + "-" + n.name + ".log"),
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (java.io.IOException e) {
            System.out.println("could not keep the cluster logs in " + dest + ": " + e);
        }
    }

    static String read(Path p) {
        return Daemon.read(p);
    }

    static boolean exists(Path p) {
        return Files.exists(p);
    }
}
