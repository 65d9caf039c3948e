package org.pmxcfs.plug;

import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.Result;
import org.pmxcfs.dbstore.TreeEntry;

/**
 * Where a mutation goes: applied directly in local mode; in cluster mode sent through the total
 * order and answered with the result of applying this node's own message.
 */
public interface Applier {
    Result submit(Operation op);

    /**
     * {@code utime(lock, 0, 0)}: ask for the lock directory {@code path}, now {@code lock}, to be
     * removed if it has been unchanged for the whole lock lifetime. OK if it was removed;
     * EACCES if it is still young, or (cluster mode) while the request is decided elsewhere.
     */
    Result requestUnlock(String path, TreeEntry lock);
}
