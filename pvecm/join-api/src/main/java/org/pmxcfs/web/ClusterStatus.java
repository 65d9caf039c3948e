package org.pmxcfs.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.CorosyncConfException;
import org.pmxcfs.corosync.NodeEntry;

/**
 * {@code GET /cluster/status}, as the original's: one {@code cluster} entry (name, config
 * version, nodes, quorate; here also expected votes, total votes and the quorum) and one
 * {@code node} entry per node (name, nodeid, online, local, ip; here also votes and the address
 * of each link). Built from {@code .members} and corosync.conf of the mount; a node that is not
 * in a cluster is a single node entry.
 */
final class ClusterStatus {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ClusterStatus() {}

    static ArrayNode build(Path mount, String nodename) throws IOException {
        JsonNode members = JSON.readTree(Files.readAllBytes(mount.resolve(".members")));
        Optional<CorosyncConf> conf = corosyncConf(mount);
        ArrayNode out = JSON.createArrayNode();
        JsonNode list = members.path("nodelist");
        if (conf.isEmpty() || !members.has("cluster")) {
            ObjectNode n = out.addObject();
            n.put("type", "node").put("id", "node/" + nodename).put("name", nodename).put("nodeid", 0)
                    .put("online", 1).put("local", 1).put("votes", 1);
            n.putObject("links");
            return out;
        }
        JsonNode cluster = members.get("cluster");
        Map<String, Integer> votes = new HashMap<>();
        long expected = 0;
        long total = 0;
        for (NodeEntry e : conf.get().nodes()) {
            votes.put(e.name(), e.quorumVotes());
            expected += e.quorumVotes();
            if (list.path(e.name()).path("online").asInt() == 1) {
                total += e.quorumVotes();
            }
        }
        ObjectNode c = out.addObject();
        c.put("type", "cluster").put("id", "cluster").put("name", cluster.path("name").asText())
                .put("version", cluster.path("version").asLong()).put("nodes", cluster.path("nodes").asInt())
                .put("quorate", cluster.path("quorate").asInt()).put("expected_votes", expected)
                .put("total_votes", total).put("quorum", expected / 2 + 1);
        for (NodeEntry e : conf.get().nodes()) {
            JsonNode m = list.path(e.name());
            ObjectNode n = out.addObject();
            n.put("type", "node").put("id", "node/" + e.name()).put("name", e.name()).put("nodeid", e.nodeid())
                    .put("online", m.path("online").asInt()).put("local", e.name().equals(nodename) ? 1 : 0)
                    .put("ip", m.path("ip").asText(e.ring0Addr())).put("votes", votes.get(e.name()));
            ObjectNode links = n.putObject("links");
            e.ringAddrs().forEach((link, addr) -> links.put(Integer.toString(link), addr));
        }
        return out;
    }

    private static Optional<CorosyncConf> corosyncConf(Path mount) throws IOException {
        try {
            return Optional.of(CorosyncConf.parse(Files.readAllBytes(mount.resolve("corosync.conf"))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (CorosyncConfException e) {
            throw new IOException("unable to parse corosync.conf: " + e.getMessage(), e);
        }
    }
}
