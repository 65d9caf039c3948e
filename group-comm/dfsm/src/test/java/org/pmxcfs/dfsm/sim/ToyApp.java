package org.pmxcfs.dfsm.sim;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.pmxcfs.dfsm.DfsmCallbacks;
import org.pmxcfs.dfsm.MemberId;

/**
 * The dfsm callbacks of the toy, shaped like dcdb's: the leader is the member with the highest
 * version, then the newest mtime, then the first in member order; members with the leader's
 * exact state bytes are synced; the leader sends its whole log in UPDATE chunks; a commit
 * rebuilds the state from them and checks it against the leader's state bytes.
 */
final class ToyApp implements DfsmCallbacks {

    static final int SUBTYPE = 1;
    private static final int CHUNK = 16;

    private final ToyStore store;
    private final BooleanSupplier quorate;
    private byte[] leaderState;
    private final List<byte[]> updates = new ArrayList<>();
    /** Last leader chosen here (for tests). */
    MemberId lastLeader;
    int commits;
    /** Receives a line per applied operation and commit, when tracing. */
    java.util.function.Consumer<String> trace;

    ToyApp(ToyStore store, BooleanSupplier quorate) {
        this.store = store;
        this.quorate = quorate;
    }

    static byte[] encodeOp(int kind, long id, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 8 + k.length).put((byte) kind).putLong(id).put(k).array();
    }

    @Override
    public int deliver(MemberId sender, int subtype, long msgTime, byte[] payload) {
        if (subtype != SUBTYPE || payload.length < 9) {
            throw new IllegalArgumentException("bad toy message");
        }
        ByteBuffer b = ByteBuffer.wrap(payload);
        int kind = b.get();
        long id = b.getLong();
        String key = new String(payload, 9, payload.length - 9, StandardCharsets.UTF_8);
        int r = store.apply(kind, id, key, sender.nodeId(), msgTime);
        if (trace != null) {
            trace.accept("applies #" + id + " from " + sender + " = " + r + " -> v" + store.version());
        }
        return r;
    }

    @Override
    public boolean isQuorate() {
        return quorate.getAsBoolean();
    }

    @Override
    public byte[] getState() {
        return store.stateBytes();
    }

    @Override
    public boolean processStateUpdate(List<MemberState> states, SyncRound round) {
        MemberState leader = null;
        for (MemberState s : states) {
            if (leader == null) {
                leader = s;
                continue;
            }
            long v = ToyStore.versionOf(s.state());
            long lv = ToyStore.versionOf(leader.state());
            if (v > lv || (v == lv && ToyStore.mtimeOf(s.state()) > ToyStore.mtimeOf(leader.state()))) {
                leader = s;
            }
        }
        leaderState = leader.state();
        lastLeader = leader.member();
        if (trace != null) {
            StringBuilder b = new StringBuilder("leader " + leader.member() + " of");
            for (MemberState s : states) {
                b.append(' ').append(s.member()).append(":v").append(ToyStore.versionOf(s.state()));
            }
            trace.accept(b.toString());
        }
        for (MemberState s : states) {
            if (Arrays.equals(s.state(), leaderState)) {
                round.markSynced(s.member());
            }
        }
        if (leader.member().equals(round.self())) {
            for (byte[] chunk : store.encodeChunks(CHUNK)) {
                round.sendUpdate(chunk);
            }
            return round.sendUpdateComplete();
        }
        return true;
    }

    @Override
    public boolean processUpdate(MemberId sender, byte[] payload) {
        updates.add(payload);
        return true;
    }

    @Override
    public boolean commit() {
        List<ToyStore.Entry> entries = new ArrayList<>();
        for (byte[] u : updates) {
            entries.addAll(ToyStore.decodeChunk(u));
        }
        if (entries.size() != ToyStore.versionOf(leaderState)
                || !Arrays.equals(ToyStore.digestOf(entries), Arrays.copyOfRange(leaderState, 16, 48))) {
            return false; // like dcdb: the result must equal the leader's index exactly
        }
        List<ToyStore.Entry> before = store.log();
        if (before.size() > entries.size() || !entries.subList(0, before.size()).equals(before)) {
            store.discards++; // our log was not a prefix of the leader's: some of our history is dropped
        }
        if (trace != null) {
            trace.accept("commits leader state v" + entries.size() + " over v" + before.size());
        }
        store.replace(entries, ToyStore.mtimeOf(leaderState));
        commits++;
        return true;
    }

    @Override
    public void cleanup() {
        leaderState = null;
        updates.clear();
    }

    @Override
    public byte[] checksum() {
        return store.digest();
    }
}
