package org.pmxcfs.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.pmxcfs.cluster.NodeMode;
import org.pmxcfs.ipc.DaemonControl;

/**
 * What pvecm asks of the daemon itself over IPC: its paths and mode ({@code get_paths}), and the
 * join ({@code join_cluster}), which the mode switch carries out.
 */
final class DaemonSteering implements DaemonControl {

    private final Options o;
    private final String nodename;
    private final NodeMode mode;
    private final ClusterSwitch clusterSwitch;

    DaemonSteering(Options o, String nodename, NodeMode mode, ClusterSwitch clusterSwitch) {
        this.o = o;
        this.nodename = nodename;
        this.mode = mode;
        this.clusterSwitch = clusterSwitch;
    }

    @Override
    public JsonNode paths() {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("mountpoint", o.mountpoint.toAbsolutePath().toString());
        p.put("data_dir", o.dataDir.toAbsolutePath().toString());
        p.put("run_dir", o.runDir.toAbsolutePath().toString());
        p.put("authkey", o.authKey.toAbsolutePath().toString());
        p.put("corosync_conf", o.corosyncConf.toAbsolutePath().toString());
        p.put("nodename", nodename);
        p.put("clustered", mode.node() != null);
        p.put("local_forced", o.local);
        String failure = mode.startError();
        if (failure != null) {
            p.put("cluster_error", failure);
        }
        return p;
    }

    @Override
    public String joinCluster(byte[] authKey, byte[] corosyncConf) {
        return clusterSwitch.join(authKey, corosyncConf);
    }
}
