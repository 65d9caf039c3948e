package org.pmxcfs.pvecm.join;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.pmxcfs.ipc.client.IpcException;
import org.pmxcfs.join.AddNode;
import org.pmxcfs.pvecm.Certificates;
import org.pmxcfs.pvecm.Cfs;
import org.pmxcfs.pvecm.ClusterSetup;
import org.pmxcfs.pvecm.PvecmException;
import org.pmxcfs.pvecm.SshTrust;

/**
 * The local half of {@code pvecm add} (reference 4.3 step 7, {@code finish_join}). The original
 * writes the authkey and corosync.conf, stops pmxcfs, backs up and deletes its database and
 * starts it again; here one IPC call ({@code join_cluster}) makes the running daemon do all of
 * that and switch to cluster mode, with the mount staying in place. Then: wait for quorum, wait
 * for the cluster's tree (its CA) to arrive, and make a new node certificate signed by the
 * cluster CA.
 */
public final class FinishJoin {

    private FinishJoin() {}

    public static void run(Cfs cfs, AddNode.Result joined, PrintStream out, Clock clock, Duration timeout, SshTrust ssh)
            throws IOException, InterruptedException {
        Cfs.Paths paths = cfs.paths();
        try {
            JsonNode r = cfs.ipc().call("join_cluster", Map.of(
                    "authkey_b64", Base64.getEncoder().encodeToString(joined.corosyncAuthkey()),
                    "corosync_conf_b64", Base64.getEncoder().encodeToString(joined.corosyncConf())))
                    .resultOrThrow();
            if (r != null && r.path("backup").isTextual()) {
                out.print("backup old database to '" + r.path("backup").asText() + "'\n");
            }
        } catch (IpcException e) {
            // the cluster already counts this node's vote: say how to complete or undo the join
            throw new PvecmException(e.getMessage() + "\nthe cluster's corosync.conf lists node '" + paths.nodename()
                    + "' now: fix the cause and run 'pvecm add' again with --force, or undo with 'pvecm delnode "
                    + paths.nodename() + "' on a member");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        out.print("waiting for quorum...");
        out.flush();
        if (!waitUntil(() -> Cfs.cfsQuorate(paths.mountpoint()), deadline)) {
            out.print("\n");
            throw new PvecmException("no quorum after " + timeout.toSeconds() + " s - this node is in the cluster's"
                    + " config but does not reach the others; see the pmxcfs log");
        }
        out.print("OK\n");
        // quorum can come before the state transfer: a CA made now would replace the cluster's
        Path caCert = paths.inTree("pve-root-ca.pem");
        Path caKey = paths.inTree("priv/pve-root-ca.key");
        if (!waitUntil(() -> Files.isRegularFile(caCert) && Files.isRegularFile(caKey), deadline)) {
            throw new PvecmException("the cluster's CA ('" + caCert + "') did not arrive - run 'pvecm updatecerts"
                    + " --force' once the node is in sync");
        }
        ssh.setupSshKeys(); // root's authorized_keys linked to the cluster's
        ClusterSetup.updateCerts(cfs, clock, true, true, out, Certificates.CA_KEY_BITS, java.util.Optional.empty(), ssh,
                false);
        out.print("generated new node certificate\n");
        out.print("successfully added node '" + paths.nodename() + "' to cluster.\n");
    }

    private static boolean waitUntil(BooleanSupplier cond, long deadlineNanos) throws InterruptedException {
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            Thread.sleep(250);
        }
        return true;
    }
}
