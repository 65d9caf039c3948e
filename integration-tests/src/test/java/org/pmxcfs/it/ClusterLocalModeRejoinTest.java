package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Issue #3, scenario 5: node3 is edited in local mode ({@code -l}) while the cluster moves on.
 * When it rejoins, the cluster's state wins (it has the higher version, which the test makes
 * sure of and checks): node3's local-only change is replaced, but saved first, in
 * {@code data/backup/config-<epoch>.sql.gz}, with a warning in the daemon log and in the
 * cluster log.
 */
class ClusterLocalModeRejoinTest extends ClusterTestBase {

    @Override
    int classIndex() {
        return 3;
    }

    @Test
    void aNodeEditedInLocalModeRejoinsAndTheClusterStateWinsWithABackup() throws Exception {
        Cluster c = started(3);
        Cluster.Node n3 = c.node(3);
        ClusterFs.put(c.node(1).path("common.cfg"), "common\n");
        ClusterFs.awaitAll(c.nodes, n -> "common\n".equals(ClusterFs.readOrNull(n.path("common.cfg"))), "common.cfg", 5_000);

        assertEquals(0, n3.stop(), "node3 stops cleanly");
        n3.start("-l");
        assertTrue(n3.lastOutput().contains("forcing local mode"), "node3 says it runs in local mode:\n" + n3.lastOutput());
        ClusterFs.put(n3.path("local-only.cfg"), "written in local mode\n");
        assertEquals(0, n3.stop(), "node3 (local mode) stops cleanly");
        long localStop = System.currentTimeMillis() / 1000;

        // meanwhile the cluster writes more than node3 did, so its version is higher
        ClusterFs.mkdirs(c.node(1).mnt, "cluster");
        for (int i = 0; i < 10; i++) {
            ClusterFs.put(c.node(1 + i % 2).path("cluster/f" + i + ".cfg"), "cluster " + i + "\n");
        }
        long clusterVersion = ClusterFs.dbVersion(c.node(1).db());
        long node3Version = ClusterFs.dbVersion(n3.db());
        System.out.printf("[cluster-timing] versions before the rejoin: cluster %d, node3 (local edits) %d%n",
                clusterVersion, node3Version);
        assertTrue(clusterVersion > node3Version, "the test is in the 'cluster wins' case: cluster version " + clusterVersion
                + " > node3's " + node3Version);

        long r0 = System.nanoTime();
        n3.start();
        c.awaitQuorate(c.nodes, 30_000);
        timing("node3 back from local mode, quorate with all online", ClusterFailureTest.ms(r0));
        Map<String, String> tree = c.awaitIdenticalTrees(c.nodes, 10_000);
        assertFalse(tree.containsKey("local-only.cfg"), "the cluster's state won: local-only.cfg is gone everywhere");
        assertTrue(tree.containsKey("cluster/f9.cfg") && tree.containsKey("common.cfg"), "node3 has the cluster's files");

        // the backup of node3's database before the sync
        Path backupDir = n3.data.resolve("backup");
        List<Path> backups;
        try (Stream<Path> s = Files.list(backupDir)) {
            backups = s.filter(p -> p.getFileName().toString().matches("config-\\d+\\.sql\\.gz")).toList();
        }
        assertEquals(1, backups.size(), "one backup in " + backupDir + ": " + backups);
        Path backup = backups.get(0);
        Matcher m = Pattern.compile("config-(\\d+)\\.sql\\.gz").matcher(backup.getFileName().toString());
        assertTrue(m.matches());
        long epoch = Long.parseLong(m.group(1));
        assertTrue(epoch >= localStop - 1 && epoch <= System.currentTimeMillis() / 1000 + 1,
                "backup named by the epoch of the sync: " + epoch + " (local-mode stop at " + localStop + ")");
        String sql = gunzip(backup);
        assertTrue(sql.contains("'local-only.cfg'"), "the backup has the local-only file:\n" + head(sql));
        assertEquals("written in local mode\n", restoredFile(sql, "local-only.cfg"),
                "the backup, loaded into SQLite, has the local-only file's content");

        // the warning, naming the path, in the daemon log and in node3's cluster log
        String log = n3.lastOutput();
        assertTrue(log.contains("local changes not known to the cluster are replaced by the cluster's state: local-only.cfg")
                && log.contains(backup.toString()), "warning naming the path and the backup in node3's log:\n" + log);
        String clusterLog = ClusterFs.readOrNull(n3.path(".clusterlog"));
        assertTrue(clusterLog != null && clusterLog.contains("local-only.cfg") && clusterLog.contains("local changes not known"),
                "node3's .clusterlog has the entry:\n" + clusterLog);
        Json.parse(clusterLog);
        boolean elsewhere = Daemon.poll(3_000, 100, () -> {
            String l = ClusterFs.readOrNull(c.node(1).path(".clusterlog"));
            return l != null && l.contains("local-only.cfg");
        });
        System.out.println("[cluster-timing] the divergence entry " + (elsewhere ? "reached" : "did not reach")
                + " node1's .clusterlog within 3 s");

        // and node3 is a full member again
        ClusterFs.put(n3.path("after.cfg"), "after\n");
        ClusterFs.awaitAll(c.nodes, n -> "after\n".equals(ClusterFs.readOrNull(n.path("after.cfg"))), "after.cfg", 5_000);
    }

    static String gunzip(Path p) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Loads an SQL dump into an in-memory SQLite database and returns the data of the row named {@code name}. */
    static String restoredFile(String sql, String name) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite::memory:");
             java.sql.Statement st = c.createStatement()) {
            for (String stmt : sql.split(";\n")) {
                if (!stmt.isBlank()) {
                    st.executeUpdate(stmt);
                }
            }
            try (java.sql.PreparedStatement q = c.prepareStatement("SELECT data FROM tree WHERE name = ?")) {
                q.setString(1, name);
                try (java.sql.ResultSet rs = q.executeQuery()) {
                    return rs.next() ? new String(rs.getBytes(1), StandardCharsets.UTF_8) : null;
                }
            }
        }
    }

    static String head(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }
}
