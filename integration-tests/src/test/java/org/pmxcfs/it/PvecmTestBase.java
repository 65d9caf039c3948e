package org.pmxcfs.it;

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
 * Per-test sets of {@link PvecmNodes}: every set is stopped after each test, pass or fail, its
 * logs kept in {@code target/pvecm-logs}, and a failing test gets every node's output and the
 * pvecm transcript attached. Each subclass has its own ports; a set takes the next of five
 * slots (cluster port {@code base + 2n}, join API {@code base + n}).
 */
abstract class PvecmTestBase {

    @TempDir
    Path tmp;

    /** Per class, so that consecutive tests (new instances) take the next slot. */
    private static final Map<Class<?>, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    private final List<PvecmNodes> sets = new ArrayList<>();

    /** A new set of (not started) nodes on this class's ports. */
    abstract PvecmNodes nodes();

    /** A new set on the next slot of the given port bases. */
    PvecmNodes nodes(int clusterPortBase, int apiPortBase) {
        int n = RUNS.computeIfAbsent(getClass(), c -> new AtomicInteger()).getAndIncrement() % 5;
        PvecmNodes s = new PvecmNodes(tmp.resolve("n" + sets.size()), clusterPortBase + 2 * n, apiPortBase + n);
        sets.add(s);
        return s;
    }

    @RegisterExtension
    final TestExecutionExceptionHandler attachOutput = (context, failure) -> {
        StringBuilder sb = new StringBuilder();
        for (PvecmNodes s : sets) {
            sb.append(s.allOutput());
        }
        if (sb.length() > 0) {
            failure.addSuppressed(new MountTestBase.DaemonOutput(sb.toString()));
        }
        throw failure;
    };

    @AfterEach
    void stopNodes(TestInfo info) {
        String method = info.getTestMethod().map(java.lang.reflect.Method::getName).orElse("unknown");
        for (PvecmNodes s : sets) {
            s.close();
            s.keepLogs(Path.of("target", "pvecm-logs", getClass().getSimpleName() + "." + method + "-" + sets.indexOf(s)));
        }
        for (PvecmNodes s : sets) {
            for (PvecmNodes.Node n : s.all()) {
                if (Daemon.isMounted(n.mnt)) {
                    throw new AssertionError("mount " + n.mnt + " still present after clean-up");
                }
                if (Daemon.read(n.log).contains("Exception in thread")) {
                    throw new AssertionError("uncaught exception in " + n + ":\n" + Daemon.read(n.log));
                }
            }
        }
        sets.clear();
    }
}
