package org.pmxcfs.dfsm;

/**
 * The modes of a {@link Dfsm}, with the original's codes ({@code dfsm_mode_t}). Codes of 128 and
 * above are error modes: the dfsm ignores every message and leaves the group. Among error
 * modes a change only ever goes up ({@link #accepts}); {@link #LEAVE} is left again only by a
 * restart, the other two never.
 */
public enum DfsmMode {
    /** Joined, no view yet. */
    START(0),
    /** A view change happened; states are being exchanged. */
    START_SYNC(1),
    /** Up to date; normal messages are applied as they arrive. */
    SYNCED(2),
    /** States are in, this member differs from the leader and waits for its updates. */
    UPDATE(3),
    /** Left the group to resync; rejoins after a delay. */
    LEAVE(253),
    /** A member speaks a newer protocol; permanent ("please update this node"). */
    VERSION_ERROR(254),
    /** Serious internal error; permanent. */
    ERROR(255);

    /** First code of the error modes. */
    public static final int ERROR_MODE_START = 128;

    private final int code;

    DfsmMode(int code) {
        this.code = code;
    }

    /** The original's numeric code. */
    public int code() {
        return code;
    }

    /** Whether this is one of the error modes (code 128 or above). */
    public boolean isError() {
        return code >= ERROR_MODE_START;
    }

    /**
     * Whether a dfsm in this mode may switch to {@code next} by a protocol event (not by a
     * restart): anything goes while not in an error mode, and an error mode only escalates, so
     * a late event can never make a failed member look healthy again (follows
     * {@code dfsm_set_mode}, minus its loophole back to the normal modes).
     */
    public boolean accepts(DfsmMode next) {
        return !isError() || (next.isError() && next.code >= code);
    }
}
