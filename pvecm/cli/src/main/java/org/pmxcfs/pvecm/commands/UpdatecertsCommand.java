package org.pmxcfs.pvecm.commands;

import org.pmxcfs.pvecm.Certificates;
import org.pmxcfs.pvecm.Cfs;
import org.pmxcfs.pvecm.ClusterSetup;
import org.pmxcfs.pvecm.Params;
import org.pmxcfs.pvecm.PvecmException;
import org.pmxcfs.pvecm.PvecmSubcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pvecm updatecerts [--force] [--silent]} (reference 4.9): waits (at most 80 s) for the
 * mount to appear and be quorate, printing {@code waiting for pmxcfs mount to appear and get
 * quorate...} every 5 s unless silent, then creates missing node directories, keys and the node
 * certificate ({@code --force}: a new one), merges this node's root SSH key into
 * {@code priv/authorized_keys}, writes {@code nodes/<node>/ssh_known_hosts} and, with
 * {@code --unmerge-known-hosts}, turns a linked {@code /etc/ssh/ssh_known_hosts} into a copy
 * ({@link org.pmxcfs.pvecm.SshTrust}).
 */
@Command(name = "updatecerts", description = "Update node certificates (and generate all needed files/directories).")
public final class UpdatecertsCommand extends PvecmSubcommand {

    static final String TIMEOUT_MESSAGE = "got timeout when trying to ensure cluster certificates and base file"
            + " hierarchy is set up - no quorum (yet) or hung pmxcfs?";

    @Option(names = "--force", arity = "0..1", fallbackValue = "", paramLabel = "<boolean>",
            description = "Force generation of new SSL certificate.")
    String force;

    @Option(names = "--silent", arity = "0..1", fallbackValue = "", paramLabel = "<boolean>",
            description = "Ignore errors (i.e. when cluster has no quorum).")
    String silent;

    @Option(names = "--unmerge-known-hosts", arity = "0..1", fallbackValue = "", paramLabel = "<boolean>",
            description = "Unmerge legacy SSH known hosts. (default = 0)")
    String unmergeKnownHosts;

    @Option(names = "--node-ip", paramLabel = "<IP>",
            description = "This node's IP for its certificate where the node name does not resolve and the node is"
                    + " in no cluster yet (not in the original; e.g. nodes on one host).")
    String nodeIp;

    @Option(names = "--timeout", hidden = true, defaultValue = "80",
            description = "Seconds to wait for a quorate mount (tests)")
    long timeoutSeconds;

    @Option(names = "--ca-key-bits", hidden = true, defaultValue = "" + Certificates.CA_KEY_BITS,
            description = "RSA size of a new CA key (tests)")
    int caKeyBits;

    @Override
    protected int run() throws Exception {
        Params p = new Params();
        boolean forceNew = Boolean.TRUE.equals(p.bool("force", force));
        boolean quiet = Boolean.TRUE.equals(p.bool("silent", silent));
        boolean unmerge = Boolean.TRUE.equals(p.bool("unmerge-known-hosts", unmergeKnownHosts));
        if (nodeIp != null && !Params.isIp(nodeIp)) {
            p.error("node-ip", "value does not look like a valid IP address: " + nodeIp);
        }
        p.check();

        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        Cfs cfs = null;
        try {
            for (int i = 0; ; i++) {
                if (cfs == null) {
                    try {
                        cfs = connect();
                        cfs.paths();
                    } catch (PvecmException | java.io.IOException e) {
                        if (cfs != null) {
                            cfs.close();
                        }
                        cfs = null; // not running (yet)
                    }
                }
                if (cfs != null && Cfs.cfsQuorate(cfs.paths().mountpoint())) {
                    break;
                }
                if (System.nanoTime() - deadline >= 0) {
                    if (!quiet) {
                        throw new PvecmException(TIMEOUT_MESSAGE);
                    }
                    err().print(TIMEOUT_MESSAGE + "\n");
                    return 0;
                }
                if (!quiet && i % 50 == 0) {
                    out().print("waiting for pmxcfs mount to appear and get quorate...\n");
                    out().flush();
                }
                Thread.sleep(100);
            }
            ClusterSetup.updateCerts(cfs, clock(), forceNew, quiet, out(), caKeyBits, java.util.Optional.ofNullable(nodeIp),
                    ssh(cfs.paths()), unmerge);
            return 0;
        } finally {
            if (cfs != null) {
                cfs.close();
            }
        }
    }
}
