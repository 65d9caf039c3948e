package org.pmxcfs.pvecm.qdevice;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.NodeEntry;
import org.pmxcfs.join.CfsLock;
import org.pmxcfs.join.ClusterConfigFile;
import org.pmxcfs.join.JoinException;
import org.pmxcfs.join.MountClusterAccess;
import org.pmxcfs.pvecm.Cfs;
import org.pmxcfs.pvecm.NodeFiles;
import org.pmxcfs.pvecm.PvecmException;
import org.pmxcfs.pvecm.join.AddnodeCommand;
import org.pmxcfs.qdevice.QnetdTls;
import org.pmxcfs.quorum.QuorumConfig;

/**
 * {@code pvecm qdevice setup} and {@code remove} (reference 4.7), with the original's checks and
 * messages. The original's per-node steps (an NSS database in {@code /etc/corosync/qdevice} on
 * every node, starting corosync-qdevice everywhere) are done by the cluster filesystem here: the
 * certificates go to {@code /etc/pve/priv/qdevice/}, replicated to every node, and every daemon
 * starts (or stops) its QDevice when it applies the new corosync.conf.
 */
public final class QdeviceConfig {

    private static final Duration CONNECT_WAIT = Duration.ofSeconds(20);

    private final Cfs cfs;
    private final PrintStream out;
    private final PrintStream err;

    public QdeviceConfig(Cfs cfs, PrintStream out, PrintStream err) {
        this.cfs = cfs;
        this.out = out;
        this.err = err;
    }

    /** {@code pvecm qdevice setup <address> [--force] [--port <port>]}. */
    public void setup(String address, OptionalInt port, boolean force) throws IOException {
        CorosyncConf conf = current();
        requireAllOnline(conf);
        if (conf.quorum().device().isPresent() && !force) {
            throw new PvecmException("QDevice already configured!");
        }
        boolean odd = conf.nodes().size() % 2 == 1;
        if (odd && !force) {
            throw new PvecmException("Clusters with an odd node count are not officially supported!");
        }
        String algorithm = odd ? "lms" : "ffsplit";
        OptionalInt votes = algorithm.equals("ffsplit") ? OptionalInt.of(1) : OptionalInt.empty();
        try {
            checkQuorumRules(conf.withQuorumDevice(address, port, algorithm, votes));
        } catch (org.pmxcfs.corosync.CorosyncConfException e) {
            throw new PvecmException("unable to add the QDevice to corosync.conf: " + e.getMessage(), e);
        }
        Cfs.Paths paths = cfs.paths();
        Path ca = paths.inTree(QnetdTls.CA_PATH);
        Path p12 = paths.inTree(QnetdTls.P12_PATH);
        if ((Files.exists(ca) || Files.exists(p12)) && !force) {
            throw new PvecmException("QDevice certificate store already initialised, set force to delete!");
        }
        QnetdHost host = QnetdHost.of(address);
        info("initializing the qnetd CA on " + address + (host.local() ? " (this host)" : " over SSH"));
        byte[] caText = host.caCertificate();
        byte[] bundle;
        try (NodeCertificate cert = new NodeCertificate()) {
            info("creating the cluster certificate request (CN=" + conf.clusterName() + ")");
            byte[] request = cert.request(conf.clusterName());
            info("signing it with the qnetd CA");
            byte[] signed = host.sign(conf.clusterName(), request);
            bundle = cert.finish(caText, signed);
        }
        info("storing the qnetd CA and the cluster certificate in " + ca.getParent());
        Files.createDirectories(ca.getParent());
        NodeFiles.writeFile(ca, caText);
        NodeFiles.writeFile(p12, bundle);
        info("adding the QDevice (algorithm " + algorithm + ") to corosync.conf");
        editConf(c -> c.withQuorumDevice(address, port, algorithm, votes));
        info("every node starts its QDevice when it applies the new corosync.conf");
        awaitConnected();
    }

    /** {@code pvecm qdevice remove}. */
    public void remove() throws IOException {
        CorosyncConf conf = current();
        requireAllOnline(conf);
        if (conf.quorum().device().isEmpty()) {
            throw new PvecmException("No QDevice configured!");
        }
        editConf(CorosyncConf::withoutQuorumDevice);
        Cfs.Paths paths = cfs.paths();
        Files.deleteIfExists(paths.inTree(QnetdTls.P12_PATH));
        Files.deleteIfExists(paths.inTree(QnetdTls.CA_PATH));
        Files.deleteIfExists(paths.inTree(QnetdTls.CA_PATH).getParent());
        out.print("Removed Qdevice.\n");
    }

    private CorosyncConf current() throws IOException {
        try {
            return new ClusterConfigFile(cfs.paths().mountpoint()).read();
        } catch (JoinException e) {
            throw AddnodeCommand.failure(e);
        }
    }

    private void requireAllOnline(CorosyncConf conf) throws IOException {
        JsonNode q = cfs.quorumStatus();
        for (NodeEntry n : conf.nodes()) {
            boolean online = false;
            for (JsonNode m : q.path("members")) {
                online |= m.path("nodeid").asLong() == n.nodeid() && m.path("online").asBoolean();
            }
            if (!online) {
                throw new PvecmException("All nodes must be online! Node " + n.name() + " is offline, aborting.");
            }
        }
    }

    /** Interface for a corosync.conf edit that may fail. */
    private interface Edit {
        CorosyncConf apply(CorosyncConf c) throws org.pmxcfs.corosync.CorosyncConfException;
    }

    /** Under the cluster's corosync.conf lock: read, edit, write with config_version + 1. */
    private void editConf(Edit edit) throws IOException {
        MountClusterAccess access = AddnodeCommand.access(cfs.paths());
        ClusterConfigFile file = new ClusterConfigFile(access.mountpoint());
        try {
            CfsLock.of(access, m -> err.print(m + "\n")).run(CfsLock.fileLockId(ClusterConfigFile.NAME), () -> {
                CorosyncConf edited;
                try {
                    edited = edit.apply(file.read());
                } catch (org.pmxcfs.corosync.CorosyncConfException e) {
                    throw new PvecmException("unable to edit corosync.conf: " + e.getMessage(), e);
                }
                checkQuorumRules(edited);
                return file.writeBumped(edited);
            });
        } catch (JoinException e) {
            throw AddnodeCommand.failure(e);
        }
    }

    /** votequorum's rules for the edited file (e.g. no two_node with a device), before anything is changed. */
    private static void checkQuorumRules(CorosyncConf edited) {
        try {
            QuorumConfig.from(edited);
        } catch (IllegalArgumentException e) {
            throw new PvecmException(e.getMessage() + " - fix the quorum section of corosync.conf first", e);
        }
    }

    /** Waits (bounded) until this node's QDevice is connected, and says how it stands. */
    private void awaitConnected() throws IOException {
        long deadline = System.nanoTime() + CONNECT_WAIT.toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            JsonNode d = cfs.quorumStatus().path("qdevice");
            state = d.path("state").asText("not started");
            if (d.path("casting").asBoolean()) {
                info("QDevice connected, it casts its vote");
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        err.print("WARN: the QDevice of this node is not casting its vote after " + CONNECT_WAIT.toSeconds()
                + " s (state: " + state + ") - check that corosync-qnetd runs on the address given and the daemon log\n");
    }

    private void info(String message) {
        out.print("INFO: " + message + "\n");
    }
}
