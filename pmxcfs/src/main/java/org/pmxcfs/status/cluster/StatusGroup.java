package org.pmxcfs.status.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.pmxcfs.dfsm.DfsmCallbacks;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.status.KvStore;
import org.pmxcfs.status.ClusterLog;
import org.pmxcfs.status.ClusterLogEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status application of the dfsm (the original's kvstore callbacks in {@code status.c}, group
 * {@code pve_kvstore_v1}, protocol 0): applies the other nodes' status values and cluster log
 * entries, exchanges the cluster logs in every sync round, and re-announces this node's values
 * once synced.
 *
 * <p>Unlike the file tree there is no leader and nothing to transfer: every member is synced as
 * soon as all states are in, and the only state is the cluster log, which every member merges
 * from all states. Not quorum-gated. Not thread-safe: the dfsm calls it from its delivery thread
 * only; the stores it writes to have their own locks.
 */
public final class StatusGroup implements DfsmCallbacks {

    private final java.util.function.LongConsumer expectedVotes;

    private static final Logger log = LoggerFactory.getLogger("status");
    /** No verification for status data (the original registers no checksum function for it). */
    private static final byte[] NO_CHECKSUM = new byte[32];

    private final int selfNodeId;
    private final IntFunction<String> nodelist;
    private final KvStore kv;
    private final ClusterLog clusterLog;
    private final Runnable republish;
    private final Runnable clusterInfoChanged;

    /**
     * @param selfNodeId         this node's id: its own kv messages are already stored
     * @param nodelist           node id → node name in the current corosync.conf nodelist, null for
     *                           an id not in it (kv data from such ids is refused)
     * @param republish          queues all own kv values and the node IP for sending (after a sync)
     * @param clusterInfoChanged the {@code .members} data changed (membership, a node IP): bump {@code clinfo}
     */
    public StatusGroup(int selfNodeId, IntFunction<String> nodelist, KvStore kv, ClusterLog clusterLog,
            Runnable republish, Runnable clusterInfoChanged) {
        this(selfNodeId, nodelist, kv, clusterLog, republish, clusterInfoChanged, votes -> {});
    }

    /** @param expectedVotes another member ran {@code pvecm expected}: apply it to the local quorum */
    public StatusGroup(int selfNodeId, IntFunction<String> nodelist, KvStore kv, ClusterLog clusterLog,
            Runnable republish, Runnable clusterInfoChanged, java.util.function.LongConsumer expectedVotes) {
        this.expectedVotes = expectedVotes;
        this.selfNodeId = selfNodeId;
        this.nodelist = nodelist;
        this.kv = kv;
        this.clusterLog = clusterLog;
        this.republish = republish;
        this.clusterInfoChanged = clusterInfoChanged;
    }

    /**
     * One status message. A message that does not decode is logged and dropped instead of making
     * the group resync: a resync cannot repair it, and status data is refreshed all the time.
     */
    @Override
    public int deliver(MemberId sender, int subtype, long msgTime, byte[] payload) {
        try {
            switch (subtype) {
                case StatusMessages.UPDATE -> update(sender, StatusMessages.decodeUpdate(payload));
                case StatusMessages.LOG -> {
                    // Our own entries come back too; the log's duplicate rule drops them.
                    if (!clusterLog.insert(StatusMessages.decodeLog(payload))) {
                        log.debug("ignore insert of duplicate cluster log");
                    }
                }
                case StatusMessages.EXPECTED -> {
                    if (sender.nodeId() != selfNodeId && nodelist.apply(sender.nodeId()) != null) {
                        expectedVotes.accept(StatusMessages.decodeExpected(payload));
                    }
                }
                default -> log.error("received unknown message type {} from {}", subtype, sender);
            }
        } catch (MalformedStatusMessageException e) {
            log.error("{} (from {}) - ignored", e.getMessage(), sender);
        }
        return 0;
    }

    private void update(MemberId sender, StatusMessages.KvUpdate u) {
        if (sender.nodeId() == selfNodeId) {
            return; // stored when it was set; applying it again would bump its version twice
        }
        String node = nodelist.apply(sender.nodeId());
        if (node == null) {
            log.warn("ignore status update '{}' from node id {} - not in the nodelist", u.key(), sender.nodeId());
            return;
        }
        log.debug("received status update {} from {}", u.key(), node);
        if (kv.applyRemote(node, u.key(), u.value())) {
            clusterInfoChanged.run();
        }
    }

    /** Status is not quorum-gated: a node alone still logs and serves its status. */
    @Override
    public boolean isQuorate() {
        return true;
    }

    /** This node's whole cluster log, sorted (the original's {@code clusterlog_get_state}). */
    @Override
    public byte[] getState() {
        return StatusMessages.encodeState(clusterLog.stateForSync());
    }

    /**
     * Marks every member synced and merges the cluster logs of all members into the local one.
     * A state that does not decode is left out of the merge rather than failing the round,
     * which would only repeat with the same state.
     */
    @Override
    public boolean processStateUpdate(List<MemberState> states, SyncRound round) {
        List<ClusterLogEntry> remote = new ArrayList<>();
        for (MemberState s : states) {
            round.markSynced(s.member());
            if (s.member().equals(round.self())) {
                continue; // the local log is part of the merge anyway
            }
            try {
                remote.addAll(StatusMessages.decodeState(s.state()));
            } catch (MalformedStatusMessageException e) {
                log.error("cluster log state of {}: {} - not merged", s.member(), e.getMessage());
            }
        }
        clusterLog.merge(remote);
        return true;
    }

    /** There is no leader, so no UPDATE may arrive. */
    @Override
    public boolean processUpdate(MemberId sender, byte[] payload) {
        log.error("unexpected state update from {}", sender);
        return false;
    }

    /** Never called (every member is synced by {@link #processStateUpdate}); nothing to commit. */
    @Override
    public boolean commit() {
        return true;
    }

    @Override
    public void cleanup() {}

    @Override
    public byte[] checksum() {
        return NO_CHECKSUM.clone();
    }

    /** Synced (after a round, or alone in the group): announce all own values again. */
    @Override
    public void synced() {
        republish.run();
    }

    /** Who is online changed. */
    @Override
    public void membersChanged(List<MemberId> members) {
        clusterInfoChanged.run();
    }
}
