package org.pmxcfs.cluster;

import java.time.Duration;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.Result;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.dcdb.DcdbCodec;
import org.pmxcfs.dcdb.DcdbCodecException;
import org.pmxcfs.dfsm.Dfsm;
import org.pmxcfs.dfsm.SendResult;
import org.pmxcfs.plug.Applier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode: every mutation goes through the total order; the FUSE thread waits until this
 * node has applied its own message and returns that result. The wait is bounded, unlike the
 * original's: a write that is not applied in time fails with ETIMEDOUT (or EBUSY when it could
 * not be sent, or a membership change caught it on a node left without quorum) instead of
 * hanging in the kernel.
 */
public final class ClusterApplier implements Applier {

    private static final Logger log = LoggerFactory.getLogger("dcdb");

    private final Dfsm dfsm;
    private final Duration timeout;

    public ClusterApplier(Dfsm dfsm, Duration timeout) {
        this.dfsm = dfsm;
        this.timeout = timeout;
    }

    @Override
    public Result submit(Operation op) {
        DcdbCodec.Encoded msg;
        try {
            msg = DcdbCodec.encode(op);
        } catch (DcdbCodecException e) {
            return Result.fail(Errno.EINVAL);
        }
        if (log.isDebugEnabled()) {
            log.debug("send {} to the cluster", op.describe());
        }
        SendResult r = dfsm.send(msg.subtype(), msg.payload(), timeout);
        if (log.isDebugEnabled()) {
            log.debug("{}: {}", op.describe(), r.isApplied() ? "applied, result " + r.result() : r.outcome());
        }
        if (r.isApplied()) {
            return r.result() < 0 ? Result.fail(Errno.fromCode(-r.result())) : Result.ok(r.result());
        }
        if (r.outcome() == SendResult.Outcome.TIMED_OUT) {
            log.error("{} '{}' not applied within {} s - the cluster is busy or syncing; the change may still"
                    + " be applied", op.getClass().getSimpleName().toLowerCase(), op.path(), timeout.toSeconds());
            return Result.fail(Errno.ETIMEDOUT);
        }
        log.warn("{} '{}' failed: {}", op.getClass().getSimpleName().toLowerCase(), op.path(), r.outcome());
        return Result.fail(Errno.EBUSY);
    }

    /** Multicast UNLOCK_REQUEST; the member with the lowest node id decides by its own clock. */
    @Override
    public Result requestUnlock(String path, TreeEntry lock) {
        try {
            DcdbCodec.Encoded msg = DcdbCodec.encodeUnlockRequest(path, lock.metaDigest());
            dfsm.post(msg.subtype(), msg.payload());
        } catch (DcdbCodecException e) {
            return Result.fail(Errno.EINVAL);
        }
        return Result.fail(Errno.EACCES);
    }
}
