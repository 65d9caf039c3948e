/**
 * {@code pvecm}, the cluster tool (reference section 4), for the Java pmxcfs.
 *
 * <ul>
 *   <li>{@link org.pmxcfs.pvecm.Pvecm}: main class and error handling (exit 0 / 1 / 2);
 *       {@link org.pmxcfs.pvecm.PvecmCommands}: <b>where subcommands are registered</b>;
 *       {@link org.pmxcfs.pvecm.PvecmSubcommand}: their base class.</li>
 *   <li>{@link org.pmxcfs.pvecm.Cfs}: the daemon over IPC (paths, config files, quorum);
 *       files of the tree are written through the mount, like the Perl tools do.</li>
 *   <li>{@link org.pmxcfs.pvecm.Params}/{@link org.pmxcfs.pvecm.ParamException}: parameter checks
 *       worded like PVE::JSONSchema; {@link org.pmxcfs.pvecm.Help}: usage texts.</li>
 *   <li>{@link org.pmxcfs.pvecm.Certificates} (X.509 with BouncyCastle),
 *       {@link org.pmxcfs.pvecm.NodeFiles} (gen_pve_node_files),
 *       {@link org.pmxcfs.pvecm.ClusterSetup} (waiting for quorum, updatecerts, atomic corosync.conf
 *       writes), {@link org.pmxcfs.pvecm.CorosyncKey}, {@link org.pmxcfs.pvecm.LocalLock},
 *       {@link org.pmxcfs.pvecm.NodeAddress}, {@link org.pmxcfs.pvecm.StatusFormatter}.</li>
 *   <li>{@code commands}: create, status, nodes, expected, keygen, updatecerts, apiver, help,
 *       qdevice and mtunnel (the last: {@code not supported yet}); {@code join}: add,
 *       addnode, delnode; {@code qdevice}: the steps of qdevice setup/remove (qnetd host over
 *       SSH or local, the node certificate with keytool).</li>
 * </ul>
 */
package org.pmxcfs.pvecm;
