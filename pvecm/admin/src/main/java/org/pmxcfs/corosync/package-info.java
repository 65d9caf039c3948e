/**
 * corosync.conf: reading, validating, editing and writing it, and copying the cluster-wide copy
 * to the local file.
 *
 * <ul>
 *   <li>{@link org.pmxcfs.corosync.ConfTree}: the file as an ordered tree of
 *       {@link org.pmxcfs.corosync.ConfItem}s with corosync's own syntax rules; writing an
 *       unchanged tree gives back the same bytes.</li>
 *   <li>{@link org.pmxcfs.corosync.CorosyncConf}: a validated file with a typed view
 *       ({@link org.pmxcfs.corosync.Totem}, {@link org.pmxcfs.corosync.NodeEntry},
 *       {@link org.pmxcfs.corosync.QuorumSection}, {@link org.pmxcfs.corosync.LoggingSection}) and
 *       the edits pvecm makes (add/remove a node, bump config_version).</li>
 *   <li>{@link org.pmxcfs.corosync.PveConfWriter} and
 *       {@link org.pmxcfs.corosync.PvecmCreateTemplate}: pvecm's layout and its {@code create}
 *       template.</li>
 *   <li>{@link org.pmxcfs.corosync.CorosyncConfSync}: pmxcfs's rule for copying
 *       {@code /etc/pve/corosync.conf} to {@code /etc/corosync/corosync.conf}.</li>
 * </ul>
 */
package org.pmxcfs.corosync;
