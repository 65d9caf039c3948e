package org.pmxcfs.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dfsm.SyncRounds;

/**
 * Everything the metrics endpoint shows, read afresh for each scrape: writes, the tree against
 * its caps, quorum, members and links (from the votequorum state {@code pvecm status} shows),
 * sync rounds, and the divergence backups in the data directory.
 *
 * @param quorumStatus the {@code get_quorum_status} JSON; supplies null in local mode
 * @param syncRounds   the file tree group's rounds; supplies null in local mode
 * @param backupDir    where divergence backups ({@code config-<epoch>.sql.gz}) are written
 */
public record NodeMetrics(MemDb db, WriteMetrics writes, Supplier<JsonNode> quorumStatus,
                          Supplier<SyncRounds.Snapshot> syncRounds, Path backupDir) {

    /** statfs' file count (the original's MEMDB_MAX_INODES); reported, never enforced. */
    static final long MAX_ENTRIES = 262_144;

    /** The Prometheus text of this moment. */
    public String render() {
        PromText out = new PromText();
        writes.render(out);
        MemDb.Stats s = db.stats();
        out.gauge("pmxcfs_tree_bytes", "Sum of all file sizes in the tree.", s.totalBytes());
        out.gauge("pmxcfs_tree_bytes_limit", "Cap on the sum of all file sizes (--max-total-size); ENOSPC beyond.",
                s.maxTotalBytes());
        out.gauge("pmxcfs_tree_entries", "Files and directories in the tree, the root included.", s.entries());
        out.gauge("pmxcfs_tree_entries_limit", "File count statfs reports as the limit (not enforced, as the"
                + " original).", MAX_ENTRIES);
        out.gauge("pmxcfs_tree_version", "Version of the tree (counts every change since the database was made).",
                s.version());
        cluster(out, quorumStatus.get());
        sync(out, syncRounds.get());
        backups(out);
        return out.toString();
    }

    private static void cluster(PromText out, JsonNode q) {
        out.gauge("pmxcfs_cluster_mode", "1 if this node is in a cluster, 0 in local mode.", q == null ? 0 : 1);
        out.gauge("pmxcfs_quorate", "1 if this node may change the tree (local mode always).",
                q == null || q.path("quorate").asBoolean() ? 1 : 0);
        if (q == null) {
            return;
        }
        JsonNode members = q.path("members");
        long online = 0;
        for (JsonNode m : members) {
            online += m.path("online").asBoolean() ? 1 : 0;
        }
        out.gauge("pmxcfs_nodes", "Nodes in the nodelist of corosync.conf.", members.size());
        out.gauge("pmxcfs_members", "Nodes in this node's current membership (view).", online);
        out.gauge("pmxcfs_votes_total", "Votes of the members.", q.path("total_votes").asLong());
        out.gauge("pmxcfs_votes_expected", "Expected votes.", q.path("expected_votes").asLong());
        out.gauge("pmxcfs_votes_quorum", "Votes needed for quorum.", q.path("quorum").asLong());
        out.family("pmxcfs_link_up", "gauge", "1 if the link to the node is connected (this node's links count as"
                + " up).");
        for (JsonNode m : members) {
            for (JsonNode l : m.path("links")) {
                out.sample("pmxcfs_link_up", l.path("connected").asBoolean() ? 1 : 0, "node", m.path("name").asText(),
                        "nodeid", m.path("nodeid").asText(), "link", l.path("link").asText());
            }
        }
    }

    private static void sync(PromText out, SyncRounds.Snapshot r) {
        if (r == null) {
            return;
        }
        out.counter("pmxcfs_sync_rounds_started_total", "Synchronisation rounds started (each membership change).",
                r.started());
        out.counter("pmxcfs_sync_rounds_total", "Synchronisation rounds completed (all data up to date).",
                r.completed());
        out.counter("pmxcfs_sync_duration_seconds_total", "Time spent in completed synchronisation rounds.",
                r.totalNanos() / 1e9);
        out.gauge("pmxcfs_sync_last_duration_seconds", "Duration of the last completed synchronisation round.",
                r.lastNanos() / 1e9);
    }

    private void backups(PromText out) {
        long count = 0;
        long newest = 0;
        if (Files.isDirectory(backupDir)) {
            try (Stream<Path> files = Files.list(backupDir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    String name = p.getFileName().toString();
                    if (name.startsWith("config-") && name.endsWith(".sql.gz")) {
                        count++;
                        newest = Math.max(newest, Files.getLastModifiedTime(p).toMillis() / 1000);
                    }
                }
            } catch (IOException e) {
                // unreadable: reported as none
            }
        }
        out.gauge("pmxcfs_divergence_backups", "Backups of the local tree taken before a state transfer replaced"
                + " local-only changes, or by a join (newest 10 kept in " + backupDir + ").", count);
        out.gauge("pmxcfs_divergence_backup_last_timestamp_seconds", "When the newest of them was written (0: none).",
                newest);
    }
}
