package org.pmxcfs.dfsm;

/**
 * What {@link Dfsm#send} reports to the writer. Only {@link Outcome#APPLIED} carries a result;
 * every other outcome means "not known to be applied": the message may still have been
 * applied elsewhere (the daemon maps them to {@code EBUSY} / {@code ETIMEDOUT}, as the original
 * returns {@code EBUSY} when the connection was reset while waiting).
 *
 * @param outcome how the wait ended
 * @param result {@link DfsmCallbacks#deliver}'s return value on this node, if applied; else 0
 */
public record SendResult(Outcome outcome, int result) {

    /** How a {@link Dfsm#send} ended. */
    public enum Outcome {
        /** This node applied its own message; {@link #result()} is deliver()'s result. */
        APPLIED,
        /** Not sent: not joined, in an error mode, or the transport refused it. */
        NOT_SENT,
        /**
         * Sent, but this node will not apply it: the group was left, or a membership change
         * caught it and this node had no quorum when the next round ended (then it may be in
         * the minority's state, which the majority's replaces at the heal).
         */
        ABORTED,
        /** Sent, but not applied locally within the caller's time limit. */
        TIMED_OUT
    }

    static final SendResult NOT_SENT = new SendResult(Outcome.NOT_SENT, 0);
    static final SendResult ABORTED = new SendResult(Outcome.ABORTED, 0);
    static final SendResult TIMED_OUT = new SendResult(Outcome.TIMED_OUT, 0);

    /** The message was applied on this node with {@code result}. */
    public static SendResult applied(int result) {
        return new SendResult(Outcome.APPLIED, result);
    }

    /** Whether this node applied the message. */
    public boolean isApplied() {
        return outcome == Outcome.APPLIED;
    }
}
