package org.pmxcfs.dfsm.sim;

import org.pmxcfs.dfsm.Dfsm;
import org.pmxcfs.dfsm.DfsmMode;

/** A simulated node as {@link SimDriver} sees it: its id and its current process, if up. */
public abstract class SimMember {

    /** Node id, from 1. */
    public final int id;
    /** The current process's endpoint and dfsm; valid while up. */
    public SimNetwork.Endpoint endpoint;
    public Dfsm dfsm;
    public boolean up;
    /** When the last process died. */
    public long downSince;

    protected SimMember(int id) {
        this.id = id;
    }

    /** What its daemon does every {@link SimDriver#TICK_MS}. */
    public abstract void tick();

    /** The dfsm's mode; null while down. */
    public DfsmMode mode() {
        return up ? dfsm.mode() : null;
    }

    /** The process dies at {@code now}: nothing of it answers any more. */
    protected void die(long now) {
        endpoint.crash();
        up = false;
        downSince = now;
    }
}
