package org.pmxcfs.pvecm.join;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pmxcfs.corosync.CorosyncLink;
import org.pmxcfs.join.AddNode;
import org.pmxcfs.join.AddNodeRequest;
import org.pmxcfs.join.JoinException;
import org.pmxcfs.pvecm.Cfs;
import org.pmxcfs.pvecm.ClusterSetup;
import org.pmxcfs.pvecm.ParamException;
import org.pmxcfs.pvecm.Params;
import org.pmxcfs.pvecm.PvecmException;
import org.pmxcfs.pvecm.PvecmSubcommand;
import org.pmxcfs.pvecm.SshTrust;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pvecm add <hostname>} (reference 4.3, API path): joins this node to the cluster of
 * {@code <hostname>}. The password asked for is the member's root password, as in the original,
 * or the cluster's join password ({@code pvecm joinpassword}). {@code <hostname>} may also be the
 * web page's Join Information. {@code --use_ssh} is not supported.
 */
@Command(name = "add", description = "Adds the current node to an existing cluster.")
public final class AddCommand extends PvecmSubcommand {

    @Parameters(index = "0", paramLabel = "<hostname>",
            description = "Hostname (or IP) of an existing cluster member, or the Join Information copied from"
                    + " a member's web page (gives its address and fingerprint).")
    String hostname;

    @Mixin
    NodeOptions node;

    @Option(names = "--fingerprint", paramLabel = "([A-Fa-f0-9]{2}:){31}[A-Fa-f0-9]{2}",
            description = "Certificate SHA 256 fingerprint.")
    String fingerprint;

    @Option(names = "--use_ssh", arity = "0..1", fallbackValue = "", paramLabel = "<boolean>",
            description = "Always use SSH to join, even if peer may do it over API. (not supported here)")
    String useSsh;

    @Option(names = "--api-port", paramLabel = "<port>", defaultValue = "${env:PVECM_API_PORT:-8006}",
            description = "Port of the join API on <hostname> (env PVECM_API_PORT, default ${DEFAULT-VALUE}).")
    String apiPort;

    @Option(names = "--quorum-timeout", hidden = true, defaultValue = "300",
            description = "Seconds to wait for quorum and the cluster's files after joining")
    long quorumTimeoutSeconds;

    @Override
    protected int run() throws Exception {
        Params p = new Params();
        Optional<JoinInformation> info = JoinInformation.decode(hostname);
        if (info.isPresent()) {
            hostname = info.get().ipAddress();
            if (fingerprint == null) {
                fingerprint = info.get().fingerprint();
            } else if (!fingerprint.equalsIgnoreCase(info.get().fingerprint())) {
                p.error("fingerprint", "does not match the fingerprint in the join information - leave one of them out");
            }
        }
        if (hostname != null && !Params.isAddress(hostname)) {
            p.error("hostname", "invalid format - value does not look like a valid address: " + hostname);
        }
        Map<String, String> params = node.params(p);
        String fp = p.fingerprint("fingerprint", fingerprint);
        boolean ssh = Boolean.TRUE.equals(p.bool("use_ssh", useSsh));
        Long port = p.integer("api-port", apiPort, 1L, 65535L);
        p.check();
        if (ssh) {
            throw new PvecmException("joining over SSH (--use_ssh) is not supported - join over the API (the default)");
        }
        try (Cfs cfs = connect()) {
            Cfs.Paths paths = cfs.paths();
            checkCwd(paths.mountpoint());
            AddNodeRequest request;
            try {
                request = AddNodeRequest.fromParams(paths.nodename(), params);
            } catch (JoinException e) {
                throw new ParamException(e.details());
            }
            Prompter prompter = Prompter.system(out());
            char[] password = prompter.password("Please enter superuser (root) password for '" + hostname + "': ");
            if (password == null) {
                throw new PvecmException("no password given");
            }
            if (System.console() == null) {
                out().print("\n"); // the answer came from a pipe: end the prompt line
            }
            withLocalLock(() -> {
                join(cfs, paths, request, Optional.ofNullable(fp), port.intValue(), prompter, password);
                return null;
            });
        }
        return 0;
    }

    private void join(Cfs cfs, Cfs.Paths paths, AddNodeRequest request, Optional<String> fp, int port,
                      Prompter prompter, char[] password) throws Exception {
        String nodename = paths.nodename();
        Optional<String> link0 = Optional.ofNullable(request.links().get(0)).map(CorosyncLink::address);
        Map<String, String> addresses = new LinkedHashMap<>();
        String localIp = null;
        String lookupError = null;
        try {
            // the original resolves the node name; on a host whose name only resolves to
            // loopback, link0 stands in (as create does)
            localIp = ClusterSetup.nodeIp(cfs, nodename, link0);
            addresses.put("local node address", localIp);
        } catch (PvecmException e) {
            lookupError = "local node address: cannot use '" + nodename + "': " + e.getMessage()
                    + " - pass this node's cluster address with --link0";
        }
        request.links().forEach((n, l) -> addresses.put("link" + n, l.address()));
        List<String> errors = new ArrayList<>(Joinable.errors(facts(cfs, paths), addresses,
                Joinable::localAddressProblem));
        if (lookupError != null) {
            errors.add(lookupError);
        }
        Joinable.report(errors, request.force(), err());
        // the daemon would refuse to switch only after the cluster took this node in
        if (cfs.localForced()) {
            throw new PvecmException("pmxcfs runs with -l (forced local mode) - restart it without -l, then run"
                    + " 'pvecm add' again");
        }
        if (localIp == null && request.links().isEmpty()) {
            throw new PvecmException("unable to find this node's IP address - pass --link0");
        }

        // as the original: root's SSH key and config, no legacy link of the global known hosts;
        // the tree is left alone until the cluster accepted this node (a refusal changes nothing)
        SshTrust ssh = ssh(paths);
        ssh.setupRootSshConfig();
        ssh.unmergeKnownHosts();
        AddNode.Result joined = new JoinRequester(prompter, out(), err()).request(
                new JoinRequester.Target(hostname, port, fp, nodename, request, localIp), password);
        out().print("Join request OK, finishing setup locally\n");
        out().flush();
        FinishJoin.run(cfs, joined, out(), clock(), Duration.ofSeconds(quorumTimeoutSeconds), ssh);
    }

    private static Joinable.Facts facts(Cfs cfs, Cfs.Paths paths) throws IOException {
        JsonNode vmlist = new ObjectMapper().readTree(cfs.ipc().getGuestList());
        return new Joinable.Facts(paths.authkey(), Files.exists(paths.authkey()), paths.clusterConf(),
                Files.exists(paths.clusterConf()), vmlist.path("ids").size() > 0, cfs.clustered());
    }

    /** A process inside the mount would keep it busy while the tree is replaced. */
    private static void checkCwd(Path mountpoint) {
        Path cwd = Path.of("").toAbsolutePath().normalize();
        if (cwd.startsWith(mountpoint.toAbsolutePath().normalize())) {
            throw new PvecmException("Navigate out of " + mountpoint + " before running 'pvecm add', for example by"
                    + " running 'cd'.");
        }
    }
}
