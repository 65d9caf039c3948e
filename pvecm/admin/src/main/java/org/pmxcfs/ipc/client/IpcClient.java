package org.pmxcfs.ipc.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Client of the daemon's IPC socket (protocol in {@code docs/IPC.md}), for pvecm and tests.
 *
 * <p>One connection, one request at a time ({@link #call} is synchronized). Every call has a
 * deadline ({@link SocketTimeoutException} when it passes; the connection is then dropped). If a
 * connection that was idle turns out to be closed (the daemon closes idle connections, or was
 * restarted), the call reconnects and is sent once more, like the original's Perl client.
 */
public final class IpcClient implements AutoCloseable {

    /** The daemon's default run directory. */
    public static final Path DEFAULT_RUN_DIR = Path.of("/run/pve-cluster");
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** Longest response line accepted (the largest real ones, a 1 MiB file, are about 1.4 MiB). */
    public static final int MAX_RESPONSE_BYTES = 64 << 20;

    /** Nobody listens on the socket: the daemon is not running. */
    public static final class NotRunningException extends IOException {
        private static final long serialVersionUID = 1L;

        NotRunningException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * One response. {@code id} is null for errors not tied to a request (connection refused,
     * request line too long, malformed request).
     */
    public record Response(Long id, boolean ok, JsonNode result, String errno, String error) {

        /** The result, or the daemon's error as an {@link IpcException}. */
        public JsonNode resultOrThrow() throws IpcException {
            if (!ok) {
                throw new IpcException(errno, error);
            }
            return result;
        }
    }

    private final Path socket;
    private final Duration timeout;
    private final String startHint;
    private SocketChannel ch;
    private Selector selector;
    /** Bytes received but not yet returned as a line; {@code scanned} of them hold no newline. */
    private byte[] pending = new byte[64 * 1024];
    private int pendingLen;
    private int scanned;
    private long nextId = 1;

    private IpcClient(Path socket, Duration timeout, String startHint) {
        this.socket = socket;
        this.timeout = timeout;
        this.startHint = startHint;
    }

    /** Connects to {@code <runDir>/pmxcfs.sock} with the default timeout (30 s per call). */
    public static IpcClient connect(Path runDir) throws IOException {
        return connect(runDir, DEFAULT_TIMEOUT);
    }

    /** {@code <runDir>/pmxcfs.sock}: where the daemon's IPC server listens. */
    public static Path socketPath(Path runDir) {
        return runDir.resolve("pmxcfs.sock");
    }

    /**
     * Connects to {@code <runDir>/pmxcfs.sock}.
     *
     * @throws NotRunningException   if no daemon listens there
     * @throws AccessDeniedException if this user may not use the socket
     */
    public static IpcClient connect(Path runDir, Duration timeout) throws IOException {
        String hint = runDir.equals(DEFAULT_RUN_DIR) ? "'pmxcfs' (or 'systemctl start pve-cluster')"
                : "'pmxcfs --run-dir " + runDir + "'";
        IpcClient c = new IpcClient(socketPath(runDir), timeout, hint);
        c.open(deadline(timeout));
        return c;
    }

    public Path socket() {
        return socket;
    }

    /**
     * Sends {@code {"id": n, "op": op, ...args}} and waits for its response. Error responses are
     * returned, not thrown; see {@link Response#resultOrThrow()} and the typed methods.
     *
     * @param args the request's arguments: strings, numbers, booleans, null; byte arrays are sent
     *             as base64 strings
     * @throws SocketTimeoutException if no response came within the timeout
     * @throws NotRunningException    if the daemon went away and does not come back on reconnect
     */
    public synchronized Response call(String op, Map<String, ?> args) throws IOException {
        Objects.requireNonNull(op, "op");
        long id = nextId++;
        ObjectNode req = Json.MAPPER.createObjectNode();
        req.put("id", id);
        req.put("op", op);
        if (args != null) {
            for (Map.Entry<String, ?> e : args.entrySet()) {
                req.set(e.getKey(), Json.MAPPER.valueToTree(e.getValue()));
            }
        }
        byte[] line;
        try {
            line = Json.MAPPER.writeValueAsBytes(req);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("arguments cannot be sent as JSON: " + e.getMessage(), e);
        }
        long deadline = deadline(timeout);
        boolean reused = ch != null;
        if (ch == null) {
            open(deadline);
        }
        byte[] raw;
        try {
            raw = exchange(line, deadline);
        } catch (SocketTimeoutException e) {
            drop();
            throw new SocketTimeoutException("no response from pmxcfs within " + timeout.toMillis() + " ms (op "
                    + op + ")");
        } catch (IOException e) {
            drop();
            if (!reused || e instanceof ResponseStarted) {
                throw e;
            }
            open(deadline); // the daemon closed the idle connection, or was restarted: once more
            try {
                raw = exchange(line, deadline);
            } catch (IOException again) {
                drop();
                throw again;
            }
        }
        Response r = parse(raw);
        if (r.id() == null && !r.ok()) {
            drop(); // the daemon closes the connection after such errors
        } else if (r.id() == null || r.id() != id) {
            drop();
            throw new IOException("protocol error: response id " + r.id() + " for request " + id);
        }
        return r;
    }

    // ---------------------------------------------------------------- typed requests

    /** The {@code .version} JSON text. */
    public String getFsVersion() throws IOException {
        return text("get_fs_version", Map.of());
    }

    /** The {@code .members} JSON text. */
    public String getClusterInfo() throws IOException {
        return text("get_cluster_info", Map.of());
    }

    /** The {@code .vmlist} JSON text. */
    public String getGuestList() throws IOException {
        return text("get_guest_list", Map.of());
    }

    /** The {@code .rrd} text. */
    public String getRrdDump() throws IOException {
        return text("get_rrd_dump", Map.of());
    }

    /** Sets a status value of this node; an empty value deletes it. Needs root. */
    public void setStatus(String name, byte[] value) throws IOException {
        call("set_status", Map.of("name", name, "value_b64", Base64.getEncoder().encodeToString(value)))
                .resultOrThrow();
    }

    /** A status value of {@code node} (null: this node), empty if unknown. */
    public Optional<byte[]> getStatus(String name, String node) throws IOException {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("name", name);
        if (node != null) {
            args.put("node", node);
        }
        return binary("get_status", args, "value_b64");
    }

    /** Adds an entry to the cluster log, with this process's pid. Needs root. */
    public void logClusterMsg(int priority, String ident, String tag, String msg) throws IOException {
        call("log_cluster_msg", Map.of("priority", priority, "ident", ident, "tag", tag, "msg", msg,
                "pid", ProcessHandle.current().pid())).resultOrThrow();
    }

    /** The cluster log JSON text: up to {@code max} entries (0: 50), only of {@code user} if not null. */
    public String getClusterLog(int max, String user) throws IOException {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("max", max);
        if (user != null) {
            args.put("user", user);
        }
        return text("get_cluster_log", args);
    }

    /** The content of a file in the cluster filesystem, empty if there is no such file. */
    public Optional<byte[]> getConfig(String path) throws IOException {
        return binary("get_config", Map.of("path", path), "data_b64");
    }

    /** The JSON text of {@code property} of guest {@code vmid} (0: all guests). */
    public String getGuestConfigProperty(long vmid, String property) throws IOException {
        return text("get_guest_config_property", Map.of("vmid", vmid, "property", property));
    }

    private String text(String op, Map<String, ?> args) throws IOException {
        JsonNode r = call(op, args).resultOrThrow();
        if (r == null || !r.isTextual()) {
            throw new IOException("protocol error: " + op + " returned no text");
        }
        return r.asText();
    }

    private Optional<byte[]> binary(String op, Map<String, ?> args, String field) throws IOException {
        Response resp = call(op, args);
        if (!resp.ok() && "ENOENT".equals(resp.errno())) {
            return Optional.empty();
        }
        JsonNode r = resp.resultOrThrow();
        JsonNode v = r == null ? null : r.get(field);
        if (v == null || !v.isTextual()) {
            throw new IOException("protocol error: " + op + " returned no " + field);
        }
        try {
            return Optional.of(Base64.getDecoder().decode(v.asText()));
        } catch (IllegalArgumentException e) {
            throw new IOException("protocol error: " + op + " returned bad base64", e);
        }
    }

    // ---------------------------------------------------------------- transport

    /** Failure after part of the response arrived: the request was executed, do not resend. */
    private static final class ResponseStarted extends IOException {
        private static final long serialVersionUID = 1L;

        ResponseStarted(String message) {
            super(message);
        }
    }

    private void open(long deadline) throws IOException {
        try {
            Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new NotRunningException("pmxcfs is not running (no socket at " + socket + ") - start it with "
                    + startHint, e);
        } catch (AccessDeniedException e) {
            throw accessDenied(e);
        }
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector s = null;
        try {
            c.configureBlocking(false);
            s = Selector.open();
            if (!c.connect(UnixDomainSocketAddress.of(socket))) {
                c.register(s, SelectionKey.OP_CONNECT);
                while (!c.finishConnect()) {
                    waitFor(s, deadline);
                }
            }
        } catch (IOException e) {
            c.close();
            if (s != null) {
                s.close();
            }
            String m = String.valueOf(e.getMessage());
            if (m.contains("Connection refused")) {
                throw new NotRunningException("pmxcfs is not running (stale socket at " + socket
                        + ", connection refused) - start it with " + startHint, e);
            }
            if (m.contains("Permission denied")) {
                throw accessDenied(e);
            }
            if (e instanceof SocketTimeoutException) {
                throw new SocketTimeoutException("pmxcfs does not accept connections on " + socket + " (timeout)");
            }
            throw new IOException("cannot connect to pmxcfs at " + socket + ": " + m, e);
        }
        ch = c;
        selector = s;
        pendingLen = 0;
        scanned = 0;
    }

    private AccessDeniedException accessDenied(Exception cause) {
        AccessDeniedException e = new AccessDeniedException(socket.toString(), null,
                "permission denied - run as root (or with group www-data for read-only access)");
        e.initCause(cause);
        return e;
    }

    private byte[] exchange(byte[] request, long deadline) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(request.length + 1).put(request).put((byte) '\n').flip();
        SelectionKey key = ch.keyFor(selector);
        if (key == null) {
            key = ch.register(selector, 0);
        }
        while (out.hasRemaining()) {
            int written;
            try {
                written = ch.write(out);
            } catch (IOException e) {
                // the daemon may have refused the connection with an error line and closed it
                byte[] refusal = drainLine();
                if (refusal != null) {
                    return refusal;
                }
                throw e;
            }
            if (written == 0) {
                key.interestOps(SelectionKey.OP_WRITE);
                waitFor(selector, deadline);
            }
        }
        key.interestOps(SelectionKey.OP_READ);
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        boolean started = pendingLen > 0;
        while (true) {
            byte[] line = takeLine();
            if (line != null) {
                return line;
            }
            if (pendingLen > MAX_RESPONSE_BYTES) {
                throw new ResponseStarted("response longer than " + MAX_RESPONSE_BYTES + " bytes");
            }
            in.clear();
            int n = ch.read(in);
            if (n < 0) {
                String m = "pmxcfs closed the connection";
                throw started ? new ResponseStarted(m + " in the middle of a response") : new EOFException(m);
            }
            if (n == 0) {
                waitFor(selector, deadline);
                continue;
            }
            started = true;
            append(in.array(), n);
        }
    }

    /** A line already received, without waiting; null if there is none. */
    private byte[] drainLine() {
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        try {
            while (true) {
                byte[] line = takeLine();
                if (line != null) {
                    return line;
                }
                in.clear();
                int n = ch.read(in);
                if (n <= 0) {
                    return null;
                }
                append(in.array(), n);
            }
        } catch (IOException e) {
            return null;
        }
    }

    /** The first complete line of the pending input (without newline), removing it; null if none. */
    private byte[] takeLine() {
        for (; scanned < pendingLen; scanned++) {
            if (pending[scanned] == '\n') {
                byte[] line = Arrays.copyOf(pending, scanned);
                int rest = pendingLen - scanned - 1;
                System.arraycopy(pending, scanned + 1, pending, 0, rest);
                pendingLen = rest;
                scanned = 0;
                return line;
            }
        }
        return null;
    }

    private void append(byte[] b, int n) {
        if (pendingLen + n > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pendingLen + n, pending.length * 2));
        }
        System.arraycopy(b, 0, pending, pendingLen, n);
        pendingLen += n;
    }

    private static void waitFor(Selector s, long deadline) throws IOException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException("timeout");
        }
        s.select(Math.max(1, left));
        s.selectedKeys().clear();
    }

    private static Response parse(byte[] raw) throws IOException {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(raw);
        } catch (IOException e) {
            throw new IOException("protocol error: response is not JSON: "
                    + new String(raw, 0, Math.min(raw.length, 200), StandardCharsets.UTF_8), e);
        }
        if (n == null || !n.isObject() || !n.path("ok").isBoolean()) {
            throw new IOException("protocol error: unexpected response "
                    + new String(raw, 0, Math.min(raw.length, 200), StandardCharsets.UTF_8));
        }
        JsonNode id = n.get("id");
        Long rid = id != null && id.canConvertToLong() && id.isIntegralNumber() ? id.asLong() : null;
        boolean ok = n.get("ok").asBoolean();
        if (ok) {
            JsonNode result = n.get("result");
            return new Response(rid, true, result == null || result.isNull() ? null : result, null, null);
        }
        return new Response(rid, false, null, n.path("errno").asText("EIO"), n.path("error").asText(""));
    }

    private static long deadline(Duration timeout) {
        return System.nanoTime() + timeout.toNanos();
    }

    private void drop() {
        try {
            if (selector != null) {
                selector.close();
            }
            if (ch != null) {
                ch.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        ch = null;
        selector = null;
        pendingLen = 0;
        scanned = 0;
    }

    @Override
    public synchronized void close() {
        drop();
    }
}
