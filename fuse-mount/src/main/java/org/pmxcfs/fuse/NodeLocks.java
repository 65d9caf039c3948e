package org.pmxcfs.fuse;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What libfuse's high-level layer does with its path locks: a request that works on a node by
 * its path holds that node shared, from finding the path until the filesystem has answered; a
 * request that changes which node a name leads to (rename, unlink, rmdir) holds the directories
 * and the nodes involved exclusively. So a read never gets the bytes of the file that a rename
 * put at its old path, and a lookup never pairs a name with the entry it had a moment ago.
 * Nodes share a fixed set of locks (by id); several are always taken in index order.
 */
final class NodeLocks {

    private static final int STRIPES = 64;
    private final ReentrantReadWriteLock[] locks = new ReentrantReadWriteLock[STRIPES];

    NodeLocks() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantReadWriteLock();
        }
    }

    /** Held until closed. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    private static int stripe(long node) {
        return (int) Long.remainderUnsigned(node, STRIPES);
    }

    /** {@code node} shared. */
    Held shared(long node) {
        ReentrantReadWriteLock.ReadLock l = locks[stripe(node)].readLock();
        l.lock();
        return l::unlock;
    }

    /** Every node in {@code nodes} (0 = none) exclusively, in stripe order. */
    Held exclusive(long... nodes) {
        int[] idx = new int[nodes.length];
        int n = 0;
        for (long node : nodes) {
            if (node != 0) {
                idx[n++] = stripe(node);
            }
        }
        int[] order = Arrays.stream(idx, 0, n).distinct().sorted().toArray();
        for (int i : order) {
            locks[i].writeLock().lock();
        }
        return () -> {
            for (int k = order.length - 1; k >= 0; k--) {
                locks[order[k]].writeLock().unlock();
            }
        };
    }
}
