package org.pmxcfs.pvecm.join;

import java.nio.file.Path;
import java.util.Map;
import org.pmxcfs.join.AddNode;
import org.pmxcfs.join.AddNodeRequest;
import org.pmxcfs.join.JoinException;
import org.pmxcfs.join.MountClusterAccess;
import org.pmxcfs.pvecm.Cfs;
import org.pmxcfs.pvecm.ParamException;
import org.pmxcfs.pvecm.Params;
import org.pmxcfs.pvecm.PvecmException;
import org.pmxcfs.pvecm.PvecmSubcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pvecm addnode <node>} (reference 4.4): adds a node to the cluster's corosync.conf, run on
 * a member — the same code as the join API's {@code POST /cluster/config/nodes/{node}}
 * ({@link AddNode}). Prints nothing on success, as the original.
 */
@Command(name = "addnode", description = "Adds a node to the cluster configuration. This call is for internal use.")
public final class AddnodeCommand extends PvecmSubcommand {

    @Parameters(index = "0", paramLabel = "<node>", description = "The cluster node name.")
    String nodeName;

    @Mixin
    NodeOptions node;

    @Option(names = "--new_node_ip", paramLabel = "<string>",
            description = "IP Address of node to add. Used as fallback if no links are given.")
    String newNodeIp;

    @Option(names = "--apiversion", paramLabel = "<integer>",
            description = "The JOIN_API_VERSION of the new node.")
    String apiversion;

    @Override
    protected int run() throws Exception {
        Params p = new Params();
        p.nodeName("node", nodeName, 0);
        Map<String, String> params = node.params(p);
        if (p.ip("new_node_ip", newNodeIp) != null) {
            params.put("new_node_ip", newNodeIp);
        }
        Long v = p.integer("apiversion", apiversion, 0L, (long) Integer.MAX_VALUE);
        if (v != null) {
            params.put("apiversion", v.toString());
        }
        p.check();
        AddNodeRequest request;
        try {
            request = AddNodeRequest.fromParams(nodeName, params);
        } catch (JoinException e) {
            throw new ParamException(e.details());
        }
        try (Cfs cfs = connect()) {
            requireClusterConf(cfs);
            Cfs.Paths paths = cfs.paths();
            withLocalLock(() -> {
                try {
                    AddNode.of(access(paths), m -> err().print(m + "\n")).run(request, m -> out().print(m + "\n"));
                } catch (JoinException e) {
                    throw failure(e);
                }
                return null;
            });
        }
        return 0;
    }

    public static MountClusterAccess access(Cfs.Paths paths) {
        Path runDir = paths.runDir();
        return new MountClusterAccess(paths.mountpoint(), paths.nodename(), paths.authkey(), runDir, "pvecm");
    }

    /** The original prints a structured error's details under its message. */
    public static PvecmException failure(JoinException e) {
        StringBuilder b = new StringBuilder(e.getMessage());
        e.details().forEach((k, v) -> b.append('\n').append(k).append(": ").append(v));
        return new PvecmException(b.toString());
    }
}
