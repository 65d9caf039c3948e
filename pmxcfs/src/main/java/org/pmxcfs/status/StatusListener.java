package org.pmxcfs.status;

/** Told about successful local status changes, e.g. to send them to the other nodes in cluster mode. */
public interface StatusListener {
    /** After {@code set_status} stored (or, with an empty value, deleted) {@code key}. */
    default void statusSet(String key, byte[] value) {}

    /** After {@code log_cluster_msg} stored {@code entry} in the local cluster log. */
    default void clusterLogged(ClusterLogEntry entry) {}
}
