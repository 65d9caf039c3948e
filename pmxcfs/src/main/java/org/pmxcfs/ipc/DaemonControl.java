package org.pmxcfs.ipc;

import com.fasterxml.jackson.databind.JsonNode;

/** What pvecm needs to steer the daemon itself. */
public interface DaemonControl {

    /** The daemon's paths: mountpoint, data_dir, run_dir, authkey, corosync_conf, nodename. */
    JsonNode paths();

    /**
     * {@code pvecm add}, after the cluster accepted this node: install the authkey and the
     * cluster's corosync.conf, back up and reset the local tree, and switch to cluster mode.
     *
     * @return where the old database was saved
     * @throws IpcError when this node cannot join (forced local mode, I/O)
     */
    String joinCluster(byte[] authKey, byte[] corosyncConf);
}
