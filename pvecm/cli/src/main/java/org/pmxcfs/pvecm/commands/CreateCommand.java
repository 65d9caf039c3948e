package org.pmxcfs.pvecm.commands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.SortedMap;
import org.pmxcfs.corosync.ClusterCreateParams;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.CorosyncConfException;
import org.pmxcfs.corosync.CorosyncLink;
import org.pmxcfs.corosync.NodeEntry;
import org.pmxcfs.corosync.PvecmCreateTemplate;
import org.pmxcfs.pvecm.Certificates;
import org.pmxcfs.pvecm.Cfs;
import org.pmxcfs.pvecm.ClusterSetup;
import org.pmxcfs.pvecm.CorosyncKey;
import org.pmxcfs.pvecm.LinkOptions;
import org.pmxcfs.pvecm.NodeAddress;
import org.pmxcfs.pvecm.NodeFiles;
import org.pmxcfs.pvecm.Params;
import org.pmxcfs.pvecm.PvecmException;
import org.pmxcfs.pvecm.PvecmSubcommand;
import org.pmxcfs.pvecm.SshTrust;
import org.pmxcfs.pvecm.join.Joinable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pvecm create <clustername>} (reference 4.1/4.2): a one-node cluster of this node.
 *
 * <ol>
 *   <li>checks the parameters, refuses if {@code <mnt>/corosync.conf} exists;</li>
 *   <li>under the local lock: builds corosync.conf ({@link PvecmCreateTemplate}; without
 *       links, link0 is the node name's non-loopback address), then makes the corosync authkey
 *       at the daemon's authkey path if missing (printing corosync-keygen's lines);</li>
 *   <li>makes the node files (directories, keys, cluster CA, node certificate) while the daemon
 *       is still in local mode — the original does this after writing the config, but here the
 *       daemon switches to cluster mode as soon as corosync.conf appears;</li>
 *   <li>{@code Writing corosync config to <mnt>/corosync.conf}: {@code corosync.conf.new}, then
 *       renamed to {@code corosync.conf} (config_version 1);</li>
 *   <li>{@code Restart corosync and cluster filesystem}: nothing to restart — the daemon sees the
 *       file and switches by itself; this waits (30 s) for cluster mode with quorum, printing
 *       {@code waiting for quorum...OK}.</li>
 * </ol>
 */
@Command(name = "create", description = "Generate new cluster configuration. If no links given,"
        + " default to local IP address as link0.")
public final class CreateCommand extends PvecmSubcommand {

    @Parameters(index = "0", paramLabel = "<clustername>", description = "The name of the cluster.")
    String clustername;

    @Mixin
    LinkOptions linkOptions;

    @Option(names = "--nodeid", paramLabel = "<integer> (1 - N)", description = "Node id for this node.")
    String nodeid;

    @Option(names = "--votes", paramLabel = "<integer> (1 - N)", description = "Number of votes for this node.")
    String votes;

    @Option(names = "--token-coefficient", paramLabel = "<integer> (0 - N)",
            description = "Token coefficient to set in the corosync configuration. (default = 125)")
    String tokenCoefficient;

    @Option(names = "--ca-key-bits", hidden = true, defaultValue = "" + Certificates.CA_KEY_BITS,
            description = "RSA size of a new CA key (tests)")
    int caKeyBits;

    @Option(names = "--quorum-timeout", hidden = true, defaultValue = "30",
            description = "Seconds to wait for cluster mode with quorum")
    long quorumTimeoutSeconds;

    @Override
    protected int run() throws Exception {
        Params p = new Params();
        String name = p.nodeName("clustername", clustername, 15);
        SortedMap<Integer, CorosyncLink> links = linkOptions.links(p);
        Long id = p.integer("nodeid", nodeid, 1L, NodeEntry.MAX_NODEID);
        Long v = p.integer("votes", votes, 1L, (long) Integer.MAX_VALUE);
        Long tc = p.integer("token-coefficient", tokenCoefficient, 0L, (long) Integer.MAX_VALUE);
        p.check();

        try (Cfs cfs = connect()) {
            Cfs.Paths paths = cfs.paths();
            checkNoClusterConf(cfs, paths);
            withLocalLock(() -> {
                create(cfs, paths, name, links, id == null ? 1 : id, v == null ? 1 : v.intValue(),
                        tc == null ? ClusterCreateParams.DEFAULT_TOKEN_COEFFICIENT : tc.intValue());
                return null;
            });
        }
        return 0;
    }

    /**
     * Fails at once when the daemon, still local, reported why it cannot start cluster mode
     * (it retries, less and less often): waiting out the timeout would only hide the cause.
     */
    private boolean failIfStartFailed(Cfs cfs) {
        Optional<String> cause;
        try {
            cause = cfs.clustered() ? Optional.empty() : cfs.clusterError();
        } catch (IOException e) {
            return false;
        }
        if (cause.isPresent()) {
            out().print("\n");
            throw new PvecmException("pmxcfs cannot start cluster mode: " + cause.get());
        }
        return false;
    }

    private static void checkNoClusterConf(Cfs cfs, Cfs.Paths paths) throws IOException {
        if (cfs.config("corosync.conf").isPresent() || Files.exists(paths.clusterConf())) {
            throw new PvecmException("cluster config '" + paths.clusterConf() + "' already exists");
        }
    }

    private void create(Cfs cfs, Cfs.Paths paths, String name, SortedMap<Integer, CorosyncLink> links, long nodeId,
            int nodeVotes, int coefficient) throws Exception {
        checkNoClusterConf(cfs, paths); // again, under the lock

        String node = paths.nodename();
        if (links.isEmpty()) {
            try {
                links.put(0, CorosyncLink.of(NodeAddress.remoteNodeIp(cfs, node)));
            } catch (NodeAddress.LookupException e) {
                throw new PvecmException(e.getMessage());
            }
        }
        // the daemon would bind every link address: one not on this host only fails there, after
        // the config was written (the original's corosync fails the same way, later)
        for (java.util.Map.Entry<Integer, CorosyncLink> l : links.entrySet()) {
            Optional<String> problem = Joinable.localAddressProblem(l.getValue().address());
            if (problem.isPresent()) {
                throw new PvecmException("link" + l.getKey() + ": " + problem.get() + " - pass an address of this host");
            }
        }
        CorosyncConf conf;
        try {
            conf = PvecmCreateTemplate.build(new ClusterCreateParams(name, node, nodeId, nodeVotes, links, coefficient));
        } catch (CorosyncConfException | IllegalArgumentException e) {
            throw new PvecmException("unable to create the corosync config: " + e.getMessage());
        }

        // the original makes the key first; here nothing is written before the config is known to be good
        Path authkey = paths.authkey();
        if (!Files.exists(authkey)) {
            CorosyncKey.generate(authkey, out());
        }
        if (!Files.isRegularFile(authkey)) {
            throw new PvecmException("no authentication key available");
        }

        String ip = ClusterSetup.nodeIp(cfs, node, Optional.of(links.get(links.firstKey()).address()));
        SshTrust ssh = ssh(paths);
        ssh.setupRootSshConfig();
        ssh.setupSshKeys();
        ssh.mergeKeys();
        new NodeFiles(paths.mountpoint(), node, clock(), caKeyBits, NodeFiles.searchDomain(ClusterSetup.RESOLV_CONF))
                .genNodeFiles(ip, false);
        ssh.mergeKnownHosts(node, ip);
        ssh.createNodeKnownHosts(node);

        out().print("Writing corosync config to " + paths.clusterConf() + "\n");
        ClusterSetup.atomicWriteConf(paths, conf.pveText());

        out().print("Restart corosync and cluster filesystem\n");
        out().flush();
        boolean ok = ClusterSetup.waitForQuorum(() -> ClusterSetup.clusterQuorate(cfs) || failIfStartFailed(cfs), out(),
                Duration.ofSeconds(quorumTimeoutSeconds));
        if (!ok) {
            throw new PvecmException(cfs.clustered()
                    ? "no quorum after " + quorumTimeoutSeconds + " s - see the pmxcfs log"
                    : "pmxcfs did not switch to cluster mode within " + quorumTimeoutSeconds + " s: "
                            + cfs.clusterError().orElse(cfs.localForced() ? "it runs with -l" : "see its log"));
        }
    }
}
