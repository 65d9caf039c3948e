package org.pmxcfs.dfsm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The members of the current view and what the running sync round knows about each: its state
 * and whether it is synced ({@code dfsm_sync_info_t}). Members are kept sorted by
 * {@link MemberId}, so every member walks the table in the same order.
 */
final class MemberTable {

    private static final class Slot {
        byte[] state;
        AppliedLog applied;
        boolean synced;
    }

    private final List<MemberId> members;
    private final Map<MemberId, Slot> slots = new LinkedHashMap<>();

    MemberTable(List<MemberId> view) {
        this.members = List.copyOf(new TreeSet<>(view));
        for (MemberId m : members) {
            slots.put(m, new Slot());
        }
    }

    List<MemberId> members() {
        return members;
    }

    int size() {
        return members.size();
    }

    boolean contains(MemberId m) {
        return slots.containsKey(m);
    }

    /**
     * The first member in (nodeid, pid) order: it has the lowest node id. It alone starts sync
     * rounds and verification, so two incarnations of one node id in a view (a restarted
     * process whose predecessor is not yet detected as gone) do not both do it.
     */
    MemberId first() {
        return members.get(0);
    }

    /** Records {@code m}'s state and applied log; false if it has a state already in this round. */
    boolean setState(MemberId m, byte[] state, AppliedLog applied) {
        Slot s = slots.get(m);
        if (s.state != null) {
            return false;
        }
        s.state = state;
        s.applied = applied;
        return true;
    }

    /**
     * The union of the synced members' applied logs: what the leader's state holds (the synced
     * members hold that state). Every member computes the same from the same round.
     */
    AppliedLog syncedUnion() {
        AppliedLog union = new AppliedLog();
        long uncovered = Long.MAX_VALUE;
        for (Slot s : slots.values()) {
            if (s.synced && s.applied != null) {
                union.addAll(s.applied);
                uncovered = Math.min(uncovered, s.applied.uncoveredMillis());
            }
        }
        union.trim(members);
        return union.uncovered(uncovered == Long.MAX_VALUE ? 0 : uncovered);
    }

    boolean allStatesReceived() {
        for (Slot s : slots.values()) {
            if (s.state == null) {
                return false;
            }
        }
        return true;
    }

    /** The states of this round, in member order. */
    List<DfsmCallbacks.MemberState> states() {
        List<DfsmCallbacks.MemberState> out = new ArrayList<>(members.size());
        slots.forEach((m, s) -> out.add(new DfsmCallbacks.MemberState(m, s.state)));
        return out;
    }

    /** Forgets the states of the round (a new round starts). */
    void clearStates() {
        for (Slot s : slots.values()) {
            s.state = null;
            s.applied = null;
        }
    }

    void markSynced(MemberId m) {
        Slot s = slots.get(m);
        if (s == null) {
            throw new IllegalArgumentException("not a member: " + m);
        }
        s.synced = true;
    }

    void markAllSynced() {
        for (Slot s : slots.values()) {
            s.synced = true;
        }
    }

    /** Whether every member is synced: whatever is applied now is applied by all of them. */
    boolean allSynced() {
        for (Slot s : slots.values()) {
            if (!s.synced) {
                return false;
            }
        }
        return true;
    }

    boolean isSynced(MemberId m) {
        Slot s = slots.get(m);
        return s != null && s.synced;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (MemberId m : members) {
            b.append(b.isEmpty() ? "" : ", ").append(m);
        }
        return b.toString();
    }
}
