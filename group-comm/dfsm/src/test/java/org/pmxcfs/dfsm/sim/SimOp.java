package org.pmxcfs.dfsm.sim;

import java.util.concurrent.CompletableFuture;
import org.pmxcfs.dfsm.SendResult;

/** One client write in a simulation, as its client sees it; subclasses say what it writes. */
public class SimOp {

    /** How a client write ended, from the client's point of view. */
    public enum Outcome { APPLIED, NOT_SENT, ABORTED, TIMED_OUT, CRASHED }

    public final long id;
    public final int node;
    public final long submitted;
    public CompletableFuture<SendResult> future;
    /** Null while the client waits. */
    public Outcome outcome;
    /** The result of an applied write. */
    public int result;

    protected SimOp(long id, int node, long submitted) {
        this.id = id;
        this.node = node;
        this.submitted = submitted;
    }

    /** {@code what} with the outcome, for traces and verdicts. */
    protected String describe(String what) {
        return what + "@n" + node + "=" + outcome + (outcome == Outcome.APPLIED ? "/" + result : "");
    }
}
