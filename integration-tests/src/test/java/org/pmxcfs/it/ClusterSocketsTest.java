package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every cluster socket of a node, listening and outgoing, TCP and UDP, is bound to that node's
 * ring address: address-based firewall rules and routes then see each node where corosync.conf
 * puts it (before, outgoing connections of every node left from 127.0.0.1).
 */
class ClusterSocketsTest extends ClusterTestBase {

    @Override
    int classIndex() {
        return 8;
    }

    @Test
    void everySocketOfANodeIsBoundToItsRingAddress() throws Exception {
        Cluster c = started(3);
        for (Cluster.Node n : c.nodes) {
            List<String> sockets = socketsOf(n.readPid());
            assertTrue(sockets.stream().anyMatch(s -> s.startsWith("udp")), n + " has UDP sockets: " + sockets);
            assertTrue(sockets.stream().anyMatch(s -> s.startsWith("tcp") && !s.contains("LISTEN")),
                    n + " has connected TCP sockets: " + sockets);
            List<String> elsewhere = sockets.stream().filter(s -> !local(s).equals(c.address(n.id))).toList();
            assertEquals(List.of(), elsewhere, n + "'s sockets not on " + c.address(n.id));
        }
    }

    /** {@code ss} lines "proto state local peer" of the process's TCP and UDP sockets. */
    private static List<String> socketsOf(long pid) throws Exception {
        Process p = new ProcessBuilder("ss", "-H", "-tunap").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "ss finished");
        List<String> mine = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.contains("pid=" + pid + ",")) {
                String[] f = line.trim().split("\\s+");
                mine.add(f[0] + " " + f[1] + " " + f[4] + " " + f[5]);
            }
        }
        return mine;
    }

    /** The IPv4 address of a socket's local end ("[::ffff:127.0.0.2]:16081" → "127.0.0.2"). */
    private static String local(String socket) {
        String addr = socket.split(" ")[2];
        addr = addr.substring(0, addr.lastIndexOf(':')).replace("[::ffff:", "").replace("[", "").replace("]", "");
        return addr;
    }
}
