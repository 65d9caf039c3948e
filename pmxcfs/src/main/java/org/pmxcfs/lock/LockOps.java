package org.pmxcfs.lock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.Paths;
import org.pmxcfs.dbstore.Result;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.ipc.IpcError;
import org.pmxcfs.ipc.IpcService;
import org.pmxcfs.ipc.Peer;
import org.pmxcfs.plug.Applier;

/**
 * The IPC ops {@code get_locks} and {@code release_lock} (docs/IPC.md): the cluster locks
 * ({@code priv/lock/<name>} directories) with their holder, age and the time left before they
 * may be expired, and the release of a stale one by the original's rules, exactly as
 * {@code utime(lock, 0, 0)} does: only with quorum, only once the lock has been unchanged for the
 * whole lock lifetime by the clock of the deciding node (this one in local mode, the member with
 * the lowest node id in a cluster). Root only, as everything under {@code priv}.
 */
public final class LockOps {

    static final String LOCK_DIR = "priv/lock";
    /** How long a release waits for the cluster's decision (the lowest node id decides). */
    static final long DECISION_WAIT_MILLIS = 2_000;

    /**
     * What the ops need from the daemon.
     *
     * @param nodeName  the name of a node id (a lock's writer); null if unknown. Writer 0 is a
     *                  write in local mode, by this node
     * @param quorate   whether this node may change the tree now
     * @param clustered whether the node is in a cluster (a release is then decided elsewhere)
     */
    public record Env(MemDb db, LockTable locks, Applier applier, IntFunction<String> nodeName,
                      BooleanSupplier quorate, BooleanSupplier clustered, Clock clock) {}

    private final Env env;

    private LockOps(Env env) {
        this.env = env;
    }

    /** Offers {@code get_locks} and {@code release_lock} on {@code service}. */
    public static void register(IpcService service, Env env) {
        LockOps ops = new LockOps(env);
        service.register("get_locks", Set.of(), true, ops::list);
        service.register("release_lock", Set.of("name"), true, ops::release);
    }

    private JsonNode list(Peer peer, IpcService.Args a) {
        long now = env.clock().millis();
        long lifetime = env.locks().lifetimeMillis();
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("lifetime_s", lifetime / 1000);
        ArrayNode out = r.putArray("locks");
        for (TreeEntry e : env.db().list(LOCK_DIR)) {
            String path = LOCK_DIR + "/" + e.name();
            if (!MemDb.isLockDir(Paths.split(path), e)) {
                continue; // a plain file in priv/lock is no lock
            }
            long unchanged = env.locks().unchangedMillis(path, e, now);
            ObjectNode l = out.addObject();
            l.put("name", e.name());
            l.put("holder_nodeid", e.writer());
            String holder = env.nodeName().apply(e.writer());
            l.put("holder", holder == null ? "" : holder);
            l.put("mtime", e.mtime());
            l.put("age_s", Math.max(0, now / 1000 - e.mtime()));
            l.put("unchanged_s", unchanged / 1000);
            l.put("expires_in_s", Math.max(0, lifetime - unchanged + 999) / 1000);
            l.put("stale", unchanged > lifetime);
        }
        return r;
    }

    private JsonNode release(Peer peer, IpcService.Args a) {
        String name = a.string("name", true);
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IpcError(Errno.EINVAL, "'" + name + "' is no lock name (a name under /etc/pve/priv/lock)");
        }
        String path = LOCK_DIR + "/" + name;
        TreeEntry lock = lookup(path).orElseThrow(() -> new IpcError(Errno.ENOENT, "no lock '" + name
                + "' (see get_locks / 'pmxcfs-ctl locks')"));
        if (!env.quorate().getAsBoolean()) {
            throw new IpcError(Errno.EACCES, "no quorum - a lock can only be released by a quorate node");
        }
        long unchanged = env.locks().unchangedMillis(path, lock, env.clock().millis());
        Result r = env.applier().requestUnlock(path, lock);
        if (r.isOk() || env.clustered().getAsBoolean() && decidedGone(path)) {
            return null;
        }
        long lifetime = env.locks().lifetimeMillis();
        if (r.error() != Errno.EACCES) {
            throw new IpcError(r.error(), "unable to release lock '" + name + "': " + r.error());
        }
        throw new IpcError(Errno.EACCES, "lock '" + name + "' is not stale: unchanged for " + unchanged / 1000
                + " s on this node, a lock is released only after " + lifetime / 1000 + " s unchanged"
                + (env.clustered().getAsBoolean() ? " by the clock of the member with the lowest node id" : "")
                + " - try again in " + Math.max(1, (lifetime - unchanged) / 1000 + 1) + " s, or rmdir it if its holder is"
                + " surely gone");
    }

    /** Cluster mode: the lowest node id decides; true if the lock is gone within the wait. */
    private boolean decidedGone(String path) {
        long deadline = System.nanoTime() + DECISION_WAIT_MILLIS * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (lookup(path).isEmpty()) {
                return true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return lookup(path).isEmpty();
    }

    private Optional<TreeEntry> lookup(String path) {
        return env.db().lookup(path).filter(e -> MemDb.isLockDir(List.of("priv", "lock", e.name()), e));
    }
}
