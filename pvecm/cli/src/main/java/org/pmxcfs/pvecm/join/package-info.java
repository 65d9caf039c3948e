/**
 * Joining and leaving a cluster: {@code pvecm add} (this node joins a cluster over the join API
 * of a member, {@link org.pmxcfs.pvecm.join.AddCommand}), {@code pvecm addnode} and
 * {@code pvecm delnode} (edit the nodelist on a member), and {@code pvecm joinpassword} (the
 * password {@code add} authenticates with). The cluster edits themselves are in
 * {@code org.pmxcfs.join}, shared with the daemon's join API.
 */
package org.pmxcfs.pvecm.join;
