package org.pmxcfs.plug;

import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.Result;

/**
 * Where a mutation goes: applied directly in local mode; in cluster mode sent through the total
 * order and answered with the result of applying this node's own message.
 */
public interface Applier {
    Result submit(Operation op);
}
