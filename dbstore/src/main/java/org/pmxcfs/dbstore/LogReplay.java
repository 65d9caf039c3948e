package org.pmxcfs.dbstore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a start finds: config.db's rows with the commit log's records applied, if the log belongs
 * to this config.db. It does when config.db's version row is the log's base (the version row
 * config.db had when the log was started), or when it is the version row of a record after which
 * every row the records up to there touched is as they left it (the writer's batches end on a
 * record). The version row alone is no identity: another database can reach the same version
 * number in the same second. Replaying from the log's start over a config.db that already has
 * some of its records is harmless: every record holds whole rows.
 *
 * @param rows               the tree to load: config.db's rows, with the records applied if they belong
 * @param merged             the log's records as one, to put into config.db before anything else is written; null: none
 * @param commits            how many records {@code merged} holds
 * @param databaseVersionRow config.db's own version row (null: a new database)
 * @param staleReason        why the log does not belong and is to be moved aside; null if it does or there is none
 */
record LogReplay(List<TreeEntry> rows, CommitRecord merged, int commits, TreeEntry databaseVersionRow,
                 String staleReason) {

    private static final Logger log = LoggerFactory.getLogger("database");

    /** Reads {@code logFile} and applies it to {@code dbRows}; modifies nothing. */
    static LogReplay read(Path logFile, List<TreeEntry> dbRows) throws StoreException, LoadException {
        Map<Long, TreeEntry> byInode = new HashMap<>();
        for (TreeEntry r : dbRows) {
            byInode.put(r.inode(), r);
        }
        TreeEntry versionRow = byInode.get(0L);
        CommitLog.Contents found;
        try {
            found = CommitLog.read(logFile);
        } catch (IOException e) {
            throw new StoreException("unable to read the commit log '" + logFile + "': " + e.getMessage(), e);
        }
        if (!found.exists()) {
            return new LogReplay(dbRows, null, 0, versionRow, found.damage());
        }
        TreeEntry base;
        List<CommitRecord> records = new ArrayList<>();
        try {
            base = found.base().length == 0 ? null : CommitRecord.decode(found.base()).versionRow();
            for (byte[] f : found.frames()) {
                records.add(CommitRecord.decode(f));
            }
        } catch (WireFormatException e) {
            throw new LoadException("the commit log '" + logFile + "' has an intact frame that is no commit record ("
                    + e.getMessage() + ") - move it aside to start from config.db alone, losing the commits in it", e);
        }
        // one pass: the merged state of the records so far, checked against config.db at each
        // record whose version row is config.db's
        boolean belongs = sameRow(versionRow, base);
        Map<Long, TreeEntry> touched = new LinkedHashMap<>();
        Set<Long> deleted = new LinkedHashSet<>();
        for (CommitRecord r : records) {
            r.applyTo(touched, deleted);
            belongs = belongs || sameRow(versionRow, r.versionRow())
                    && touched.values().stream().allMatch(e -> sameRow(e, byInode.get(e.inode())))
                    && deleted.stream().noneMatch(byInode::containsKey);
        }
        if (!belongs) {
            return new LogReplay(dbRows, null, 0, versionRow, "config.db is neither where the log starts nor where one of its "
                    + records.size() + " commits left it");
        }
        if (found.damage() != null) {
            log.warn("commit log '{}': {} - replaying the {} commits before it", logFile, found.damage(), records.size());
        }
        if (records.isEmpty()) {
            return new LogReplay(dbRows, null, 0, versionRow, null);
        }
        CommitRecord merged = new CommitRecord(List.copyOf(deleted), List.copyOf(touched.values()),
                records.get(records.size() - 1).versionRow());
        merged.applyTo(byInode, new LinkedHashSet<>());
        byInode.put(0L, merged.versionRow());
        return new LogReplay(new ArrayList<>(byInode.values()), merged, records.size(), versionRow, null);
    }

    private static boolean sameRow(TreeEntry a, TreeEntry b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.inode() == b.inode() && a.parent() == b.parent() && a.version() == b.version()
                && a.writer() == b.writer() && a.mtime() == b.mtime() && a.type() == b.type()
                && a.name().equals(b.name()) && Arrays.equals(a.data(), b.data());
    }
}
