package org.pmxcfs.pvecm;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.CorosyncConfException;
import org.pmxcfs.corosync.NodeEntry;

/**
 * Steps of {@code PVE::Cluster::Setup} shared by create, updatecerts and the join commands:
 * waiting for quorum, finding this node's IP, and {@code updatecerts_and_ssh} (node files and
 * certificate; the SSH key handling of the original is not done here).
 */
public final class ClusterSetup {

    /** Where the host's DNS search domain is read from (for the node certificate's FQDN). */
    public static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

    private static final String VZDUMP_CRON = """
            # cluster wide vzdump cron schedule
            # Atomatically generated file - do not edit

            PATH="/usr/sbin:/usr/bin:/sbin:/bin"

            """;

    private ClusterSetup() {
    }

    /**
     * Whether the daemon runs in cluster mode and has quorum ({@code get_quorum_status}); false
     * in local mode and on errors (for instance while the daemon restarts).
     */
    public static boolean clusterQuorate(Cfs cfs) {
        try {
            return cfs.quorumStatus().path("quorate").asBoolean();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * finish_join's wait: prints {@code waiting for quorum...} if not quorate at once, polls
     * every 250 ms, then prints {@code OK}. Returns false (after a newline) when the timeout
     * passes first.
     */
    public static boolean waitForQuorum(BooleanSupplier quorate, PrintStream out, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean printed = false;
        while (!quorate.getAsBoolean()) {
            if (!printed) {
                out.print("waiting for quorum...");
                out.flush();
                printed = true;
            }
            if (System.nanoTime() - deadline >= 0) {
                out.print("\n");
                return false;
            }
            Thread.sleep(250);
        }
        if (printed) {
            out.print("OK\n");
        }
        return true;
    }

    /**
     * This node's IP for its certificate: {@code remote_node_ip} (the announced IP, else the
     * first non-loopback address of the node name). Where that fails — a host whose name only
     * resolves to loopback, like a test machine — {@code fallback} is used if it is an IP
     * literal (create passes link0, updatecerts the node's {@code ring0_addr}).
     *
     * @throws PvecmException with the lookup error if there is no usable address
     */
    public static String nodeIp(Cfs cfs, String node, Optional<String> fallback) throws IOException {
        try {
            return NodeAddress.remoteNodeIp(cfs, node);
        } catch (NodeAddress.LookupException e) {
            if (fallback.isPresent() && Params.isIp(fallback.get())) {
                return fallback.get();
            }
            throw new PvecmException(e.getMessage());
        }
    }

    /** The {@code ring0_addr} of {@code node} in the tree's corosync.conf, if any. */
    public static Optional<String> ring0Addr(Cfs cfs, String node) throws IOException {
        Optional<byte[]> conf = cfs.config("corosync.conf");
        if (conf.isEmpty()) {
            return Optional.empty();
        }
        try {
            return CorosyncConf.parse(conf.get()).node(node).map(NodeEntry::ring0Addr);
        } catch (CorosyncConfException e) {
            return Optional.empty();
        }
    }

    /**
     * {@code updatecerts_and_ssh} without the SSH part: checks quorum ({@code no quorum - unable
     * to update files}, or nothing when silent), prints {@code (re)generate node files} (and
     * {@code generate new node certificate} when forced), makes the node files
     * ({@link NodeFiles#genNodeFiles}) and {@code vzdump.cron}.
     *
     * @param caKeyBits RSA size of a CA key if one has to be made
     * @param ipFallback the node's IP where neither corosync.conf nor the node name gives one
     */
    public static void updateCerts(Cfs cfs, Clock clock, boolean forceNewCert, boolean silent, PrintStream out,
            int caKeyBits, Optional<String> ipFallback, SshTrust ssh, boolean unmergeKnownHosts) throws IOException {
        Cfs.Paths paths = cfs.paths();
        if (!Cfs.cfsQuorate(paths.mountpoint())) {
            if (silent) {
                return;
            }
            throw new PvecmException("no quorum - unable to update files");
        }
        String node = paths.nodename();
        String ip = nodeIp(cfs, node, ring0Addr(cfs, node).or(() -> ipFallback));
        if (!silent) {
            out.print("(re)generate node files\n");
            if (forceNewCert) {
                out.print("generate new node certificate\n");
            }
        }
        NodeFiles files = new NodeFiles(paths.mountpoint(), node, clock, caKeyBits,
                NodeFiles.searchDomain(RESOLV_CONF));
        files.genNodeFiles(ip, forceNewCert);
        if (!silent) {
            out.print("merge authorized SSH keys\n");
        }
        ssh.mergeKeys();
        if (unmergeKnownHosts) {
            if (!silent) {
                out.print("unmerge SSH known hosts\n");
            }
            ssh.unmergeKnownHosts();
        }
        ssh.mergeKnownHosts(node, ip);
        ssh.createNodeKnownHosts(node);
        Path cron = paths.inTree("vzdump.cron");
        if (!Files.isRegularFile(cron)) {
            NodeFiles.writeFile(cron, VZDUMP_CRON.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * {@code atomic_write_conf} after the config_version bump: writes {@code corosync.conf.new}
     * (itself via a temporary file), then renames it to {@code corosync.conf} — the rename is
     * what every node reacts to. Errors: {@code activating corosync.conf.new failed - <reason>}.
     */
    public static void atomicWriteConf(Cfs.Paths paths, String text) {
        Path next = paths.inTree("corosync.conf.new");
        try {
            NodeFiles.writeFile(next, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new PvecmException("unable to write file '" + next + "' - " + NodeFiles.reason(e));
        }
        try {
            Files.move(next, paths.clusterConf(), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new PvecmException("activating corosync.conf.new failed - " + NodeFiles.reason(e));
        }
    }
}
