package org.pmxcfs.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-test temp dir and daemon bookkeeping: every daemon made through {@link #daemon} is
 * stopped (or killed) and its mount point unmounted after each test, pass or fail. A failing
 * test also gets the daemons' output printed, since that is usually where the reason is.
 */
abstract class MountTestBase {

    @TempDir
    Path tmp;

    private final List<Daemon> daemons = new ArrayList<>();
    private int count;

    /** A new (not yet started) daemon on fresh directories below the test's temp dir. */
    Daemon daemon(String... extraArgs) {
        count++;
        return track(new Daemon(tmp.resolve("d" + count), extraArgs));
    }

    /** A second daemon handle on the same directories as {@code other} (mount, data, run). */
    Daemon track(Daemon d) {
        daemons.add(d);
        return d;
    }

    /** Starts a daemon with default options. */
    Daemon started(String... extraArgs) {
        return daemon(extraArgs).start();
    }

    /** A failing test carries the daemons' output (as a suppressed exception) into the report. */
    @RegisterExtension
    final TestExecutionExceptionHandler attachDaemonOutput = (context, failure) -> {
        StringBuilder sb = new StringBuilder();
        for (Daemon d : daemons) {
            sb.append("==== daemon ").append(d.base.getFileName()).append('\n').append(d.allOutput());
        }
        if (sb.length() > 0) {
            failure.addSuppressed(new DaemonOutput(sb.toString()));
        }
        throw failure;
    };

    /** Carrier of daemon output in a failure report. */
    static final class DaemonOutput extends Exception {
        DaemonOutput(String output) {
            super("daemon output:\n" + output, null, false, false);
        }
    }

    @AfterEach
    void stopDaemons() {
        Throwable first = null;
        for (Daemon d : daemons) {
            try {
                d.close();
            } catch (Throwable t) {
                if (first == null) {
                    first = t;
                }
            }
        }
        for (Daemon d : daemons) {
            if (Daemon.isMounted(d.mnt)) {
                throw new AssertionError("mount " + d.mnt + " still present after clean-up");
            }
        }
        // an uncaught exception in a daemon thread is a bug even if the test did not notice
        for (Daemon d : daemons) {
            String out = d.allOutput();
            if (first == null && out.contains("Exception in thread")) {
                first = new AssertionError("uncaught exception in daemon " + d.base.getFileName() + ":\n" + out);
            }
        }
        daemons.clear();
        if (first instanceof RuntimeException r) {
            throw r;
        } else if (first instanceof Error e) {
            throw e;
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String readString(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] readBytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes with open(O_WRONLY|O_CREAT|O_TRUNC)/write/close through raw syscalls. */
    static void put(Path p, String content) {
        Sys.writeFile(p, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_TRUNC, bytes(content));
    }

    static void put(Path p, byte[] content) {
        Sys.writeFile(p, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_TRUNC, content);
    }

    static void mkdirs(Path root, String... rels) {
        for (String rel : rels) {
            Path p = root;
            for (String part : rel.split("/")) {
                p = p.resolve(part);
                if (!Files.isDirectory(p)) {
                    Sys.assertOk(Sys.mkdir(p), "mkdir " + p);
                }
            }
        }
    }

    /** Deterministic pseudo-random bytes. */
    static byte[] pattern(long seed, int size) {
        byte[] b = new byte[size];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(Path p) {
        try {
            return java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
