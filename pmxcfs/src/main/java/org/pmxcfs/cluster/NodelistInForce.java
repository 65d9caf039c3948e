package org.pmxcfs.cluster;

import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.NodeEntry;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.TreeEntry;

/**
 * The corosync.conf this node runs by (its nodelist, names and cluster name), replaced when a
 * newer one from the tree was copied to the local file ({@link NodelistReload}).
 */
final class NodelistInForce {

    private final MemDb db;
    private volatile CorosyncConf conf;

    NodelistInForce(CorosyncConf conf, MemDb db) {
        this.conf = conf;
        this.db = db;
    }

    CorosyncConf conf() {
        return conf;
    }

    void replace(CorosyncConf next) {
        conf = next;
    }

    /**
     * The name of a node id in the nodelist, or null. A node that just joined announces itself
     * before this node applied the new nodelist (a second after it arrived): look in the tree's
     * newest corosync.conf too, so its IP and status are not dropped.
     */
    String nodeName(int nodeId) {
        String name = nameIn(conf, nodeId);
        if (name == null) {
            byte[] newest = db.lookup("corosync.conf").map(TreeEntry::data).orElse(null);
            try {
                name = newest == null ? null : nameIn(CorosyncConf.parse(newest), nodeId);
            } catch (Exception invalid) {
                return null;
            }
        }
        return name;
    }

    private static String nameIn(CorosyncConf c, int nodeId) {
        for (NodeEntry n : c.nodes()) {
            if ((int) n.nodeid() == nodeId) {
                return n.name();
            }
        }
        return null;
    }
}
