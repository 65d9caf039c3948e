/**
 * The status process group (the original's kvstore dfsm instance {@code pve_kvstore_v1},
 * reference 3.8 and 3.9): node status values and cluster log entries travel between the nodes,
 * and the group's view says which nodes are online. Unlike the file tree it is not quorum-gated:
 * a node alone still logs and serves its own status.
 */
package org.pmxcfs.status.cluster;
