package org.pmxcfs.dcdb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.pmxcfs.dbstore.Index;
import org.pmxcfs.dbstore.IndexSummary;
import org.pmxcfs.dbstore.InodeUpdate;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.Paths;
import org.pmxcfs.dbstore.Result;
import org.pmxcfs.dbstore.StoreException;
import org.pmxcfs.dbstore.SyncCommitException;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.dbstore.WireFormatException;
import org.pmxcfs.dfsm.DfsmCallbacks;
import org.pmxcfs.dfsm.MemberId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file tree as a replicated application of the dfsm (the original's dcdb.c, group
 * {@code pve_dcdb_v1}): normal messages are applied to the {@link MemDb} with the sender's node
 * id and time; a sync round elects the member with the newest index as leader, which sends
 * every entry another member lacks; a member that differs replaces its tree by the leader's in
 * one verified commit.
 *
 * <p>Leader election. Without virtual synchrony a member may deliver more of a view's tail than
 * the others, and the original's "highest version wins" let such a member, cut off, win the
 * heal over the writes the majority acknowledged since. So every member of a quorate round
 * raises its version to the round's highest + {@link #ROUND_VERSION_STEP}. That alone is not
 * enough: a round that only some of its members complete (the view changes before all STATEs
 * are in elsewhere) leaves those with the raised version, and another round among the others
 * raises to the same version, with other writes on top. So a member also keeps an <em>agreed
 * version</em>, stored with its tree: the raised version of the last round that every member
 * of the round completed (the dfsm says so by {@link #roundAgreed}, once every member's barrier
 * is back; writes applied after the round are acknowledged only once every member was told).
 * A round's leader has
 * the highest agreed version, then the highest version; every member takes the leader's agreed
 * version with its tree. Agreed rounds are totally ordered (two quorate rounds share a member,
 * which completed the earlier before it sent its state to the later, raised), and the leader's
 * tree holds everything acknowledged since its agreed round, as in the original.
 *
 * <p>Not thread-safe: the dfsm calls it from its delivery thread only.
 */
public final class Dcdb implements DfsmCallbacks {

    private static final Logger log = LoggerFactory.getLogger("dcdb");
    /**
     * Inode records per UPDATE message, up to this many bytes (one larger file travels alone):
     * large enough that a join of 10,000 small files is a few hundred messages, small enough
     * that the FRAG2 fragments of one message do not hold up the others for long.
     */
    static final int UPDATE_BATCH_BYTES = 256 * 1024;
    /**
     * What a quorate round adds to the highest version among its members: more than a member
     * can apply on its own before it is cut off (the tail of a view that the others missed;
     * the send queue holds 10,000 messages per sender).
     */
    static final long ROUND_VERSION_STEP = 1L << 24;
    /** The first byte of an UPDATE: the leader's index follows (the first UPDATE of a round). */
    static final byte UPDATE_INDEX = 'I';
    /** The first byte of an UPDATE: inode records follow ({@link InodeUpdate}). */
    static final byte UPDATE_INODES = 'U';

    private final MemDb db;
    private final int selfNodeId;
    private final DcdbHost host;
    private List<MemberId> members = List.of();
    /** The state of the current sync round; null outside one. */
    private Transfer transfer;
    /** The raised version of the quorate round completed here, until every member completed it; 0: none. */
    private long unagreed;
    /**
     * The index the last STATE summarised: what this member sends if it leads the round (an
     * index hashes every file, so it is computed once per round, not again for the updates).
     */
    private Index stateIndex;

    /** What a round keeps from {@link #processStateUpdate} until {@link #cleanup}. */
    private static final class Transfer {
        final MemberId leader;
        final IndexSummary leaderSummary;
        /** The leader's index: its own on the leader, the first UPDATE's on the others; null until then. */
        Index leaderIndex;
        /** The version every member raises its tree to once it holds the leader's; 0: none. */
        final long raiseTo;
        /** The leader's agreed version, which every member takes with its tree. */
        final long agreed;
        final List<TreeEntry> updates = new ArrayList<>();

        Transfer(MemberId leader, IndexSummary leaderSummary, long raiseTo, long agreed) {
            this.leader = leader;
            this.leaderSummary = leaderSummary;
            this.raiseTo = raiseTo;
            this.agreed = agreed;
        }
    }

    /** @param selfNodeId this node's id: tells the member with the lowest id and this node's own messages */
    public Dcdb(MemDb db, int selfNodeId, DcdbHost host) {
        this.db = db;
        this.selfNodeId = selfNodeId;
        this.host = host;
    }

    // ---------------------------------------------------------------- normal messages

    /**
     * Applies one dcdb message (dcdb_deliver) and returns the FUSE result: a byte count or 0, or
     * {@code -errno}. A message that does not decode is refused with an
     * {@link IllegalArgumentException}, which makes the dfsm leave and resync, as the
     * original's negative return does. After a database failure the host is told to stop the
     * cluster connection.
     */
    @Override
    public int deliver(MemberId sender, int subtype, long msgTime, byte[] payload) {
        DcdbMessage m;
        try {
            m = DcdbCodec.decode(subtype, payload);
        } catch (DcdbCodecException e) {
            log.error("{} (from {})", e.getMessage(), sender);
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        int result = 0;
        if (m instanceof DcdbMessage.UnlockRequest u) {
            unlockRequest(u);
        } else if (m instanceof DcdbMessage.Apply a) {
            // committed when apply returns, so durable before the transport acks it: its writer
            // may count on this node's copy once a majority of the view has acked (a node that
            // crashed before a later commit came back without it, and with the writer down, the
            // others' tree won; the simulation found this)
            Result r = db.apply(a.op(), sender.nodeId(), msgTime);
            if (log.isDebugEnabled()) {
                log.debug("apply {} from {}: {}", a.op().describe(), sender, r.isOk() ? "ok" : r.error());
            }
            if (r.isOk() && writesCorosyncConf(a.op())) {
                host.syncCorosyncConf(sender.nodeId() == selfNodeId);
            }
            result = r.toFuse();
        }
        if (db.failed()) {
            log.error("serious internal error - stop cluster connection");
            host.setErrorMode();
        }
        return result;
    }

    /** A successful WRITE or CREATE of corosync.conf, or a RENAME onto it (reference 3.3). */
    private static boolean writesCorosyncConf(Operation op) {
        String target;
        if (op instanceof Operation.Write || op instanceof Operation.Truncate || op instanceof Operation.Create) {
            target = op.path();
        } else if (op instanceof Operation.Rename rn) {
            target = rn.to();
        } else {
            return false;
        }
        return Paths.normalize(target).equals("corosync.conf");
    }

    /**
     * Only the member with the lowest node id acts, by its own lock table: if the lock is still
     * in the state the requester saw and has expired here, it multicasts UNLOCK, which every
     * member then applies in order.
     */
    private void unlockRequest(DcdbMessage.UnlockRequest u) {
        if (members.isEmpty() || members.get(0).nodeId() != selfNodeId) {
            return;
        }
        Optional<TreeEntry> lock = db.lookup(u.path());
        if (lock.isEmpty() || !MemDb.isLockDir(Paths.split(u.path()), lock.get())
                || !Arrays.equals(lock.get().metaDigest(), u.digest())) {
            return;
        }
        if (host.lockExpired(Paths.normalize(u.path()), lock.get())) {
            try {
                DcdbCodec.Encoded e = DcdbCodec.encode(new Operation.Unlock(u.path(), u.digest()));
                log.debug("sending unlock message for {}", u.path());
                host.submit(e.subtype(), e.payload());
            } catch (DcdbCodecException e) {
                log.error("cannot send unlock message: {}", e.getMessage());
            }
        }
    }

    @Override
    public boolean isQuorate() {
        return host.isQuorate();
    }

    @Override
    public void membersChanged(List<MemberId> members) {
        this.members = List.copyOf(members);
        unagreed = 0;
    }

    // ---------------------------------------------------------------- sync

    /** The summary of this node's memdb index and its agreed version ({@link SyncState}). */
    @Override
    public byte[] getState() {
        stateIndex = db.index();
        return new SyncState(IndexSummary.of(stateIndex), db.agreedVersion()).encode();
    }

    /**
     * Elects the leader (highest agreed version, then highest version, then later root mtime,
     * then first in member order; see the class comment),
     * marks every member whose index equals the leader's as synced, and on the leader sends
     * its index and every entry of the index buckets in which another member differs, then
     * UPDATE_COMPLETE (dcdb_process_state_update; the original compares whole indexes and
     * sends exactly the differing entries, see {@link IndexSummary} for why not here).
     *
     * <p>In a quorate round every member then raises its version by {@link #ROUND_VERSION_STEP}
     * above the highest of the round and takes the leader's agreed version (the synced ones now,
     * the others after their commit), so the same tree again. The simulation found both rules.
     */
    @Override
    public boolean processStateUpdate(List<MemberState> states, SyncRound round) {
        transfer = null;
        unagreed = 0;
        List<SyncState> decoded = new ArrayList<>();
        for (MemberState s : states) {
            try {
                decoded.add(SyncState.decode(s.state()));
            } catch (WireFormatException e) {
                log.error("{} (from {})", e.getMessage(), s.member());
                return false;
            }
        }
        if (decoded.isEmpty()) {
            log.error("no member states in the sync round");
            return false;
        }
        if (log.isDebugEnabled()) {
            for (int i = 0; i < states.size(); i++) {
                log.debug("state of {}: {}", states.get(i).member(), decoded.get(i).summary());
            }
        }
        int leader = chooseLeader(decoded);
        MemberState leaderState = states.get(leader);
        SyncState lead = decoded.get(leader);
        log.info("leader is {}", leaderState.member());
        List<IndexSummary> outdated = new ArrayList<>();
        List<MemberId> synced = new ArrayList<>();
        for (int i = 0; i < states.size(); i++) {
            if (decoded.get(i).sameTree(lead)) {
                round.markSynced(states.get(i).member());
                synced.add(states.get(i).member());
            } else {
                outdated.add(decoded.get(i).summary());
            }
        }
        log.info("synced members: {}", synced.stream().map(MemberId::toString).collect(Collectors.joining(", ")));
        long highest = 0;
        for (SyncState s : decoded) {
            highest = Long.compareUnsigned(s.summary().version(), highest) > 0 ? s.summary().version() : highest;
        }
        transfer = new Transfer(leaderState.member(), lead.summary(),
                host.isQuorate() ? highest + ROUND_VERSION_STEP : 0, lead.agreed());
        if (leaderState.member().equals(round.self())) {
            // normal messages wait while a round runs, so the tree is the one the state summarised;
            // every change raises the version, which tells if that ever does not hold
            Index own = stateIndex;
            if (own == null || own.version() != db.stats().version()) {
                log.error("the local tree changed since its state was sent - leave and resync");
                return false;
            }
            transfer.leaderIndex = own;
            if (!sendUpdates(own, lead.summary(), outdated, round)) {
                return false;
            }
        }
        return !synced.contains(round.self()) || raiseVersion();
    }

    /** The end of a round on this member: the raised version and the leader's agreed version. */
    private boolean raiseVersion() {
        unagreed = transfer.raiseTo;
        return store(transfer.raiseTo, transfer.agreed);
    }

    /**
     * Every member of the round completed it (their barriers are back): its raised version is
     * agreed, stored before the writers applied since the round learn their results.
     */
    @Override
    public void roundAgreed() {
        if (unagreed != 0) {
            log.info("round of version {} completed by every member", Long.toUnsignedString(unagreed));
            store(0, unagreed);
            unagreed = 0;
        }
    }

    private boolean store(long version, long agreed) {
        if (!db.raiseVersion(version, agreed)) {
            log.error("serious internal error - stop cluster connection");
            host.setErrorMode();
            return false;
        }
        return true;
    }

    /** The position of the leader among {@code states}, which are in member order (dcdb_select_leader). */
    static int chooseLeader(List<SyncState> states) {
        int leader = 0;
        for (int i = 1; i < states.size(); i++) {
            if (states.get(i).newerThan(states.get(leader))) {
                leader = i;
            }
        }
        return leader;
    }

    /**
     * The leader's part (dcdb_create_and_send_updates): when a member is outdated, the index
     * first (what an outdated member deletes and checks its result against), then every inode of
     * the buckets in which some outdated member differs, once, in inode order (the original sends
     * exactly the differing inodes, in hash order; any order gives the same result). A failed
     * UPDATE is only logged, as in the original: the receiver's verification catches what is
     * missing.
     */
    private boolean sendUpdates(Index leaderIndex, IndexSummary leaderSummary, List<IndexSummary> outdated,
            SyncRound round) {
        BitSet buckets = new BitSet(IndexSummary.BUCKETS);
        for (IndexSummary member : outdated) {
            buckets.or(leaderSummary.differingBuckets(member));
        }
        log.info("start sending inode updates");
        if (!outdated.isEmpty() && !round.sendUpdate(framed(UPDATE_INDEX, leaderIndex.encode()))) {
            log.error("sending the index failed");
        }
        List<Long> inodes = new ArrayList<>();
        for (Index.Entry e : leaderIndex.entries()) {
            if (buckets.get(IndexSummary.bucketOf(e.inode()))) {
                inodes.add(e.inode());
            }
        }
        java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
        batch.write(UPDATE_INODES);
        for (long inode : inodes) {
            Optional<TreeEntry> e = db.entry(inode);
            if (e.isEmpty()) {
                log.error("cannot get inode data for inode {}", Long.toUnsignedString(inode));
                return false;
            }
            byte[] record = InodeUpdate.encode(e.get());
            if (batch.size() > 1 && batch.size() + record.length > UPDATE_BATCH_BYTES) {
                sendBatch(round, batch);
            }
            batch.writeBytes(record);
        }
        if (batch.size() > 1) {
            sendBatch(round, batch);
        }
        log.info("sent all ({}) updates", inodes.size());
        if (!round.sendUpdateComplete()) {
            log.error("failed to send UPDATE_COMPLETE message");
            return false;
        }
        return true;
    }

    private static void sendBatch(SyncRound round, java.io.ByteArrayOutputStream batch) {
        if (!round.sendUpdate(batch.toByteArray())) {
            log.error("sending update inodes failed ({} bytes)", batch.size());
        }
        batch.reset();
        batch.write(UPDATE_INODES);
    }

    private static byte[] framed(byte kind, byte[] body) {
        byte[] out = new byte[body.length + 1];
        out[0] = kind;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /** Collects one UPDATE (dcdb_process_update); only the leader of this round may send them. */
    @Override
    public boolean processUpdate(MemberId sender, byte[] payload) {
        if (transfer == null) {
            log.error("received an inode update from {} outside a sync round", sender);
            return false;
        }
        if (!sender.equals(transfer.leader)) {
            log.error("received an inode update from {}, but the leader is {}", sender, transfer.leader);
            return false;
        }
        if (payload.length == 0) {
            log.error("received an empty inode update from {}", sender);
            return false;
        }
        byte[] body = Arrays.copyOfRange(payload, 1, payload.length);
        try {
            if (payload[0] == UPDATE_INODES) {
                transfer.updates.addAll(InodeUpdate.decodeAll(body));
            } else if (payload[0] == UPDATE_INDEX && transfer.leaderIndex == null) {
                Index index = Index.decode(body);
                if (!IndexSummary.of(index).sameTree(transfer.leaderSummary)) {
                    log.error("the index from {} does not match its state", sender);
                    return false;
                }
                transfer.leaderIndex = index;
            } else {
                log.error("received an inode update of kind {} from {}{}", payload[0], sender,
                        transfer.leaderIndex != null ? " after its index" : "");
                return false;
            }
        } catch (WireFormatException e) {
            log.error("{} (from {})", e.getMessage(), sender);
            return false;
        }
        return true;
    }

    /**
     * Replaces the local tree by the leader's (dcdb_commit). Before local entries are lost the
     * host may save them. A refused transfer changes nothing; the dfsm leaves and resyncs. A
     * failed store is permanent, as in the original: the host stops the cluster connection.
     */
    @Override
    public boolean commit() {
        if (transfer == null) {
            log.error("commit outside a sync round");
            return false;
        }
        log.info("update complete - trying to commit (got {} inode updates)", transfer.updates.size());
        if (transfer.leaderIndex == null) {
            log.error("the leader {} sent no index", transfer.leader);
            return false;
        }
        List<String> discarded = db.differingPaths(transfer.leaderIndex);
        if (!discarded.isEmpty()) {
            host.beforeStateTransfer(discarded);
        }
        try {
            db.commitSync(transfer.leaderIndex, transfer.updates);
        } catch (SyncCommitException e) {
            log.error("state transfer failed: {}", e.getMessage());
            if (db.failed() || e.getCause() instanceof StoreException) {
                log.error("serious internal error - stop cluster connection");
                host.setErrorMode();
            }
            return false;
        }
        host.syncCorosyncConf(false);
        return raiseVersion();
    }

    @Override
    public void cleanup() {
        transfer = null;
    }

    /** The verify checksum (dcdb_checksum). */
    @Override
    public byte[] checksum() {
        return db.checksum();
    }
}
