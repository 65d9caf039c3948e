package org.pmxcfs.ipc;

import org.pmxcfs.ipc.client.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pmxcfs.lock.LockOps;
import org.pmxcfs.lock.LockTable;
import org.pmxcfs.plug.LocalApplier;
import org.pmxcfs.watch.ChangeFeed;
import org.pmxcfs.watch.WatchOp;

/** Who may use watch and the lock ops, through the IPC service as a client reaches them. */
class OperatorOpsAccessTest {

    private static final Peer ROOT = Peer.of(0, 0, 33);
    private static final Peer WWW = Peer.of(33, 33, 33);

    @TempDir
    Path tmp;

    private static JsonNode call(Fixture f, Peer peer, String line) throws Exception {
        return Json.MAPPER.readTree(f.service.handleLine(peer, line.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> watchedPaths(Fixture f, Peer peer) throws Exception {
        JsonNode r = call(f, peer, "{\"id\":1,\"op\":\"watch\",\"since\":0,\"timeout_ms\":0}");
        Set<String> paths = new LinkedHashSet<>(); // a write is several changes of one path
        r.path("result").path("events").forEach(e -> paths.add(e.path("path").asText()));
        return List.copyOf(paths);
    }

    @Test
    void readOnlyClientsWatchPublicPathsOnlyAndCannotTouchLocks() throws Exception {
        try (Fixture f = new Fixture(tmp)) {
            ChangeFeed feed = new ChangeFeed(64, () -> 0);
            f.db.setListener(feed);
            LockTable locks = new LockTable(LockTable.DEFAULT_LIFETIME_MILLIS);
            WatchOp.register(f.service, feed);
            LockOps.register(f.service, new LockOps.Env(f.db, locks, new LocalApplier(f.db, locks, Clock.systemUTC()),
                    id -> Fixture.NODE, () -> true, () -> false, Clock.systemUTC()));
            f.write("storage.cfg", "dir: local\n");
            f.write("priv/shadow.cfg", "secret\n");
            f.mkdirs("nodes/pve1/priv");

            assertEquals(List.of("storage.cfg", "priv", "priv/shadow.cfg", "nodes", "nodes/pve1", "nodes/pve1/priv"),
                    watchedPaths(f, ROOT));
            assertEquals(List.of("storage.cfg", "nodes", "nodes/pve1"), watchedPaths(f, WWW),
                    "no private path for www-data");

            JsonNode locksAsWww = call(f, WWW, "{\"id\":2,\"op\":\"get_locks\"}");
            assertEquals("EPERM", locksAsWww.path("errno").asText(), locksAsWww.toString());
            assertEquals("EPERM", call(f, WWW, "{\"id\":3,\"op\":\"release_lock\",\"name\":\"x\"}").path("errno").asText());
            assertEquals(0, call(f, ROOT, "{\"id\":4,\"op\":\"get_locks\"}").path("result").path("locks").size());
        }
    }
}
