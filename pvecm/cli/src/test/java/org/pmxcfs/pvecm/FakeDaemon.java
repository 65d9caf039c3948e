package org.pmxcfs.pvecm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A stand-in for pmxcfs's IPC socket ({@code <run>/pmxcfs.sock}, JSON lines): each op answers
 * with what a test put into {@link #ops}; unknown ops get EINVAL. Records the requests.
 */
final class FakeDaemon implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final Path runDir;
    final Map<String, Function<JsonNode, JsonNode>> ops = new ConcurrentHashMap<>();
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final ServerSocketChannel server;
    private final Thread acceptor;

    FakeDaemon(Path runDir) throws IOException {
        this.runDir = runDir;
        Files.createDirectories(runDir);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(runDir.resolve("pmxcfs.sock")));
        acceptor = new Thread(this::acceptLoop, "fake-pmxcfs");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** get_paths as the daemon answers it, for a tree mounted at {@code mnt}. */
    FakeDaemon paths(Path mnt, String node) {
        ObjectNode p = JSON.createObjectNode();
        p.put("mountpoint", mnt.toString());
        p.put("data_dir", runDir.resolveSibling("data").toString());
        p.put("run_dir", runDir.toString());
        p.put("authkey", runDir.resolveSibling("authkey").toString());
        p.put("corosync_conf", runDir.resolveSibling("corosync.conf").toString());
        p.put("nodename", node);
        ops.put("get_paths", r -> ok(p));
        return this;
    }

    /** get_config of corosync.conf returns {@code text}, other files are missing. */
    FakeDaemon corosyncConf(String text) {
        ops.put("get_config", r -> r.path("path").asText().equals("corosync.conf") && text != null
                ? ok(JSON.createObjectNode().put("data_b64",
                        java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))))
                : error("ENOENT", "no such file"));
        return this;
    }

    static JsonNode ok(JsonNode result) {
        ObjectNode r = JSON.createObjectNode();
        r.put("ok", true);
        r.set("result", result);
        return r;
    }

    static JsonNode error(String errno, String message) {
        ObjectNode r = JSON.createObjectNode();
        r.put("ok", false);
        r.put("errno", errno);
        r.put("error", message);
        return r;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                Thread t = new Thread(() -> serve(ch), "fake-pmxcfs-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel ch) {
        try (ch; BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch),
                StandardCharsets.UTF_8)); OutputStream out = Channels.newOutputStream(ch)) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode req = JSON.readTree(line);
                requests.add(req);
                Function<JsonNode, JsonNode> op = ops.get(req.path("op").asText());
                ObjectNode resp = ((ObjectNode) (op == null ? error("EINVAL", "unknown op") : op.apply(req))).deepCopy();
                resp.set("id", req.get("id"));
                out.write((JSON.writeValueAsString(resp) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // client went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(runDir.resolve("pmxcfs.sock"));
    }
}
