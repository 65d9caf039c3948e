package org.pmxcfs.dbstore;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * A {@link Store} kept in a map, for tests of this module and of the ones above it (the dcdb
 * tests and the cluster simulation, where it is a node's disk: it outlives a crash of the
 * node's memdb). Tests can look at exactly what was committed; {@link #failCommits} makes every
 * commit throw, as a full or broken disk would.
 */
public final class RamStore implements Store {
    /** The committed rows by inode, the version row at inode 0. */
    public final TreeMap<Long, TreeEntry> rows = new TreeMap<>();
    /** Successful commits so far. */
    public int commits;
    public boolean failCommits;
    public boolean closed;

    @Override
    public List<TreeEntry> load() {
        return new ArrayList<>(rows.values());
    }

    @Override
    public void prepareWrites() {}

    @Override
    public void commit(Collection<Long> deleted, Collection<TreeEntry> written, TreeEntry versionRow)
            throws StoreException {
        if (failCommits) {
            throw new StoreException("simulated disk failure", null);
        }
        commits++;
        for (long inode : deleted) {
            rows.remove(inode);
        }
        for (TreeEntry e : written) {
            rows.put(e.inode(), e);
        }
        rows.put(versionRow.inode(), versionRow);
    }

    @Override
    public void close() {
        closed = true;
    }
}
