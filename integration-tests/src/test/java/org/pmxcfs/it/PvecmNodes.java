package org.pmxcfs.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Nodes set up the way docs/JOIN.md's by-hand sequence does it, for end-to-end pvecm tests:
 * node k is {@code node<k>}, a separate foreground pmxcfs JVM that starts in local mode (no
 * corosync.conf, no authkey yet) with its own directories below {@code DIR/node<k>}, its join API
 * on {@code --api-bind 127.0.0.k} and the class's ports. {@code pvecm} runs as a separate JVM on
 * the same classpath, with its answers fed on standard input (so it reads lines, not a terminal).
 *
 * <p>Every wait is bounded. {@link #close()} SIGTERMs every daemon this fixture started (and any
 * pvecm still running), kills what is still alive after 10 s, and lazily unmounts every node's
 * mount point; it never touches a process it did not start.
 */
final class PvecmNodes implements AutoCloseable {

    static final String DAEMON_MAIN = Daemon.MAIN;
    static final String PVECM_MAIN = "org.pmxcfs.pvecm.Pvecm";
    /** root's password in the shadow file every node is given ({@code mkpasswd -m yescrypt}). */
    static final String ROOT_PASSWORD = "secret-root-1";
    static final String ROOT_SHADOW = "root:$y$j9T$M7lRMNRz97mg5D1FtVwTW/$9Bc9dAjFjwznOjCHL03u2.8YVjxEwM7jWT1XaxLk3nA"
            + ":19000:0:99999:7:::\n";
    /** Longest a single pvecm run may take (a join waits for quorum and the cluster's CA). */
    static final long PVECM_TIMEOUT_MS = 120_000;

    final Path dir;
    final int clusterPort;
    final int apiPort;
    private final Map<Integer, Node> nodes = new TreeMap<>();
    private final List<Process> pvecms = new ArrayList<>();
    /** Every pvecm run, for failure reports. */
    private final StringBuilder transcript = new StringBuilder();

    /** What a pvecm run printed and returned. */
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }

    /**
     * @param dir         the nodes' directory (created)
     * @param clusterPort the cluster port (it and the next one on every node's address, plus
     *                    the failure-detection ports 100 above)
     * @param apiPort     the join API port on every node's address
     */
    PvecmNodes(Path dir, int clusterPort, int apiPort) {
        this.dir = dir;
        this.clusterPort = clusterPort;
        this.apiPort = apiPort;
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("shadow"), ROOT_SHADOW);
            // the web page's create and join tasks run pvecm from the same classpath
            Path pvecm = dir.resolve("pvecm");
            Files.writeString(pvecm, "#!/bin/sh\nexec '" + String.join("' '", DaemonNode.java(PVECM_MAIN)) + "' \"$@\"\n");
            Files.setPosixFilePermissions(pvecm, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Node k (made on first use, not started). */
    Node node(int k) {
        return nodes.computeIfAbsent(k, Node::new);
    }

    /** The nodes made so far. */
    java.util.Collection<Node> all() {
        return java.util.List.copyOf(nodes.values());
    }

    /** Starts the given nodes in parallel and waits until each is mounted. */
    void startAll(int... ks) {
        for (int k : ks) {
            node(k).launch();
        }
        for (int k : ks) {
            node(k).awaitMounted();
        }
    }

    /** Every pvecm command line and its result so far. */
    String transcript() {
        synchronized (transcript) {
            return transcript.toString();
        }
    }

    /** Every node's output and the pvecm transcript, for failure reports. */
    String allOutput() {
        StringBuilder sb = new StringBuilder();
        for (Node n : nodes.values()) {
            sb.append("==== ").append(n.name).append(" (").append(n.log).append(")\n").append(Daemon.read(n.log));
        }
        sb.append("==== pvecm runs\n").append(transcript());
        return sb.toString();
    }

    /** Copies the node logs and the pvecm transcript to {@code dest}. */
    void keepLogs(Path dest) {
        try {
            Files.createDirectories(dest);
            for (Node n : nodes.values()) {
                if (Files.exists(n.log)) {
                    Files.copy(n.log, dest.resolve(n.name + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.writeString(dest.resolve("pvecm.txt"), transcript());
        } catch (IOException e) {
            System.out.println("could not keep the logs in " + dest + ": " + e);
        }
    }

    @Override
    public void close() {
        synchronized (pvecms) {
            for (Process p : pvecms) {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
        }
        for (Node n : nodes.values()) {
            n.signalTerm();
        }
        for (Node n : nodes.values()) {
            n.reap();
        }
        for (Node n : nodes.values()) {
            n.unmountLazy();
        }
    }

    /** SHA-256 fingerprint of a PEM certificate (computed here, not by the code under test), {@code AA:BB:...} as pvecm prints it. */
    static String fingerprint(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            byte[] d = MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (Exception e) {
            throw new AssertionError("cannot read the certificate " + pem + ": " + e, e);
        }
    }

    /** True if a TCP connection to host:port is accepted within 1 s. */
    static boolean listening(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** One pmxcfs daemon of the set and the pvecm that talks to it. */
    final class Node extends DaemonNode<Node> {
        final int id;
        final String ip;
        final Path data;
        final Path run;
        final Path corosyncConf;
        final Path authkey;

        Node(int id) {
            super("node" + id, dir.resolve("node" + id));
            this.id = id;
            this.ip = "127.0.0." + id;
            this.data = base.resolve("data");
            this.run = base.resolve("run");
            this.corosyncConf = base.resolve("corosync.conf");
            this.authkey = base.resolve("authkey");
            // a root key already there: pvecm create/add would make one with ssh-keygen (RSA
            // 4096, seconds on a loaded machine); tests of the SSH trust delete it
            try {
                Path ssh = sysroot(run).resolve("root/.ssh");
                Files.createDirectories(ssh);
                Files.writeString(ssh.resolve("id_rsa.pub"), "ssh-rsa TESTKEY" + id + " root@" + name + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** This node's certificate (the one its join API presents). */
        Path cert() {
            return path("nodes/" + name + "/pve-ssl.pem");
        }

        /** The daemon in local mode until it is clustered. */
        @Override
        List<String> command(String... extra) {
            List<String> cmd = java(DAEMON_MAIN);
            cmd.addAll(List.of("-f", "--nodename", name, "--mountpoint", mnt.toString(), "--data-dir", data.toString(),
                    "--run-dir", run.toString(), "--pid-file", pidFile.toString(), "--corosync-conf",
                    corosyncConf.toString(), "--authkey", authkey.toString(), "--cluster-port",
                    Integer.toString(clusterPort), "--api-port", Integer.toString(apiPort), "--api-bind", ip,
                    "--shadow-file", dir.resolve("shadow").toString(), "--pvecm", dir.resolve("pvecm").toString()));
            cmd.addAll(List.of(extra));
            return cmd;
        }

        @Override
        Path workDir() {
            return dir;
        }

        /**
         * Runs {@code pvecm --run-dir <this node's run dir> args...} with {@code stdin} as its
         * standard input (closed after it, so a prompt without an answer sees end of input),
         * from the fixture's directory (outside every mount). Bounded by {@link #PVECM_TIMEOUT_MS}.
         */
        Result pvecm(String stdin, String... args) {
            long t0 = System.nanoTime();
            Result r = runPvecm(run, dir, stdin, p -> {
                synchronized (pvecms) {
                    pvecms.add(p);
                }
            }, args);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            synchronized (transcript) {
                transcript.append(java.time.LocalTime.now()).append(" ").append(name).append("$ pvecm ")
                        .append(String.join(" ", args)).append("   (").append(ms).append(" ms)\n").append(r).append('\n');
            }
            if (r.exit() < 0) {
                throw new AssertionError("pvecm " + String.join(" ", args) + " on " + name + " did not finish within "
                        + PVECM_TIMEOUT_MS / 1000 + " s; so far:\n" + r);
            }
            return r;
        }

        /** The parsed .members, or null if it cannot be read. */
        Map<?, ?> members() {
            try {
                return (Map<?, ?>) Json.parse(Files.readString(mnt.resolve(".members"), StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        /** "quorate" of .members: 1, 0, or -1 if unreadable or not clustered. */
        int quorateValue() {
            Map<?, ?> m = members();
            if (m == null || !(m.get("cluster") instanceof Map<?, ?> c) || !(c.get("quorate") instanceof Number q)) {
                return -1;
            }
            return q.intValue();
        }

        /** pvecm's own quorum test: the write bit of {@code <mnt>/local}. */
        boolean writable() {
            try {
                Object mode = Files.getAttribute(mnt.resolve("local"), "unix:mode", LinkOption.NOFOLLOW_LINKS);
                return mode instanceof Integer m && (m & 0200) != 0;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        /** The tree's corosync.conf, "" if there is none. */
        String clusterConf() {
            return Daemon.read(path("corosync.conf"));
        }

        /**
         * What must not change when a command is refused: every file and directory of the mount
         * (status files and symlinks left out, mtimes and content hashes), the data
         * directory's file list, and the bytes of the commit log (every commit appends to it;
         * config.db and its WAL follow it a few milliseconds later, so their bytes may still
         * change after a write that returned).
         */
        Map<String, String> state() {
            Map<String, String> s = new TreeMap<>();
            s.putAll(Cluster.treeDigest(mnt));
            try (Stream<Path> files = Files.walk(data)) {
                for (Path f : files.sorted().toList()) {
                    String rel = "data:" + data.relativize(f);
                    String n = f.getFileName().toString();
                    if (n.equals("config.db-commitlog")) {
                        s.put(rel, Cluster.sha256(Files.readAllBytes(f)));
                    } else {
                        s.put(rel, Files.isDirectory(f) ? "dir" : "file");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            s.put("authkey exists", Boolean.toString(Files.exists(authkey)));
            s.put("local corosync.conf exists", Boolean.toString(Files.exists(corosyncConf)));
            return s;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * Runs {@code pvecm --run-dir <runDir> args...} from {@code workDir} (outside every mount)
     * with {@code stdin} as its standard input (closed after it, so a prompt without an answer
     * sees end of input), bounded by {@link #PVECM_TIMEOUT_MS}; exit -1 if it did not finish.
     */
    static Result runPvecm(Path runDir, Path workDir, String stdin, java.util.function.Consumer<Process> started,
                           String... args) {
        return runPvecm(List.of(), runDir, workDir, stdin, started, args);
    }

    /** As {@link #runPvecm(Path, Path, String, java.util.function.Consumer, String...)}, the command run through {@code prefix} (e.g. nsenter). */
    static Result runPvecm(List<String> prefix, Path runDir, Path workDir, String stdin,
                           java.util.function.Consumer<Process> started, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(DaemonNode.java(PVECM_MAIN));
        cmd.add("--run-dir");
        cmd.add(runDir.toString());
        cmd.add("--root-dir"); // the node's /root/.ssh and /etc/ssh: never the real ones
        cmd.add(sysroot(runDir).toString());
        cmd.addAll(List.of(args));
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.directory(workDir.toFile());
            pb.environment().remove("PVECM_API_PORT");
            pb.environment().remove("PMXCFS_RUN_DIR");
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        started.accept(p);
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // pvecm exited before reading everything: its output says why
        }
        boolean done;
        try {
            done = p.waitFor(PVECM_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done = false;
        }
        if (!done) {
            p.destroyForcibly();
        }
        try {
            return new Result(done ? p.exitValue() : -1, out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new AssertionError("cannot read pvecm's output: " + e, e);
        }
    }

    /** Where pvecm run for the daemon of {@code runDir} finds the host's {@code /root/.ssh} and {@code /etc/ssh}. */
    static Path sysroot(Path runDir) {
        return runDir.resolveSibling("sysroot");
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.complete("<output unreadable: " + e + ">");
            }
        }, "pvecm-output");
        t.setDaemon(true);
        t.start();
        return f;
    }
}
