package org.pmxcfs.pvecm.join;

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
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the daemon's IPC socket over a directory standing in for the mount:
 * get_paths, get_config (files of the directory), get_guest_list (empty), get_cluster_info,
 * log_cluster_msg (recorded), get_quorum_status (local mode: EINVAL).
 */
final class MiniDaemon implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final Path runDir;
    final Path mount;
    final String node;
    final List<String> clusterLog = new CopyOnWriteArrayList<>();
    private final ServerSocketChannel server;

    MiniDaemon(Path dir, String node) throws IOException {
        this.runDir = Files.createDirectories(dir.resolve("run"));
        this.mount = Files.createDirectories(dir.resolve("mnt"));
        this.node = node;
        Files.createDirectories(mount.resolve("priv"));
        Files.createSymbolicLink(mount.resolve("local"), Path.of("nodes/" + node)); // lstat mode 0777: quorate
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(runDir.resolve("pmxcfs.sock")));
        Thread t = new Thread(this::accept, "mini-pmxcfs");
        t.setDaemon(true);
        t.start();
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                Thread t = new Thread(() -> serve(c), "mini-pmxcfs-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c; BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c),
                StandardCharsets.UTF_8)); OutputStream out = Channels.newOutputStream(c)) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode req = JSON.readTree(line);
                ObjectNode r = answer(req);
                r.set("id", req.get("id"));
                out.write((JSON.writeValueAsString(r) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException ignored) {
            // client went away
        }
    }

    private ObjectNode answer(JsonNode req) throws IOException {
        String op = req.path("op").asText();
        ObjectNode r = JSON.createObjectNode();
        switch (op) {
            case "get_paths" -> {
                ObjectNode p = r.putObject("result");
                p.put("mountpoint", mount.toString());
                p.put("data_dir", runDir.resolveSibling("data").toString());
                p.put("run_dir", runDir.toString());
                p.put("authkey", runDir.resolveSibling("authkey").toString());
                p.put("corosync_conf", runDir.resolveSibling("corosync.conf").toString());
                p.put("nodename", node);
                p.put("clustered", false);
            }
            case "get_config" -> {
                Path f = mount.resolve(req.path("path").asText());
                if (!Files.isRegularFile(f)) {
                    return error("ENOENT", "no such file");
                }
                r.putObject("result").put("data_b64", Base64.getEncoder().encodeToString(Files.readAllBytes(f)));
            }
            case "get_guest_list" -> r.put("result", "{\n\"version\": 1,\n\"ids\": {\n}\n\n}\n");
            case "get_cluster_info" -> r.put("result", "{\n\"nodename\": \"" + node + "\",\n\"version\": 0\n}\n");
            case "log_cluster_msg" -> {
                clusterLog.add(req.path("priority").asInt() + " " + req.path("ident").asText() + " "
                        + req.path("tag").asText() + " " + req.path("msg").asText());
                r.putNull("result");
            }
            case "get_quorum_status" -> {
                return error("EINVAL", "this node is not part of a cluster (local mode)");
            }
            default -> {
                return error("EINVAL", "unknown op " + op);
            }
        }
        r.put("ok", true);
        return r;
    }

    private static ObjectNode error(String errno, String msg) {
        ObjectNode r = JSON.createObjectNode();
        r.put("ok", false);
        r.put("errno", errno);
        r.put("error", msg);
        return r;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
