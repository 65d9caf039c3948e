/**
 * The cluster edits behind joining and removing nodes, shared by {@code pvecm} and the join API
 * service ({@code org.pmxcfs.joinapi}, which serves the original's {@code /cluster/config/join},
 * {@code /cluster/config/apiversion} and {@code POST /cluster/config/nodes/{node}} to a node running
 * {@code pvecm add}): the addnode rules ({@link org.pmxcfs.join.AddNode}, {@link org.pmxcfs.join.DelNode}),
 * the join password ({@link org.pmxcfs.join.JoinPassword}), certificates and fingerprints, and the
 * cluster filesystem lock. Everything goes through the mounted filesystem and the IPC socket, as the
 * original's Perl does, so the same code works in the daemon and in the CLI. Protocol and
 * differences from the original: {@code docs/JOIN.md}.
 */
package org.pmxcfs.join;
