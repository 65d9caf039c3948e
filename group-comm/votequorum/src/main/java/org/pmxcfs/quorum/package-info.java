/**
 * corosync votequorum's arithmetic as pure values: {@link org.pmxcfs.quorum.QuorumConfig} (what
 * corosync.conf says) and {@link org.pmxcfs.quorum.VoteQuorum} (plus who is online) give a
 * {@link org.pmxcfs.quorum.QuorumStatus}; {@link org.pmxcfs.quorum.VoteQuorum#setExpected(long)} is
 * {@code pvecm expected}.
 */
package org.pmxcfs.quorum;
