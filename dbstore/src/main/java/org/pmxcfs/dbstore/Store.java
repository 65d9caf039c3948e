package org.pmxcfs.dbstore;

import java.util.Collection;
import java.util.List;

/**
 * The narrow interface between the memdb and its durable copy. {@link #load()} returns every
 * row as stored; the root/version row is inode 0 named {@code __version__}. {@link #commit}
 * writes one batch in one transaction, all or nothing.
 */
public interface Store extends AutoCloseable {

    /** Name of the row that carries the global version. */
    String VERSION_ROW_NAME = "__version__";

    /** Reads every row without modifying the store; a row that cannot be represented is refused. */
    List<TreeEntry> load() throws StoreException, LoadException;

    /** Makes the store ready for {@link #commit}; called once the loaded rows were accepted. */
    void prepareWrites() throws StoreException;

    /** One transaction: delete {@code deleted}, replace {@code written}, then the version row. */
    void commit(Collection<Long> deleted, Collection<TreeEntry> written, TreeEntry versionRow) throws StoreException;

    @Override
    void close();
}
