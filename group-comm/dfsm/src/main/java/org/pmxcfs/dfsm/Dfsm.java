package org.pmxcfs.dfsm;

import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.pmxcfs.dfsm.DfsmMessage.Normal;
import org.pmxcfs.dfsm.DfsmMessage.State;
import org.pmxcfs.dfsm.DfsmMessage.StateMessage;
import org.pmxcfs.dfsm.DfsmMessage.SyncStart;
import org.pmxcfs.dfsm.DfsmMessage.Update;
import org.pmxcfs.dfsm.DfsmMessage.UpdateComplete;
import org.pmxcfs.dfsm.DfsmMessage.Verify;
import org.pmxcfs.dfsm.DfsmMessage.VerifyRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distributed finite state machine of pmxcfs (follows {@code dfsm.c}): keeps one replicated
 * application state ({@link DfsmCallbacks}) identical on every member of a {@link Transport}
 * group, by applying normal messages in the group's total order and, after every membership
 * change, transferring the newest state (the leader's) to the members that differ.
 *
 * <p><b>Protocol</b> (reference 3.2). On every view change: a new local epoch, the member table
 * rebuilt, mode {@link DfsmMode#START_SYNC}, and the first member (lowest node id) multicasts
 * SYNC_START; every member answers with STATE; when all states of the round are in, every member
 * calls {@link DfsmCallbacks#processStateUpdate}, the leader multicasts UPDATEs and
 * UPDATE_COMPLETE; synced members go {@link DfsmMode#SYNCED} at once, the others
 * {@link DfsmMode#UPDATE} and commit on UPDATE_COMPLETE. Alone in a view, a member is synced at
 * once. VERIFY_REQUEST/VERIFY compare checksums periodically; a member with a different checksum
 * leaves and resyncs. A message with a newer protocol version is fatal
 * ({@link DfsmMode#VERSION_ERROR}); an older one is ignored.
 *
 * <p><b>Normal messages</b> are applied as they arrive while every member of the view is synced;
 * otherwise they are queued in delivery order and applied when everybody is, so every member
 * applies the same messages in the same order on top of the same state. Differences from the
 * original, because our transport guarantees less than corosync's extended virtual synchrony
 * (members of a view may miss its tail), and because the simulation found the original's
 * acknowledged writes lost without any tail loss:
 * <ul>
 *   <li>Synced members also queue while any member of the view is not synced (from the
 *       round's last STATE until UPDATE_COMPLETE), instead of applying messages from synced
 *       senders at once. Otherwise, when the view changes before UPDATE_COMPLETE, the synced
 *       members keep writes that the others dropped, their version runs ahead, and at a later
 *       merge "highest version wins" makes one of them leader over a majority that went on
 *       acknowledging writes, which are then thrown away.</li>
 *   <li>The queue is discarded at every view change. The original keeps it and, when someone
 *       joined, re-sends its own queued messages. With tail loss that re-send can apply a
 *       message twice (a member applied it before the view change, the sender re-sends it
 *       after), and keeping queues of members that saw different tails makes them apply
 *       different messages. Whatever a member applied reaches the others through the next
 *       state transfer instead. Our own messages not yet applied here at a view change are
 *       <em>in doubt</em> until the next round ends: every STATE carries the sender's
 *       {@link AppliedLog} (which messages its state holds, with their results), every member
 *       takes the union of the synced members' logs with the leader's state, and then a
 *       message in doubt is either known applied (its writer gets the recorded result), or
 *       sent again with the same counter (a message whose counter the log holds is never
 *       applied twice), or, without quorum, {@link SendResult.Outcome#ABORTED}.</li>
 *   <li>The queue is kept in delivery order, not sorted by the per-sender counter
 *       (see {@link MessageQueue}), and there is no second "sync queue".</li>
 *   <li>Only the first member of the view (lowest node id, then lowest pid) starts a sync
 *       round; the original lets every member with the lowest node id do it.</li>
 *   <li>{@link #send} waits a bounded time; the original waits forever.</li>
 *   <li>Writes applied after a round are acknowledged once every member's two barriers of the
 *       round came back (see {@code barrierDelivered}; the application hears
 *       {@link DfsmCallbacks#roundAgreed} in between); a message in doubt is sent again only within the
 *       resend window and only if no restarted process may hold it unknowingly
 *       ({@link AppliedLog}); without quorum it is given up even if the shared state holds it.</li>
 * </ul>
 *
 * <p><b>Threads.</b> Transport events and {@link #tick()} run under one lock and call the
 * callbacks with it held. {@link #submit} and {@link #send} may be called from any thread;
 * {@link #submit} also from a callback. The transport is joined and left outside the lock, and
 * only from {@link #start()}, {@link #stop()} and {@link #tick()}, never from inside a transport
 * callback.
 */
public final class Dfsm {


    /**
     * Tunables.
     *
     * @param verifyPeriod how often the lowest synced member asks for checksums
     *     ({@code DCDB_VERIFY_TIME}, 3600 s)
     * @param restartDelay how long after leaving (mode {@link DfsmMode#LEAVE}) the dfsm rejoins;
     *     the original re-initialises a failed service after at least 5 s
     * @param resendWindow how long after it was first sent a message caught by a membership
     *     change may be sent again; older ones are given up (ABORTED). For this long after its
     *     start a process's applied log may miss messages its state holds (see
     *     {@link AppliedLog}); it must outlast the writers' time limits to be of use
     */
    public record Options(Duration verifyPeriod, Duration restartDelay, Duration resendWindow) {
        /** The default {@link #resendWindow}: twice the daemon's default write timeout. */
        public static final Duration RESEND_WINDOW = Duration.ofSeconds(60);
        public static final Options DEFAULT = new Options(Duration.ofSeconds(3600), Duration.ofSeconds(5));

        public Options {
            Objects.requireNonNull(verifyPeriod);
            Objects.requireNonNull(restartDelay);
            Objects.requireNonNull(resendWindow);
        }

        public Options(Duration verifyPeriod, Duration restartDelay) {
            this(verifyPeriod, restartDelay, RESEND_WINDOW);
        }
    }

    private final Logger log;
    private final long protocolVersion;
    private final Transport transport;
    private final DfsmCallbacks callbacks;
    private final Clock clock;
    private final Options options;

    /** Guards all protocol state below; held while callbacks run. */
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Held while a normal message gets its counter and is multicast, so counters leave in
     * order, and while {@link #mode} or {@link #joined} change, so a writer either sees the
     * change or is registered before the pending writers are aborted.
     */
    private final Object sendLock = new Object();
    private final PendingSends pending = new PendingSends();
    private final SyncRounds syncRounds = new SyncRounds();

    private volatile DfsmMode mode = DfsmMode.START;
    private volatile boolean joined;
    private volatile List<MemberId> memberList = List.of();
    private long msgCount; // guarded by sendLock

    private GroupListener activeListener;
    private MemberId self;
    private MemberTable members;
    private long localEpochCounter;
    private Epoch syncEpoch = Epoch.NONE;
    private boolean roundActive;
    private boolean inStateUpdate;
    private final MessageQueue queue = new MessageQueue();
    /** What the shared state holds (see {@link AppliedLog}); guarded by {@link #lock}. */
    private final AppliedLog applied = new AppliedLog();
    /** Our own messages caught by a membership change, resolved when the next sync round ends. */
    private final List<PendingSends.Entry> inDoubt = new java.util.ArrayList<>();
    /**
     * Our messages applied at the end of a sync round (from the queue, or found in the shared
     * state), with their results: their writers learn them once our barrier is delivered (see
     * {@link #onAllSynced}); at a view change before that they are in doubt again.
     */
    private final List<Unstable> unstable = new java.util.ArrayList<>();
    /** True from processing the end of a round until its completions are handed to {@link #unstable}. */
    private boolean roundEnding;

    /** The members whose barrier of the current phase (see {@link #barrierDelivered}) was delivered here. */
    private final java.util.Set<MemberId> barriers = new java.util.HashSet<>();
    /** Whether every member's first barrier of the current round was delivered here (or we are alone). */
    private boolean roundAgreed;
    /**
     * Whether every member's second barrier was delivered here (or we are alone): until then,
     * our messages applied here wait with their results (see {@link #barrierDelivered}).
     */
    private boolean roundSettled;

    /** One of our messages applied at a round's end, waiting for the barrier. */
    private record Unstable(PendingSends.Entry entry, int result) {}

    private byte[] csum;
    private Epoch csumEpoch = Epoch.NONE;
    private long csumId;
    private long csumCounter;
    private long lastVerifyMillis;
    private long leftAtMillis;
    /** Until when (by our clock) {@link #applied} may miss messages our state holds (see {@link AppliedLog}). */
    private long uncoveredUntil;

    /**
     * @param logDomain log category, as the original's log domains ("dcdb", "status")
     * @param protocolVersion written into every message; dcdb 1, kvstore 0
     */
    public Dfsm(String logDomain, long protocolVersion, Transport transport, DfsmCallbacks callbacks, Clock clock,
            Options options) {
        this.log = LoggerFactory.getLogger(logDomain);
        this.protocolVersion = protocolVersion;
        this.transport = Objects.requireNonNull(transport);
        this.callbacks = Objects.requireNonNull(callbacks);
        this.clock = Objects.requireNonNull(clock);
        this.options = Objects.requireNonNull(options);
        this.lastVerifyMillis = clock.millis();
        this.uncoveredUntil = clock.millis() + options.resendWindow().toMillis();
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Joins the group (mode {@link DfsmMode#START} until the first view). Also used after
     * {@link #stop()}; not possible in {@link DfsmMode#ERROR} or {@link DfsmMode#VERSION_ERROR}.
     */
    public void start() throws Exception {
        GroupListener l;
        lock.lock();
        try {
            if (joined) {
                throw new IllegalStateException("already joined");
            }
            if (!restartable()) {
                throw new IllegalStateException("not restartable in mode " + mode);
            }
            l = prepareJoin();
        } finally {
            lock.unlock();
        }
        joinTransport(l);
    }

    /** Leaves the group; pending writers get {@link SendResult.Outcome#ABORTED}. */
    public void stop() {
        lock.lock();
        try {
            if (!joined) {
                return;
            }
            detach();
            if (!mode.isError()) {
                synchronized (sendLock) {
                    mode = DfsmMode.START;
                }
            }
        } finally {
            lock.unlock();
        }
        transport.leave();
    }

    /**
     * Drives time: call it regularly (the daemon: every second). Sends VERIFY_REQUEST every
     * {@link Options#verifyPeriod}, leaves the group after an error mode was entered, and
     * rejoins {@link Options#restartDelay} after a {@link DfsmMode#LEAVE}.
     */
    public void tick() {
        boolean leave = false;
        GroupListener rejoin = null;
        lock.lock();
        try {
            long now = clock.millis();
            if (mode.isError()) {
                if (joined) {
                    detach();
                    leftAtMillis = now;
                    leave = true;
                } else if (mode == DfsmMode.LEAVE && now - leftAtMillis >= options.restartDelay().toMillis()) {
                    rejoin = prepareJoin();
                }
            } else if (now - lastVerifyMillis >= options.verifyPeriod().toMillis()) {
                lastVerifyMillis = now;
                verifyRequest();
            }
        } finally {
            lock.unlock();
        }
        if (leave) {
            transport.leave();
        }
        if (rejoin != null) {
            try {
                joinTransport(rejoin);
            } catch (Exception e) {
                log.error("can't initialize service: {}", e.toString());
                lock.lock();
                try {
                    leftAtMillis = clock.millis();
                    setMode(DfsmMode.LEAVE);
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private GroupListener prepareJoin() {
        synchronized (sendLock) {
            mode = DfsmMode.START; // the only way out of LEAVE: a restart, as dfsm_initialize
            joined = true;
        }
        log.info("start cluster connection");
        self = transport.self();
        members = null;
        memberList = List.of();
        activeListener = new GroupListener();
        return activeListener;
    }

    private void joinTransport(GroupListener l) throws Exception {
        try {
            transport.join(l);
        } catch (Exception e) {
            lock.lock();
            try {
                if (activeListener == l) {
                    detach();
                }
            } finally {
                lock.unlock();
            }
            throw e;
        }
    }

    /** Stops listening and drops everything tied to the membership. Lock held. */
    private void detach() {
        synchronized (sendLock) {
            joined = false;
        }
        activeListener = null;
        endRound();
        discardQueue();
        abortWaiting();
        members = null;
        memberList = List.of();
    }

    // ---------------------------------------------------------------- queries

    /** The current mode. */
    public DfsmMode mode() {
        return mode;
    }

    /** The synchronisation rounds so far (for metrics). */
    public SyncRounds.Snapshot syncRounds() {
        return syncRounds.snapshot();
    }

    /** Whether the service may be started again (not in ERROR or VERSION_ERROR); {@code dfsm_restartable}. */
    public boolean restartable() {
        return mode != DfsmMode.ERROR && mode != DfsmMode.VERSION_ERROR;
    }

    /** The members of the current view, sorted; empty before the first view. */
    public List<MemberId> members() {
        return memberList;
    }

    /**
     * Whether this member is the first of the view, i.e. has the lowest node id
     * ({@code dfsm_lowest_nodeid}); dcdb answers unlock requests only there.
     */
    public boolean isLowestNodeId() {
        List<MemberId> m = memberList;
        return !m.isEmpty() && m.get(0).equals(transport.self());
    }

    /** Puts the dfsm into the permanent {@link DfsmMode#ERROR} ({@code dfsm_set_errormode}). */
    public void setErrorMode() {
        lock.lock();
        try {
            setMode(DfsmMode.ERROR);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- write path

    /**
     * Multicasts a normal message and returns at once; the future completes when this node has
     * applied it ({@link SendResult.Outcome#APPLIED}), or with another outcome when it will not.
     * Cancel the future when you stop waiting (the message may still be applied): a message lost
     * in a membership change never completes it. May be called from a callback.
     */
    public CompletableFuture<SendResult> submit(int subtype, byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        synchronized (sendLock) {
            if (!joined || mode.isError()) {
                return CompletableFuture.completedFuture(SendResult.NOT_SENT);
            }
            long count = ++msgCount;
            byte[] bytes = encodeNormal(subtype, count, payload); // may throw: before registering
            CompletableFuture<SendResult> f = pending.register(count, bytes, clock.millis());
            if (!multicast(bytes)) {
                pending.complete(count, SendResult.NOT_SENT);
            }
            return f;
        }
    }

    /**
     * Multicasts a normal message without waiting for any result ({@code dfsm_send_message}):
     * for messages whose sender does not care (dcdb's UNLOCK, kvstore updates). May be called
     * from a callback.
     *
     * @return false if it was not sent (not joined, error mode, transport refused)
     */
    public boolean post(int subtype, byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        synchronized (sendLock) {
            return joined && !mode.isError() && multicast(encodeNormal(subtype, ++msgCount, payload));
        }
    }

    private byte[] encodeNormal(int subtype, long count, byte[] payload) {
        return DfsmCodec.encode(new Normal(subtype, nowSeconds(), count, payload), protocolVersion);
    }

    /** A normal message; sendLock held, so counters go out in order. */
    private boolean multicast(byte[] bytes) {
        if (!transport.multicast(bytes)) {
            log.error("cpg_send_message failed");
            return false;
        }
        return true;
    }

    /**
     * Multicasts a normal message and waits until this node has applied it, at most
     * {@code timeout} ({@code dfsm_send_message_sync}, which waits forever). Not from a
     * callback: the delivery it waits for would have to be made by the calling thread.
     */
    public SendResult send(int subtype, byte[] payload, Duration timeout) {
        if (lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("send() from a dfsm callback would wait for itself; use submit()");
        }
        CompletableFuture<SendResult> f = submit(subtype, payload);
        try {
            return f.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return f.cancel(false) ? SendResult.TIMED_OUT : f.getNow(SendResult.TIMED_OUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return f.cancel(false) ? SendResult.TIMED_OUT : f.getNow(SendResult.TIMED_OUT);
        } catch (ExecutionException | CancellationException e) {
            return SendResult.ABORTED;
        }
    }

    // ---------------------------------------------------------------- verification

    /**
     * Starts a verification round if this is the first member, synced, and the previous round
     * came back ({@code dfsm_verify_request}); {@link #tick()} calls it every verify period.
     */
    public void verifyRequest() {
        lock.lock();
        try {
            if (members == null || mode != DfsmMode.SYNCED || !members.first().equals(self)) {
                return;
            }
            if (csumCounter != csumId) {
                log.info("delay verify request {}", String.format("%016X", csumCounter + 1));
                return;
            }
            csumCounter++;
            log.debug("send verify request {}", String.format("%016X", csumCounter));
            if (!sendState(new VerifyRequest(nowSeconds(), syncEpoch, csumCounter))) {
                log.error("failed to send VERIFY_REQUEST message");
            }
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- transport events

    /** One listener per join, so events of an earlier membership are recognised and dropped. */
    private final class GroupListener implements Transport.Listener {
        @Override
        public void viewChanged(List<MemberId> view) {
            lock.lock();
            try {
                if (activeListener == this) {
                    onView(view);
                }
            } catch (RuntimeException e) {
                log.error("view change handling failed: {}", e.toString(), e);
                setMode(DfsmMode.LEAVE);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void deliver(MemberId sender, byte[] message) {
            lock.lock();
            try {
                if (activeListener == this) {
                    onMessage(sender, message);
                }
            } catch (RuntimeException e) {
                log.error("message handling failed: {}", e.toString(), e);
                setMode(DfsmMode.LEAVE);
            } finally {
                lock.unlock();
            }
        }
    }

    /** {@code dfsm_cpg_confchg_callback}. */
    private void onView(List<MemberId> view) {
        localEpochCounter++;
        syncEpoch = new Epoch(localEpochCounter, nowSeconds(), self.nodeId(), self.pid());
        csumId = csumCounter; // invalidate the saved checksum
        csumEpoch = Epoch.NONE;
        endRound();
        discardQueue();
        // Our messages not applied here yet may or may not have been applied elsewhere: the
        // transport drops old-view messages once the view changed (ViewSyncedDelivery's view
        // stamp), but other members may have applied them before. The next sync round tells
        // (the applied logs in the STATEs): their writers then get the result, or the message
        // is sent again.
        inDoubt.addAll(pending.drain());
        unstable.forEach(u -> inDoubt.add(u.entry()));
        unstable.clear();

        if (mode.isError()) {
            log.debug("already left group - ignore view change");
            return;
        }
        MemberTable table = new MemberTable(view);
        barriers.clear();
        roundAgreed = table.size() == 1;
        roundSettled = roundAgreed;
        if (table.contains(self) || mode != DfsmMode.START) {
            log.info("members: {}", table);
        }
        members = table;
        memberList = table.members();

        if (!table.contains(self)) {
            if (mode == DfsmMode.START) {
                log.debug("ignore view without us");
                return;
            }
            log.info("we ({}) left the process group", self);
            setMode(DfsmMode.LEAVE);
            return;
        }
        if (table.size() > 1) {
            setMode(DfsmMode.START_SYNC);
            if (table.first().equals(self) && !sendState(new SyncStart(nowSeconds(), syncEpoch))) {
                log.error("failed to send SYNC_START message");
                setMode(DfsmMode.LEAVE);
                return;
            }
        } else {
            table.markSynced(self);
            setMode(DfsmMode.SYNCED);
        }
        if (!mode.isError()) {
            callbacks.membersChanged(table.members());
        }
        if (mode == DfsmMode.SYNCED) {
            onAllSynced(); // alone: our own log is the state's
        }
    }

    /** {@code dfsm_cpg_deliver_callback}. */
    private void onMessage(MemberId sender, byte[] bytes) {
        if (mode.isError()) {
            log.debug("error mode - ignoring message");
            return;
        }
        if (members == null || mode == DfsmMode.START) {
            log.warn("message from {} before our first view - ignored", sender);
            return;
        }
        DfsmMessage msg;
        try {
            long version = DfsmCodec.protocolVersion(bytes);
            if (version > protocolVersion) {
                log.error("received message with protocol version {}", version);
                setMode(DfsmMode.VERSION_ERROR);
                return;
            }
            if (version < protocolVersion) {
                log.info("ignore message with wrong protocol version {}", version);
                return;
            }
            msg = DfsmCodec.decode(bytes);
        } catch (MalformedMessageException e) {
            log.error("{} from {}", e.getMessage(), sender);
            setMode(DfsmMode.LEAVE);
            return;
        }

        if (msg instanceof Normal n) {
            if (mode == DfsmMode.SYNCED && members.allSynced()) {
                apply(sender, n);
            } else {
                log.debug("queue message {} (subtype = {}, length = {})", n.count(), n.subtype(), n.payload().length);
                queue.add(sender, n);
            }
            return;
        }

        StateMessage sm = (StateMessage) msg;
        if (!(sm instanceof SyncStart) && !sm.epoch().equals(syncEpoch)) {
            log.debug("ignore message ({}) with wrong epoch {}", sm.type(), sm.epoch());
            return;
        }
        switch (mode) {
            case SYNCED -> onStateMessageSynced(sender, sm);
            case START_SYNC -> onStateMessageStartSync(sender, sm);
            case UPDATE -> onStateMessageUpdate(sender, sm);
            default -> throw new IllegalStateException("unexpected mode " + mode);
        }
    }

    private void onStateMessageSynced(MemberId sender, StateMessage sm) {
        if (sm instanceof UpdateComplete) {
            // The unsynced members have the leader's state now and apply the queue, as we do.
            members.markAllSynced();
            onAllSynced();
        } else if (sm instanceof VerifyRequest r) {
            log.debug("got verify request from node {} {}", sender, String.format("%016X", r.id()));
            byte[] c = callbacks.checksum();
            if (c == null || c.length != DfsmCodec.CHECKSUM_SIZE) {
                log.error("unable to compute data checksum");
                setMode(DfsmMode.LEAVE);
                return;
            }
            csum = c;
            csumEpoch = r.epoch();
            csumId = r.id();
            if (sender.equals(self) && !sendState(new Verify(nowSeconds(), syncEpoch, csumId, csum))) {
                setMode(DfsmMode.LEAVE);
            }
        } else if (sm instanceof Verify v) {
            if (csumId == v.id() && csumEpoch.equals(v.epoch())) {
                if (!java.util.Arrays.equals(csum, v.checksum())) {
                    log.error("wrong checksum {} != {} - restarting", hex8(v.checksum()), hex8(csum));
                    setMode(DfsmMode.LEAVE);
                } else {
                    log.info("data verification successful");
                }
            } else {
                log.info("skip verification - no checksum saved");
            }
        } else if (sm instanceof Update u && u.payload().length == 0) {
            barrierDelivered(sender);
        } else {
            // SYNC_START, STATE, UPDATE: we already have everything (or are the leader)
            log.debug("ignore state sync message {}", sm.type());
        }
    }

    private void onStateMessageStartSync(MemberId sender, StateMessage sm) {
        if (sm instanceof SyncStart s) {
            if (!sender.equals(members.first())) {
                log.error("sync request from unexpected member {} (expected {})", sender, members.first());
            }
            log.info("received sync request (epoch {})", s.epoch());
            syncEpoch = s.epoch();
            members.clearStates();
            byte[] state = callbacks.getState();
            if (state == null) {
                log.error("get_state failed");
                setMode(DfsmMode.LEAVE);
                return;
            }
            if (!sendState(new State(nowSeconds(), syncEpoch, state, applied.uncovered(uncoveredMillis())))) {
                setMode(DfsmMode.LEAVE);
            }
        } else if (sm instanceof State s) {
            if (!members.contains(sender)) {
                log.error("received state for non-member {}", sender);
                setMode(DfsmMode.LEAVE);
                return;
            }
            if (!members.setState(sender, s.payload(), s.applied())) {
                log.error("received duplicate state for member {}", sender);
                setMode(DfsmMode.LEAVE);
                return;
            }
            if (members.allStatesReceived()) {
                log.info("received all states");
                processStateUpdate();
            }
        } else if (sm instanceof VerifyRequest || sm instanceof Verify) {
            log.debug("ignore verify message {} while not synced", sm.type());
        } else {
            log.error("received unexpected state message {} while waiting for states", sm.type());
            setMode(DfsmMode.LEAVE);
        }
    }

    private void processStateUpdate() {
        roundActive = true;
        inStateUpdate = true;
        boolean ok;
        try {
            ok = callbacks.processStateUpdate(members.states(), new Round());
        } finally {
            inStateUpdate = false;
        }
        if (!ok) {
            log.error("process_state_update failed");
            setMode(DfsmMode.LEAVE);
            return;
        }
        // Every member takes the synced members' applied logs together with their state: the
        // synced ones now, the others at their commit (a round cut short leaves a member with
        // its old state and its old log).
        if (members.isSynced(self)) {
            adoptSyncedLogs();
            setMode(DfsmMode.SYNCED);
            endRound();
            if (members.allSynced()) {
                onAllSynced();
            }
        } else {
            setMode(DfsmMode.UPDATE);
        }
    }

    private void onStateMessageUpdate(MemberId sender, StateMessage sm) {
        if (sm instanceof Update u) {
            if (!callbacks.processUpdate(sender, u.payload())) {
                log.error("process_update failed");
                setMode(DfsmMode.LEAVE);
            }
        } else if (sm instanceof UpdateComplete) {
            if (!callbacks.commit()) {
                log.error("commit failed");
                setMode(DfsmMode.LEAVE);
                return;
            }
            adoptSyncedLogs();
            members.markAllSynced();
            setMode(DfsmMode.SYNCED);
            onAllSynced();
            endRound();
        } else if (sm instanceof SyncStart || sm instanceof VerifyRequest || sm instanceof Verify) {
            log.debug("ignore {} while waiting for updates", sm.type());
        } else {
            log.error("received unexpected state message {} while waiting for updates", sm.type());
            setMode(DfsmMode.LEAVE);
        }
    }

    /** Takes the union of the synced members' applied logs, with the state they hold. */
    private void adoptSyncedLogs() {
        applied.replaceWith(members.syncedUnion());
        uncoveredUntil = clock.millis() + applied.uncoveredMillis();
    }

    private long uncoveredMillis() {
        return Math.max(0, uncoveredUntil - clock.millis());
    }

    /** Applies one normal message, or leaves the group if this node is not quorate. */
    private boolean apply(MemberId sender, Normal n) {
        boolean own = sender.equals(self);
        if (!callbacks.isQuorate()) {
            log.error("received write from {} while not quorate - trigger resync", sender);
            setMode(DfsmMode.LEAVE);
            return false;
        }
        Integer earlier = applied.result(sender, n.count());
        if (earlier != null) {
            // a re-send whose original was applied after all (or the other way round)
            log.debug("message {} from {} already applied", n.count(), sender);
            if (own) {
                completeOwn(n.count(), earlier);
            }
            return true;
        }
        int result = callbacks.deliver(sender, n.subtype(), n.time(), n.payload());
        applied.record(sender, n.count(), result);
        if (own) {
            completeOwn(n.count(), result);
        }
        return true;
    }

    /**
     * Our message {@code count} is applied here. Applied as delivered, enough members of the
     * view have it (the transport delivers our own messages only then) and apply it at the same
     * place. Applied at a round's end, or before the round is agreed, it waits for the barriers.
     */
    private void completeOwn(long count, int result) {
        if (!roundEnding && roundSettled) {
            pending.complete(count, SendResult.applied(result));
            return;
        }
        PendingSends.Entry e = pending.take(count);
        if (e != null) {
            unstable.add(new Unstable(e, result));
        }
    }

    /**
     * Every member is synced: settle our messages caught by the membership change, then apply
     * the queue. What this tells our writers waits for a barrier (an empty UPDATE of this round,
     * which every synced member ignores) to come back: the message that ended the round here
     * (the leader's UPDATE_COMPLETE, the last STATE) may be one its own sender is still holding
     * back until enough members have it, and gives up if the view changes first; then the others
     * never apply the queue, and a write acknowledged here would be lost when their state wins.
     * Our barrier is delivered only after enough members delivered everything before it, the end
     * of the round included (the simulation found this). Every member sends one, and our
     * writers wait for all of them (see {@link #barrierDelivered}).
     */
    private void onAllSynced() {
        roundEnding = true;
        try {
            resolveInDoubt();
            applyQueue();
        } finally {
            roundEnding = false;
        }
        boolean barrier = members.size() > 1 || !unstable.isEmpty();
        if (barrier && !sendState(new Update(nowSeconds(), syncEpoch, new byte[0]))) {
            log.warn("cannot send the barrier: {} writes wait for the next membership change", unstable.size());
        }
    }

    /**
     * A member's barrier (an empty UPDATE: the leader's UPDATEs are never empty). Each member
     * sends two. The first says it completed the round; once every member's is delivered here,
     * the round is agreed: the application is told ({@link DfsmCallbacks#roundAgreed}) and we
     * send the second, which says so. Once every member's second barrier is delivered here, our
     * writers learn the results of what was applied since the round's end. Before the first
     * phase, a member that completed the round alone may lead a later round with what it applied
     * on top; before the second, a member holding our write may not know the round is agreed,
     * and lose the election to one that knows an earlier agreed round. Either way a write
     * acknowledged here could be lost (the simulation found both). The total order tells the
     * phases apart: every first barrier comes before any second one.
     */
    private void barrierDelivered(MemberId sender) {
        barriers.add(sender);
        if (!roundAgreed) {
            if (barriers.containsAll(members.members())) {
                roundAgreed = true;
                barriers.clear();
                callbacks.roundAgreed();
                if (!sendState(new Update(nowSeconds(), syncEpoch, new byte[0]))) {
                    log.warn("cannot send the second barrier: {} writes wait for the next membership change",
                            unstable.size());
                }
            }
            return;
        }
        roundSettled |= barriers.containsAll(members.members());
        if (roundSettled && barriers.contains(self)) {
            releaseUnstable();
        }
    }

    /** The round's end is stable, agreed and known to be: our writers learn their results. */
    private void releaseUnstable() {
        List<Unstable> list = List.copyOf(unstable);
        unstable.clear();
        list.forEach(u -> u.entry().future().complete(SendResult.applied(u.result())));
    }

    /**
     * Our messages caught by a membership change: applied in the state we now share (the
     * writer gets that result), or sent again (same counter, so a late original and the re-send
     * are applied once), or, without quorum, given up (ABORTED). Without quorum even a message
     * the shared state holds is given up: a minority's state loses to the majority's at the
     * heal, and the write with it (the simulation found this: an acknowledged write lost).
     */
    private void resolveInDoubt() {
        if (inDoubt.isEmpty()) {
            return;
        }
        List<PendingSends.Entry> list = List.copyOf(inDoubt);
        inDoubt.clear();
        boolean quorate = callbacks.isQuorate();
        for (PendingSends.Entry e : list) {
            if (e.future().isDone()) {
                continue; // the writer stopped waiting
            }
            Integer result = applied.result(self, e.count());
            if (!quorate) {
                e.future().complete(SendResult.ABORTED);
            } else if (result != null) {
                log.info("message {} was applied before the membership change", e.count());
                unstable.add(new Unstable(e, result));
            } else if (clock.millis() - e.sentMillis() + uncoveredMillis() >= options.resendWindow().toMillis()) {
                // a node that restarted since it was sent may hold it without knowing: sending
                // it again could apply it twice
                log.warn("message {} given up: it may be applied in a state restarted since", e.count());
                e.future().complete(SendResult.ABORTED);
            } else {
                log.info("sending message {} again: not applied before the membership change", e.count());
                synchronized (sendLock) {
                    pending.add(e);
                    if (!multicast(e.bytes())) {
                        pending.complete(e.count(), SendResult.NOT_SENT);
                    }
                }
            }
        }
    }

    /** Our messages caught by a membership change and everyone still waiting: not applied here. */
    private void abortWaiting() {
        unstable.forEach(u -> inDoubt.add(u.entry()));
        unstable.clear();
        List<PendingSends.Entry> list = List.copyOf(inDoubt);
        inDoubt.clear();
        list.forEach(e -> e.future().complete(SendResult.ABORTED));
        pending.completeAll(SendResult.ABORTED);
    }

    /**
     * Applies the queued messages in delivery order (called when every member is synced); stops
     * if one of them makes us leave.
     */
    private void applyQueue() {
        if (!queue.isEmpty()) {
            log.info("deliver queued messages: queue length {}", queue.size());
        }
        MessageQueue.Entry e;
        while (mode == DfsmMode.SYNCED && (e = queue.poll()) != null) {
            if (!apply(e.sender(), e.message())) {
                return;
            }
        }
    }

    /** Drops the queue (our own dropped messages stay with their writers: in doubt, or aborted by the caller). */
    private void discardQueue() {
        if (!queue.isEmpty()) {
            log.info("discarding {} queued messages", queue.size());
        }
        queue.clear();
    }

    /** Ends the sync round, if one reached processStateUpdate ({@code dfsm_release_sync_resources}). */
    private void endRound() {
        if (members != null) {
            members.clearStates();
        }
        if (roundActive) {
            roundActive = false;
            try {
                callbacks.cleanup();
            } catch (RuntimeException e) {
                // nothing depends on it: the next round starts from scratch anyway
                log.error("cleanup failed: {}", e.toString(), e);
            }
        }
    }

    /** Mode change with the original's log lines ({@code dfsm_set_mode}). */
    private void setMode(DfsmMode next) {
        DfsmMode prev = mode;
        if (prev == next || !prev.accepts(next)) {
            return;
        }
        synchronized (sendLock) {
            mode = next;
        }
        if (next == DfsmMode.START_SYNC) {
            syncRounds.started(System.nanoTime());
        } else if (next == DfsmMode.SYNCED) {
            syncRounds.completed(System.nanoTime());
        } else if (next.isError()) {
            syncRounds.abandoned();
        }
        switch (next) {
            case START -> log.info("start cluster connection");
            case START_SYNC -> log.info("starting data syncronisation");
            case SYNCED -> log.info("all data is up to date");
            case UPDATE -> log.info("waiting for updates from leader");
            case LEAVE -> log.error("leaving CPG group");
            case ERROR -> log.error("serious internal error - stop cluster connection");
            case VERSION_ERROR -> log.error("detected newer protocol - please update this node");
        }
        if (next.isError()) {
            // Nothing more is applied here until a restart and a full resync.
            discardQueue();
            abortWaiting();
            endRound();
        } else if (next == DfsmMode.SYNCED) {
            callbacks.synced();
        }
    }

    private boolean sendState(StateMessage m) {
        boolean ok = transport.multicast(DfsmCodec.encode(m, protocolVersion));
        if (!ok) {
            log.error("cpg_send_message failed ({})", m.type());
        }
        return ok;
    }

    private long nowSeconds() {
        return (clock.millis() / 1000) & 0xFFFFFFFFL;
    }

    private static String hex8(byte[] b) {
        return b == null ? "-" : HexFormat.of().formatHex(b, 0, 8);
    }

    /** The handle given to processStateUpdate; valid only during that call. */
    private final class Round implements DfsmCallbacks.SyncRound {
        @Override
        public MemberId self() {
            return self;
        }

        @Override
        public void markSynced(MemberId member) {
            check();
            members.markSynced(member);
        }

        @Override
        public boolean sendUpdate(byte[] payload) {
            check();
            return sendState(new Update(nowSeconds(), syncEpoch, payload));
        }

        @Override
        public boolean sendUpdateComplete() {
            check();
            return sendState(new UpdateComplete(nowSeconds(), syncEpoch));
        }

        private void check() {
            if (!inStateUpdate || !lock.isHeldByCurrentThread()) {
                throw new IllegalStateException("sync round handle used outside processStateUpdate");
            }
        }
    }
}
