package org.pmxcfs.dfsm;

/**
 * A sync epoch ({@code dfsm_sync_epoch_t}): identifies one sync round. The member with the
 * lowest node id starts a round with its own new local epoch, every member adopts it, and state
 * messages carrying any other epoch are ignored. All four fields are unsigned 32-bit values on
 * the wire and are stored here already reduced to that range, so equal epochs encode equally.
 *
 * @param counter per-process counter, incremented on every view change
 * @param time seconds since the Unix epoch when the round was created
 * @param nodeId node id of the member that created it
 * @param pid process incarnation of that member, low 32 bits
 */
public record Epoch(long counter, long time, int nodeId, long pid) {

    /** The epoch of no round (what the original's zeroed {@code csum_epoch} means). */
    public static final Epoch NONE = new Epoch(0, 0, 0, 0);

    public Epoch {
        counter &= 0xFFFFFFFFL;
        time &= 0xFFFFFFFFL;
        pid &= 0xFFFFFFFFL;
    }

    @Override
    public String toString() {
        return Integer.toUnsignedString(nodeId) + "/" + pid + "/" + String.format("%08X", counter);
    }
}
