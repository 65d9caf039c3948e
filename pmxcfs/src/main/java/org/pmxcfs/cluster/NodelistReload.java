package org.pmxcfs.cluster;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.quorum.QuorumConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * corosync's config reload: when the tree's corosync.conf changed and was copied to the local
 * file, its nodelist is applied live a second later. The quorum follows the new nodelist, and a
 * node that is no longer in it leaves both groups (it is expelled: read-only from then on).
 */
final class NodelistReload {

    private static final Logger log = LoggerFactory.getLogger("main");

    private final String nodename;
    private final MemDb db;
    private final CorosyncConfCopy copy;
    private final NodelistInForce nodelist;
    private final ClusterQuorum quorum;
    private final Consumer<CorosyncConf> applied;
    private final Runnable leave;
    private final ScheduledExecutorService ticker;

    /**
     * @param applied told about each new nodelist in force (after the quorum took it)
     * @param leave   leaves both process groups; run on {@code ticker}
     */
    NodelistReload(String nodename, MemDb db, CorosyncConfCopy copy, NodelistInForce nodelist, ClusterQuorum quorum,
                   Consumer<CorosyncConf> applied, Runnable leave, ScheduledExecutorService ticker) {
        this.nodename = nodename;
        this.db = db;
        this.copy = copy;
        this.nodelist = nodelist;
        this.quorum = quorum;
        this.applied = applied;
        this.leave = leave;
        this.ticker = ticker;
    }

    /** The tree's corosync.conf may have changed; {@code reloadCorosync}: this node sent the change. */
    void treeChanged(boolean reloadCorosync) {
        byte[] treeCopy = db.lookup("corosync.conf").map(TreeEntry::data).orElse(null);
        if (copy.sync(treeCopy, reloadCorosync)) {
            // as the original reloads corosync a second after the write: the writer (pvecm
            // addnode) still finishes under the old membership, e.g. releases its cluster lock
            ticker.schedule(() -> apply(treeCopy), 1, TimeUnit.SECONDS);
        }
    }

    private synchronized void apply(byte[] treeCopy) {
        if (treeCopy == null) {
            return;
        }
        CorosyncConf next;
        QuorumConfig nextQuorum;
        try {
            next = CorosyncConf.parse(treeCopy);
            nextQuorum = QuorumConfig.from(next);
        } catch (Exception e) {
            log.error("ignoring the new corosync.conf: {} - fix /etc/pve/corosync.conf", e.getMessage());
            return;
        }
        if (next.equals(nodelist.conf())) {
            return;
        }
        nodelist.replace(next);
        quorum.nodelist(next, nextQuorum);
        applied.accept(next);
        if (next.node(nodename).isEmpty()) {
            log.error("this node ('{}') was removed from the cluster's nodelist - leaving the cluster, read-only"
                    + " from now on; rejoin with 'pvecm add <member> --force'", nodename);
            // no votes and no membership: status output and the others' .members must not show
            // a node that is out as online or quorate (it leaves the status group too)
            quorum.expel();
            ticker.execute(leave);
        }
    }
}
