package org.pmxcfs.dbstore;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * The rows a state transfer writes on a non-leader (the original's bdb_backend_commit_update):
 * every local inode the leader's index lacks is deleted, every received entry replaces its row,
 * and the received root becomes the {@code __version__} row (type 4, as the original writes it
 * after a transfer).
 *
 * @param deleted    local inodes to delete, ascending
 * @param written    received entries other than the root, ascending by inode
 * @param versionRow the new {@code __version__} row
 * @param rows       every row of the store once the plan is applied: what the new tree is built from
 */
record SyncPlan(List<Long> deleted, List<TreeEntry> written, TreeEntry versionRow, List<TreeEntry> rows) {

    /**
     * @param local    the local entries, root excluded, all of them committed to the store
     * @param root     the local root
     * @param agreed   the local agreed version, which the transfer keeps (see {@code MemDb.raiseVersion})
     * @param received the leader's UPDATE entries; for an inode sent twice the last one counts,
     *                 as with the original's sequence of REPLACEs
     */
    static SyncPlan of(Collection<TreeEntry> local, TreeEntry root, long agreed, Index leader,
            Collection<TreeEntry> received) {
        TreeMap<Long, TreeEntry> updates = new TreeMap<>();
        for (TreeEntry e : received) {
            updates.put(e.inode(), e);
        }
        TreeEntry newRoot = updates.getOrDefault(0L, root);
        updates.remove(0L);
        List<Long> deleted = new ArrayList<>();
        List<TreeEntry> rows = new ArrayList<>();
        for (TreeEntry e : local) {
            if (leader.find(e.inode()).isEmpty()) {
                deleted.add(e.inode());
            } else if (!updates.containsKey(e.inode())) {
                rows.add(e);
            }
        }
        deleted.sort(Comparator.naturalOrder());
        TreeEntry versionRow = new TreeEntry(0, agreed, newRoot.version(), newRoot.writer(), newRoot.mtime(),
                TreeEntry.TYPE_DIR, Store.VERSION_ROW_NAME, null);
        List<TreeEntry> written = List.copyOf(updates.values());
        rows.addAll(written);
        rows.add(versionRow);
        return new SyncPlan(List.copyOf(deleted), written, versionRow, List.copyOf(rows));
    }
}
