package org.pmxcfs.dfsm;

import java.util.List;

/**
 * The application side of a {@link Dfsm}, like {@code dfsm_callbacks_t} in the original
 * {@code dfsm.h}: dcdb (the file tree) and kvstore (status) each implement it once.
 *
 * <p>All methods are called by the dfsm on its delivery thread, one at a time, in the total order
 * of the group, so they need no locking against each other. They must be deterministic where
 * the Javadoc says so: every member calls them with the same arguments in the same order, and
 * the replicas stay identical only if the results depend on nothing else.
 *
 * <p>Errors: a method that returns {@code false} / {@code null}, or throws any
 * {@link RuntimeException}, makes the dfsm log the failure and go to mode
 * {@link DfsmMode#LEAVE}: it leaves the group and rejoins later with a full resync (what a
 * negative return value does in the original). For a permanent failure (e.g. the database
 * cannot be written) the application calls {@link Dfsm#setErrorMode()} instead.
 *
 * <p>A callback may call {@link Dfsm#post} or {@link Dfsm#submit} (they do not block), never
 * {@link Dfsm#send} (which waits for a delivery that this very thread would have to make).
 */
public interface DfsmCallbacks {

    /**
     * Applies one normal message (follows {@code dfsm_deliver_fn}). Called only while every
     * member of the view is synced and this node is quorate, in the same order on every member.
     *
     * @param sender the member that multicast it
     * @param subtype the application message type (header {@code subtype})
     * @param msgTime the sender's clock in seconds (header {@code time}, unsigned 32 bit); use
     *     it instead of the local clock so every member stores the same times
     * @param payload the message body after the 24-byte normal header
     * @return the result reported to the waiting {@link Dfsm#send} on the sender's node (by
     *     convention 0 or a byte count for success, {@code -errno} for failure); ignored on
     *     the other members
     */
    int deliver(MemberId sender, int subtype, long msgTime, byte[] payload);

    /**
     * Whether this node may apply normal messages now (follows {@code cfs_is_quorate()} in
     * {@code dcdb_deliver}). When it returns false the dfsm does not call {@link #deliver},
     * logs "received write while not quorate - trigger resync" and leaves the group. An
     * instance that does not depend on quorum (kvstore) returns true.
     */
    boolean isQuorate();

    /**
     * This member's state for the sync round (follows {@code dfsm_get_state_fn}); dcdb returns
     * its memdb index. Called once per round on every member; the bytes reach every member in
     * {@link #processStateUpdate}. {@code null} means failure.
     */
    byte[] getState();

    /**
     * Called on every member once the states of all members of the current round are in
     * (follows {@code dfsm_process_state_update_fn}). Deterministically choose the leader from
     * {@code states} (dcdb: highest version, then newest mtime, then first in member order),
     * mark every member whose state equals the leader's with {@link SyncRound#markSynced}
     * (the leader included), and, if this member is the leader, multicast the missing data with
     * {@link SyncRound#sendUpdate} followed by one {@link SyncRound#sendUpdateComplete}. Keep
     * what {@link #processUpdate} and {@link #commit} need in the application until
     * {@link #cleanup}.
     *
     * <p>Compute the updates here, before returning: the unsynced members must receive the
     * state as it was at this point of the total order, and once every member is synced the
     * dfsm applies the messages that follow.
     *
     * @param states one entry per member, sorted by {@link MemberId}, this member included
     * @return false on failure
     */
    boolean processStateUpdate(List<MemberState> states, SyncRound round);

    /**
     * One UPDATE message from the leader, received by a member that is not synced (follows
     * {@code dfsm_process_update_fn}). Collect it; apply nothing until {@link #commit}.
     *
     * @return false on failure
     */
    boolean processUpdate(MemberId sender, byte[] payload);

    /**
     * The leader's UPDATE_COMPLETE arrived on a member that is not synced: replace the local
     * state with the leader's, atomically, and verify it (follows {@code dfsm_commit_fn}; dcdb
     * requires the re-encoded index to equal the leader's byte for byte). Normal messages queued
     * during the sync are applied right after a successful commit.
     *
     * @return false on failure; the local state must then be unchanged
     */
    boolean commit();

    /**
     * The current sync round is over (completed or abandoned by a membership change or a
     * leave): drop whatever was kept since {@link #processStateUpdate} (follows
     * {@code dfsm_cleanup_fn}). Called at most once per round, and only for rounds that
     * reached {@link #processStateUpdate}.
     */
    void cleanup();

    /**
     * A 32-byte checksum of the whole replicated state for VERIFY (follows
     * {@code dfsm_checksum_fn}; dcdb: SHA-256 over all entries sorted by inode). Called at the
     * same position of the total order on every synced member. {@code null} means failure.
     */
    byte[] checksum();

    /** This member has reached {@link DfsmMode#SYNCED} (follows {@code dfsm_synced_fn}). */
    default void synced() {}

    /**
     * Every member of the view completed the sync round that ended last: each sends a barrier
     * once it has, and all of them are delivered here. Called once per round, on synced
     * members; every member of the view has been told before any writer learns the result of
     * what was applied since the round's end. Not part of the original: dcdb uses it for its
     * leader election.
     */
    default void roundAgreed() {}

    /**
     * The group membership changed (follows {@code dfsm_confchg_fn}; kvstore uses it for the
     * online flags of {@code .members}). Called after the dfsm has handled the change.
     *
     * @param members sorted, this member included
     */
    default void membersChanged(List<MemberId> members) {}

    /** One member's state in a sync round, as it sent it. */
    record MemberState(MemberId member, byte[] state) {}

    /** What {@link #processStateUpdate} may do with the current sync round. */
    interface SyncRound {

        /** This member. */
        MemberId self();

        /** Records that {@code member}'s state equals the leader's (it needs no updates). */
        void markSynced(MemberId member);

        /**
         * Multicasts one UPDATE with this round's epoch (leader only).
         *
         * @return false if the transport could not send it
         */
        boolean sendUpdate(byte[] payload);

        /**
         * Multicasts UPDATE_COMPLETE with this round's epoch, after the last UPDATE (leader
         * only). Send it even when there were no updates: the unsynced members wait for it.
         *
         * @return false if the transport could not send it
         */
        boolean sendUpdateComplete();
    }
}
