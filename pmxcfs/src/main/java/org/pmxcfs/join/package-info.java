/**
 * The join API of a cluster node: an HTTPS server in the daemon ({@link org.pmxcfs.join.JoinApiService})
 * that serves the original's {@code /cluster/config/join}, {@code /cluster/config/apiversion} and
 * {@code POST /cluster/config/nodes/{node}} to a node running {@code pvecm add}, authenticated by
 * the cluster's join password ({@link org.pmxcfs.join.JoinPassword}); and the cluster edits behind
 * them ({@link org.pmxcfs.join.AddNode}, {@link org.pmxcfs.join.DelNode}), which {@code pvecm addnode}
 * and {@code pvecm delnode} run locally as well. Everything goes through the mounted filesystem
 * and the IPC socket, as the original's Perl does, so the same code works in the daemon and in
 * the CLI. Protocol and differences from the original: {@code docs/JOIN.md}.
 */
package org.pmxcfs.join;
