package org.pmxcfs.join;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What the join code needs from the running node: the mounted cluster filesystem, quorum, the
 * cluster log and node addresses. {@link MountClusterAccess} is the real one (mount + IPC socket);
 * tests use a plain directory.
 */
public interface ClusterAccess {

    /** Where the cluster filesystem is mounted ({@code /etc/pve}). */
    Path mountpoint();

    /** This node's name. */
    String nodename();

    /** The local corosync authkey file the daemon uses. */
    Path authKey();

    /** Whether this node is quorate (may write the cluster filesystem). */
    boolean quorate();

    /** Adds a cluster log entry as {@code root@pam}; best effort (a failure is only logged). */
    void logCluster(int priority, String message);

    /** The IP a node announced for itself ({@code .members}), if known. */
    Optional<String> nodeIp(String node);
}
