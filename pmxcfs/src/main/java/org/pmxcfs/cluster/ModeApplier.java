package org.pmxcfs.cluster;

import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.Result;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.plug.Applier;

/**
 * Where the filesystem's mutations go in the node's current mode: applied here in local mode,
 * through the cluster's total order once clustered, refused ({@code EACCES}) while the node is
 * outside its nodelist.
 */
public final class ModeApplier implements Applier {

    private final NodeMode mode;
    private final Applier local;

    public ModeApplier(NodeMode mode, Applier local) {
        this.mode = mode;
        this.local = local;
    }

    @Override
    public Result submit(Operation op) {
        Applier a = current();
        return a == null ? Result.fail(Errno.EACCES) : a.submit(op);
    }

    @Override
    public Result requestUnlock(String path, TreeEntry lock) {
        Applier a = current();
        return a == null ? Result.fail(Errno.EACCES) : a.requestUnlock(path, lock);
    }

    /** The applier of the current mode; null outside the nodelist. */
    private Applier current() {
        ClusterNode n = mode.node();
        if (n != null) {
            return n.applier();
        }
        return mode.outside() == null ? local : null;
    }
}
