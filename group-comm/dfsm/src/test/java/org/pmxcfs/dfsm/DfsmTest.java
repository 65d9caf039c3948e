package org.pmxcfs.dfsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.pmxcfs.dfsm.DfsmMessage.Normal;
import org.pmxcfs.dfsm.DfsmMessage.SyncStart;
import org.pmxcfs.dfsm.sim.SimClock;

/** The dfsm against a hand-driven transport: write path, error handling, mode rules. */
class DfsmTest {

    static final MemberId A = new MemberId(1, 100);
    static final MemberId B = new MemberId(2, 200);

    /** Applies messages to a list; state = the list's size. */
    static class RecordingApp implements DfsmCallbacks {
        final List<String> applied = new ArrayList<>();
        boolean quorate = true;
        int cleanups;
        int synceds;
        Dfsm dfsm;

        @Override
        public int deliver(MemberId sender, int subtype, long msgTime, byte[] payload) {
            applied.add(sender + ":" + new String(payload));
            return payload.length;
        }

        @Override
        public boolean isQuorate() {
            return quorate;
        }

        @Override
        public byte[] getState() {
            return new byte[] {(byte) applied.size()};
        }

        @Override
        public boolean processStateUpdate(List<MemberState> states, SyncRound round) {
            for (MemberState s : states) {
                round.markSynced(s.member());
            }
            return true;
        }

        @Override
        public boolean processUpdate(MemberId sender, byte[] payload) {
            return true;
        }

        @Override
        public boolean commit() {
            return true;
        }

        @Override
        public void cleanup() {
            cleanups++;
        }

        @Override
        public byte[] checksum() {
            return new byte[32];
        }

        @Override
        public void synced() {
            synceds++;
        }
    }

    final SimClock clock = new SimClock(1_700_000_000_000L);
    final ManualTransport transport = new ManualTransport(A);
    final RecordingApp app = new RecordingApp();
    final Dfsm dfsm = new Dfsm("test.dfsm", 1, transport, app, clock, Dfsm.Options.DEFAULT);

    private void startAlone() throws Exception {
        dfsm.start();
        assertEquals(DfsmMode.START, dfsm.mode());
        transport.view(A);
        assertEquals(DfsmMode.SYNCED, dfsm.mode());
        assertEquals(1, app.synceds);
    }

    @Test
    void aloneSyncedAndWritesApplyLocally() throws Exception {
        startAlone();
        transport.loopback = true;
        CompletableFuture<SendResult> f = dfsm.submit(7, "abc".getBytes());
        assertEquals(SendResult.applied(3), f.getNow(null));
        assertEquals(List.of("1/100:abc"), app.applied);
        Normal sent = (Normal) DfsmCodec.decode(transport.sent.get(0));
        assertEquals(7, sent.subtype());
        assertEquals(1, sent.count());
        assertEquals(clock.millis() / 1000, sent.time()); // the sender's clock travels in the header
    }

    @Test
    void notSentWhenNotJoinedOrTransportRefuses() throws Exception {
        assertEquals(SendResult.Outcome.NOT_SENT, dfsm.send(1, new byte[1], Duration.ofSeconds(1)).outcome());
        startAlone();
        transport.accept = false;
        assertEquals(SendResult.Outcome.NOT_SENT, dfsm.send(1, new byte[1], Duration.ofSeconds(1)).outcome());
    }

    @Test
    void boundedWait() throws Exception {
        startAlone(); // no loopback: the message never comes back
        long t0 = System.nanoTime();
        SendResult r = dfsm.send(1, new byte[1], Duration.ofMillis(200));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(SendResult.Outcome.TIMED_OUT, r.outcome());
        assertTrue(ms >= 150 && ms < 5000, "waited " + ms + " ms");
        // the late delivery is ignored (nobody waits any more) but still applied
        transport.deliver(A, transport.sent.get(0));
        assertEquals(1, app.applied.size());
    }

    @Test
    void waitingWriterIsReleasedWhenTheDfsmStops() throws Exception {
        startAlone();
        AtomicReference<SendResult> result = new AtomicReference<>();
        Thread writer = new Thread(() -> result.set(dfsm.send(1, new byte[1], Duration.ofSeconds(30))));
        writer.start();
        while (transport.sent.isEmpty()) {
            Thread.sleep(1);
        }
        dfsm.stop();
        writer.join(10_000);
        assertEquals(SendResult.Outcome.ABORTED, result.get().outcome());
        assertEquals(1, transport.leaves);
    }

    @Test
    void sendFromACallbackIsRefused() throws Exception {
        RecordingApp nested = new RecordingApp() {
            @Override
            public int deliver(MemberId sender, int subtype, long msgTime, byte[] payload) {
                dfsm.send(1, new byte[1], Duration.ofSeconds(1)); // would wait for itself
                return 0;
            }
        };
        ManualTransport t = new ManualTransport(A);
        Dfsm d = new Dfsm("test.dfsm", 1, t, nested, clock, Dfsm.Options.DEFAULT);
        nested.dfsm = d;
        d.start();
        t.view(A);
        t.deliver(B, DfsmCodec.encode(new Normal(1, 0, 1, new byte[1]), 1));
        assertEquals(DfsmMode.LEAVE, d.mode()); // the callback's exception makes it resync, not hang
    }

    @Test
    void malformedMessagesLeaveWithoutThrowing() throws Exception {
        startAlone();
        transport.deliver(B, new byte[3]);
        assertEquals(DfsmMode.LEAVE, dfsm.mode());
    }

    @Test
    void unknownTypeLeaves() throws Exception {
        startAlone();
        byte[] bad = DfsmCodec.encode(new SyncStart(0, Epoch.NONE), 1);
        bad[0] = 9;
        transport.deliver(B, bad);
        assertEquals(DfsmMode.LEAVE, dfsm.mode());
    }

    @Test
    void olderProtocolIgnoredNewerIsFatal() throws Exception {
        startAlone();
        transport.deliver(B, DfsmCodec.encode(new Normal(1, 0, 1, "old".getBytes()), 0));
        assertEquals(DfsmMode.SYNCED, dfsm.mode());
        assertTrue(app.applied.isEmpty());
        transport.deliver(B, DfsmCodec.encode(new Normal(1, 0, 1, "new".getBytes()), 2));
        assertEquals(DfsmMode.VERSION_ERROR, dfsm.mode());
        assertFalse(dfsm.restartable());
        // permanent: it leaves at the next tick and never comes back
        dfsm.tick();
        assertEquals(1, transport.leaves);
        clock.advance(3_600_000);
        dfsm.tick();
        assertEquals(1, transport.joins);
        assertEquals(DfsmMode.VERSION_ERROR, dfsm.mode());
        assertEquals(SendResult.Outcome.NOT_SENT, dfsm.submit(1, new byte[0]).getNow(null).outcome());
    }

    @Test
    void errorModesOnlyEscalate() throws Exception {
        startAlone();
        transport.deliver(B, new byte[3]); // -> LEAVE
        dfsm.setErrorMode();
        assertEquals(DfsmMode.ERROR, dfsm.mode());
        transport.deliver(B, DfsmCodec.encode(new Normal(1, 0, 1, new byte[0]), 2)); // ignored in error mode
        assertEquals(DfsmMode.ERROR, dfsm.mode());
    }

    @Test
    void notQuorateTriggersResyncInsteadOfApplying() throws Exception {
        startAlone();
        app.quorate = false;
        transport.loopback = true;
        CompletableFuture<SendResult> f = dfsm.submit(1, "x".getBytes());
        assertEquals(SendResult.Outcome.ABORTED, f.getNow(null).outcome());
        assertTrue(app.applied.isEmpty());
        assertEquals(DfsmMode.LEAVE, dfsm.mode());
        // LEAVE: leave at the next tick, rejoin after the restart delay (5 s by default)
        transport.loopback = false;
        dfsm.tick();
        assertEquals(1, transport.leaves);
        clock.advance(4_000);
        dfsm.tick();
        assertEquals(1, transport.joins);
        clock.advance(1_000);
        dfsm.tick();
        assertEquals(2, transport.joins);
        assertEquals(DfsmMode.START, dfsm.mode());
        app.quorate = true;
        transport.view(A);
        assertEquals(DfsmMode.SYNCED, dfsm.mode());
    }

    @Test
    void writesDuringSyncAreQueuedAndOwnSentAgainAfterAViewChange() throws Exception {
        clock.advance(Dfsm.Options.RESEND_WINDOW.toMillis()); // running long enough: the log covers the state
        dfsm.start();
        transport.view(A, B); // we are first: we send SYNC_START
        assertEquals(DfsmMode.START_SYNC, dfsm.mode());
        assertEquals(MessageType.SYNC_START, DfsmCodec.decode(transport.sent.get(0)).type());
        CompletableFuture<SendResult> f = dfsm.submit(1, "q".getBytes());
        byte[] original = transport.sent.get(1);
        transport.deliver(A, original); // our own message arrives: queued, not applied
        assertTrue(app.applied.isEmpty());
        assertFalse(f.isDone());
        transport.view(A); // membership changes before the sync completed: the queue is dropped
        assertEquals(DfsmMode.SYNCED, dfsm.mode());
        assertTrue(app.applied.isEmpty());
        assertFalse(f.isDone(), "in doubt: applied nowhere, so sent again");
        assertArrayEquals(original, transport.sent.get(transport.sent.size() - 1), "the same message, same counter");
        transport.deliver(A, original);
        assertEquals(SendResult.Outcome.APPLIED, f.getNow(null).outcome());
        transport.deliver(A, original); // a late second copy is not applied again
        assertEquals(List.of(A + ":q"), app.applied);
    }

    /**
     * A process that started less than the resend window ago may hold, from its disk, messages
     * its previous incarnation applied, and its applied log knows none of them: sending a
     * message again could apply it twice (simulation seed 19).
     */
    @Test
    void aMessageInDoubtIsGivenUpWhileTheLogMayMissPartOfTheState() throws Exception {
        dfsm.start();
        transport.view(A, B);
        CompletableFuture<SendResult> f = dfsm.submit(1, "q".getBytes());
        int sent = transport.sent.size();
        transport.view(A); // alone and quorate: our state is the shared one, our log just started
        assertEquals(SendResult.Outcome.ABORTED, f.getNow(null).outcome());
        assertEquals(sent, transport.sent.size(), "not sent again");
    }

    @Test
    void aMessageInDoubtIsGivenUpWithoutQuorum() throws Exception {
        dfsm.start();
        transport.view(A, B);
        CompletableFuture<SendResult> f = dfsm.submit(1, "q".getBytes());
        int sent = transport.sent.size();
        app.quorate = false;
        transport.view(A);
        assertEquals(SendResult.Outcome.ABORTED, f.getNow(null).outcome());
        assertEquals(sent, transport.sent.size(), "nothing sent again without quorum");
    }

    @Test
    void verifyOnlyFromTheFirstSyncedMemberEveryPeriod() throws Exception {
        Dfsm d = new Dfsm("test.dfsm", 1, transport, app, clock, new Dfsm.Options(Duration.ofSeconds(10), Duration.ofSeconds(5)));
        d.start();
        transport.view(A);
        transport.loopback = true;
        clock.advance(9_000);
        d.tick();
        assertTrue(transport.sent.isEmpty());
        clock.advance(1_000);
        d.tick(); // VERIFY_REQUEST, then (on its return) VERIFY
        assertEquals(MessageType.VERIFY_REQUEST, DfsmCodec.decode(transport.sent.get(0)).type());
        assertEquals(MessageType.VERIFY, DfsmCodec.decode(transport.sent.get(1)).type());
        assertEquals(DfsmMode.SYNCED, d.mode());
    }

    /** Clock used by the daemon; only checks that a real clock is accepted. */
    @Test
    void acceptsAnyClock() {
        new Dfsm("test.dfsm", 1, transport, app, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), Dfsm.Options.DEFAULT);
    }
}
