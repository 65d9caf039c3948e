package org.pmxcfs.ipc;

import org.pmxcfs.status.KvStore;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.Result;
import org.pmxcfs.dbstore.SqliteStore;
import org.pmxcfs.status.ClusterLog;
import org.pmxcfs.status.StatusFiles;
import org.pmxcfs.status.VersionCounters;

/** A real memdb on SQLite, real status files, cluster log and kvstore, and a settable clock. */
final class Fixture implements AutoCloseable {

    static final String NODE = "pve1";
    static final long START = 1_700_000_000L;

    final AtomicLong now = new AtomicLong(START);
    final MemDb db;
    final VersionCounters counters = new VersionCounters();
    final ClusterLog clusterLog = new ClusterLog(NODE);
    final KvStore kv = new KvStore(NODE, now::get);
    final StatusFiles status;
    final IpcService service;

    Fixture(Path dir) throws Exception {
        db = MemDb.open(SqliteStore.open(dir.resolve("config.db"), SqliteStore.Options.DEFAULT),
                MemDb.DEFAULT_MAX_TOTAL_BYTES, START);
        db.setListener(counters);
        counters.reloaded();
        clusterLog.addLocal(6, "root", "cluster", 1234, "starting cluster log", START);
        status = new StatusFiles(NODE, START, db::vmList, counters, clusterLog, () -> false, () -> null,
                kv::versions, kv::rrdDump);
        service = new IpcService(db, status, clusterLog, kv, now::get, null);
    }

    void mkdirs(String path) {
        StringBuilder p = new StringBuilder();
        for (String part : path.split("/")) {
            p.append(p.length() == 0 ? "" : "/").append(part);
            if (db.lookup(p.toString()).isEmpty()) {
                ok(db.apply(new Operation.Mkdir(p.toString()), 0, now.get()));
            }
        }
    }

    void write(String path, byte[] data) {
        int slash = path.lastIndexOf('/');
        if (slash > 0) {
            mkdirs(path.substring(0, slash));
        }
        if (db.lookup(path).isEmpty()) {
            ok(db.apply(new Operation.Create(path), 0, now.get()));
        }
        ok(db.apply(new Operation.Truncate(path, 0), 0, now.get()));
        if (data.length > 0) {
            ok(db.apply(new Operation.Write(path, 0, data), 0, now.get()));
        }
        assertFalse(db.failed());
    }

    void write(String path, String text) {
        write(path, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void ok(Result r) {
        assertTrue(r.isOk(), () -> "memdb operation failed: " + r.error());
    }

    /** The gid of www-data from /etc/group, or 33 (Debian's). */
    static int wwwDataGid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/group"))) {
            String[] f = line.split(":");
            if (f.length >= 3 && f[0].equals("www-data")) {
                return Integer.parseInt(f[2]);
            }
        }
        return 33;
    }

    /** Whether this JVM runs as uid 0 with gid 0. */
    static boolean isRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:") || line.startsWith("Gid:")) {
                if (!line.split("\\s+")[1].equals("0")) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void close() {
        db.close();
    }
}
