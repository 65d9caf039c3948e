package org.pmxcfs.ipc;

import org.pmxcfs.status.StatusListener;
import org.pmxcfs.dbstore.FsException;
import org.pmxcfs.status.KvStore;
import org.pmxcfs.ipc.client.Json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.Paths;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.status.ClusterLog;
import org.pmxcfs.status.ClusterLogEntry;
import org.pmxcfs.status.StatusFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests of the local IPC socket (protocol in {@code docs/IPC.md}): turns one request line
 * into one response, independent of the transport. Thread-safe: every source it reads is.
 */
public final class IpcService {

    private static final Logger log = LoggerFactory.getLogger("ipcs");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** One operation's code: the result (null for none), or an {@link IpcError}. */
    public interface Handler {
        JsonNode handle(Peer peer, Args args);
    }

    /** One operation: its arguments and whether read-only clients may use it. */
    private record Op(Set<String> fields, boolean write, Handler handler) {}

    private final MemDb db;
    private final StatusFiles status;
    private final ClusterLog clusterLog;
    private final KvStore kv;
    private final LongSupplier nowSeconds;
    private final StatusListener listener;
    private final Map<String, Op> ops = new LinkedHashMap<>();
    private volatile Runnable beforeAnswer = () -> {};

    /**
     * @param nowSeconds the clock that stamps cluster log entries (epoch seconds)
     * @param listener   told about local changes; may be null
     */
    public IpcService(MemDb db, StatusFiles status, ClusterLog clusterLog, KvStore kv, LongSupplier nowSeconds,
            StatusListener listener) {
        this(db, status, clusterLog, kv, nowSeconds, listener, null, null);
    }

    /**
     * With {@code quorum} for get_quorum_status and set_expected, and {@code daemon} for
     * get_paths and join_cluster; either may be null (then those ops fail with EINVAL).
     */
    public IpcService(MemDb db, StatusFiles status, ClusterLog clusterLog, KvStore kv, LongSupplier nowSeconds,
            StatusListener listener, QuorumControl quorum, DaemonControl daemon) {
        this.db = Objects.requireNonNull(db, "db");
        this.status = Objects.requireNonNull(status, "status");
        this.clusterLog = Objects.requireNonNull(clusterLog, "clusterLog");
        this.kv = Objects.requireNonNull(kv, "kv");
        this.nowSeconds = Objects.requireNonNull(nowSeconds, "nowSeconds");
        this.listener = listener == null ? new StatusListener() {} : listener;

        ops.put("get_fs_version", new Op(Set.of(), false, (p, a) -> statusText(".version")));
        ops.put("get_cluster_info", new Op(Set.of(), false, (p, a) -> statusText(".members")));
        ops.put("get_guest_list", new Op(Set.of(), false, (p, a) -> statusText(".vmlist")));
        ops.put("set_status", new Op(Set.of("name", "value_b64"), true, this::setStatus));
        ops.put("get_status", new Op(Set.of("name", "node"), false, this::getStatus));
        ops.put("log_cluster_msg", new Op(Set.of("priority", "ident", "tag", "msg", "pid"), true,
                this::logClusterMsg));
        ops.put("get_cluster_log", new Op(Set.of("max", "user"), false, this::getClusterLog));
        ops.put("get_config", new Op(Set.of("path"), false, this::getConfig));
        ops.put("get_rrd_dump", new Op(Set.of(), false, (p, a) -> statusText(".rrd")));
        ops.put("get_guest_config_property", new Op(Set.of("vmid", "property"), false, this::getGuestConfigProperty));
        ops.put("get_paths", new Op(Set.of(), false, (p, a) -> daemon(daemon).paths()));
        ops.put("join_cluster", new Op(Set.of("authkey_b64", "corosync_conf_b64"), true, (p, a) -> {
            String backup = daemon(daemon).joinCluster(a.base64("authkey_b64"), a.base64("corosync_conf_b64"));
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("backup", backup);
        }));
        ops.put("get_quorum_status", new Op(Set.of(), false, (p, a) -> clustered(quorum).quorumStatus()));
        ops.put("set_expected", new Op(Set.of("votes"), true, (p, a) -> {
            String error = clustered(quorum).setExpected(a.integer("votes", true, 0));
            if (error != null) {
                throw new IpcError(Errno.EINVAL, error);
            }
            return null;
        }));
    }

    private static DaemonControl daemon(DaemonControl daemon) {
        if (daemon == null) {
            throw new IpcError(Errno.EINVAL, "not available in this daemon");
        }
        return daemon;
    }

    private static QuorumControl clustered(QuorumControl quorum) {
        if (quorum == null) {
            throw new IpcError(Errno.EINVAL, "this node is not part of a cluster (local mode)");
        }
        return quorum;
    }

    /**
     * Adds an operation offered by another part of the daemon (watch, locks), with the same
     * argument checks and access rule as the built-in ones. Call before the server starts.
     *
     * @param fields the arguments it takes
     * @param write  true if only read-write (root) clients may use it
     */
    public void register(String name, Set<String> fields, boolean write, Handler handler) {
        if (ops.putIfAbsent(name, new Op(Set.copyOf(fields), write, handler)) != null) {
            throw new IllegalArgumentException("IPC op '" + name + "' is already registered");
        }
    }

    /**
     * Runs {@code barrier} after every operation, before its answer: the mount's caches catch
     * up with the tree, so what a client was told is what it reads through the mount next.
     */
    public void beforeAnswers(Runnable barrier) {
        this.beforeAnswer = Objects.requireNonNull(barrier);
    }

    /** The names of all operations, in documentation order. */
    public Set<String> opNames() {
        return ops.keySet();
    }

    /**
     * Handles one request line (without its newline) from {@code peer} and returns the response
     * line (without newline). Never throws for bad input: every problem becomes an error response.
     */
    public byte[] handleLine(Peer peer, byte[] line) {
        JsonNode request;
        try {
            request = Json.MAPPER.readTree(line);
        } catch (IOException e) {
            return error(null, new IpcError(Errno.EINVAL, "malformed request: " + firstLine(e)));
        }
        if (request == null || !request.isObject()) {
            return error(null, new IpcError(Errno.EINVAL, "malformed request: not a JSON object"));
        }
        JsonNode id = request.get("id");
        if (id != null && !id.isNull() && !(id.isIntegralNumber() && id.canConvertToLong())) {
            return error(null, new IpcError(Errno.EINVAL, "'id' must be an integer"));
        }
        if (id == null) {
            id = NullNode.instance;
        }
        try {
            JsonNode result = dispatch(peer, (ObjectNode) request);
            ObjectNode r = NODES.objectNode();
            r.set("id", id);
            r.put("ok", true);
            r.set("result", result == null ? NullNode.instance : result);
            return write(r);
        } catch (IpcError e) {
            log.debug("request {} from {} failed: {} {}", request.path("op").asText(), peer, e.errno(), e.getMessage());
            return error(id, e);
        } catch (FsException e) {
            log.debug("request {} from {} failed: {} {}", request.path("op").asText(), peer, e.errno(), e.getMessage());
            return error(id, new IpcError(e.errno(), e.getMessage()));
        } catch (RuntimeException e) {
            log.error("request {} from {} failed: {}", request.path("op").asText(), peer, e.toString(), e);
            return error(id, new IpcError(Errno.EIO, "internal error: " + e));
        }
    }

    /** An error response not tied to a request (id null), e.g. for a refused connection. */
    static byte[] error(String errno, String message) {
        return error(null, new IpcError(errno, message));
    }

    private static byte[] error(JsonNode id, IpcError e) {
        ObjectNode r = NODES.objectNode();
        r.set("id", id == null ? NullNode.instance : id);
        r.put("ok", false);
        r.put("errno", e.errno());
        r.put("error", e.getMessage());
        return write(r);
    }

    private static byte[] write(ObjectNode r) {
        try {
            return Json.MAPPER.writeValueAsBytes(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode dispatch(Peer peer, ObjectNode request) {
        JsonNode opNode = request.get("op");
        if (opNode == null || !opNode.isTextual()) {
            throw new IpcError(Errno.EINVAL, "missing 'op' (a string; one of " + String.join(", ", ops.keySet()) + ")");
        }
        String name = opNode.asText();
        Op op = ops.get(name);
        if (op == null) {
            throw new IpcError(Errno.EINVAL, "unknown op '" + name + "' (one of " + String.join(", ", ops.keySet()) + ")");
        }
        if (peer.access() != Access.READ_WRITE && op.write()) {
            throw new IpcError(Errno.EPERM, name + " needs root (uid 0 and gid 0); this connection (uid " + peer.uid()
                    + ", gid " + peer.gid() + ") is read-only");
        }
        for (Iterator<String> it = request.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("id") && !f.equals("op") && !op.fields().contains(f)) {
                throw new IpcError(Errno.EINVAL, "unknown argument '" + f + "' for op '" + name + "'");
            }
        }
        try {
            return op.handler().handle(peer, new Args(name, request));
        } finally {
            // also after a failure (it may have changed something first), and after a watch
            // (its client reads what changed through the mount next)
            beforeAnswer.run();
        }
    }

    // ---------------------------------------------------------------- operations

    private JsonNode statusText(String file) {
        return TextNode.valueOf(new String(status.render(file), StandardCharsets.UTF_8));
    }

    private JsonNode setStatus(Peer peer, Args a) {
        String name = a.string("name", true);
        byte[] value = a.base64("value_b64");
        kv.set(name, value);
        listener.statusSet(name, value.clone());
        return null;
    }

    private JsonNode getStatus(Peer peer, Args a) {
        String name = a.string("name", true);
        KvStore.checkKey(name);
        String node = a.string("node", false);
        String n = node == null || node.isEmpty() ? kv.localNode() : node;
        byte[] value = kv.get(n, name)
                .orElseThrow(() -> new IpcError(Errno.ENOENT, "no status '" + name + "' for node '" + n + "'"));
        ObjectNode r = NODES.objectNode();
        r.put("value_b64", Base64.getEncoder().encodeToString(value));
        return r;
    }

    private JsonNode logClusterMsg(Peer peer, Args a) {
        long priority = a.integer("priority", true, -1);
        if (priority < 0 || priority > 7) {
            throw new IpcError(Errno.EINVAL, "priority must be 0..7 (emerg..debug), not " + priority);
        }
        String ident = a.string("ident", true);
        String tag = a.string("tag", true);
        String msg = a.stringWithNul("msg");
        // Java's SO_PEERCRED gives no pid; root clients may declare theirs.
        long pid = a.integer("pid", false, 0);
        if (pid < 0 || pid > 0xFFFF_FFFFL) {
            throw new IpcError(Errno.EINVAL, "pid out of range: " + pid);
        }
        ClusterLogEntry e = clusterLog.addLocal((int) priority, ident, tag, pid, msg, nowSeconds.getAsLong());
        listener.clusterLogged(e);
        return null;
    }

    private JsonNode getClusterLog(Peer peer, Args a) {
        long max = a.integer("max", false, 0);
        if (max < 0) {
            throw new IpcError(Errno.EINVAL, "max must not be negative");
        }
        int n = max == 0 ? ClusterLog.DEFAULT_MAX_ENTRIES : (int) Math.min(max, Integer.MAX_VALUE);
        String user = a.string("user", false);
        return TextNode.valueOf(new String(status.renderClusterLog(n, user), StandardCharsets.UTF_8));
    }

    private JsonNode getConfig(Peer peer, Args a) {
        String path = a.string("path", true);
        List<String> parts = Paths.split(path);
        if (peer.access() != Access.READ_WRITE && isPrivate(parts)) {
            throw new IpcError(Errno.EPERM, "'" + path + "' is private: only root (uid 0 and gid 0) may read it");
        }
        TreeEntry e = db.lookup(path).filter(x -> !x.isDir())
                .orElseThrow(() -> new IpcError(Errno.ENOENT, "no such file: '" + path + "'"));
        ObjectNode r = NODES.objectNode();
        r.put("data_b64", Base64.getEncoder().encodeToString(e.data() == null ? new byte[0] : e.data()));
        return r;
    }

    private JsonNode getGuestConfigProperty(Peer peer, Args a) {
        long vmid = a.integer("vmid", false, 0);
        String property = a.string("property", true);
        String text = GuestProperties.render(db.vmList(), this::readFile, vmid, List.of(property));
        return TextNode.valueOf(text);
    }

    private Optional<byte[]> readFile(String path) {
        return db.lookup(path).filter(e -> !e.isDir()).map(e -> e.data() == null ? new byte[0] : e.data());
    }

    /** {@code priv}, {@code priv/...}, {@code nodes/<node>/priv}, {@code nodes/<node>/priv/...}. */
    public static boolean isPrivate(List<String> parts) {
        if (!parts.isEmpty() && parts.get(0).equals("priv")) {
            return true;
        }
        return parts.size() >= 3 && parts.get(0).equals("nodes") && parts.get(2).equals("priv");
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** Typed access to the arguments of one request; type errors are EINVAL. */
    public record Args(String op, ObjectNode request) {

        /** The string argument; null if absent and not required. */
        public String string(String field, boolean required) {
            String s = stringWithNul(field, required);
            if (s != null && s.indexOf('\0') >= 0) {
                throw new IpcError(Errno.EINVAL, "'" + field + "' must not contain NUL characters");
            }
            return s;
        }

        String stringWithNul(String field) {
            return stringWithNul(field, true);
        }

        private String stringWithNul(String field, boolean required) {
            JsonNode n = request.get(field);
            if (n == null || n.isNull()) {
                if (required) {
                    throw new IpcError(Errno.EINVAL, "op '" + op + "' needs the string argument '" + field + "'");
                }
                return null;
            }
            if (!n.isTextual()) {
                throw new IpcError(Errno.EINVAL, "'" + field + "' must be a string");
            }
            return n.asText();
        }

        /** The integer argument; {@code dflt} if absent and not required. */
        public long integer(String field, boolean required, long dflt) {
            JsonNode n = request.get(field);
            if (n == null || n.isNull()) {
                if (required) {
                    throw new IpcError(Errno.EINVAL, "op '" + op + "' needs the integer argument '" + field + "'");
                }
                return dflt;
            }
            if (!n.isIntegralNumber() || !n.canConvertToLong()) {
                throw new IpcError(Errno.EINVAL, "'" + field + "' must be an integer");
            }
            return n.asLong();
        }

        byte[] base64(String field) {
            String s = string(field, true);
            try {
                return Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                throw new IpcError(Errno.EINVAL, "'" + field + "' is not valid base64: " + e.getMessage());
            }
        }
    }
}
