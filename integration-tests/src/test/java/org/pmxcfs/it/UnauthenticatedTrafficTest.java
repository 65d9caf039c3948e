package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Strangers on the cluster ports: garbage and forged frames from a process without the cluster
 * key must cost a node a small, bounded amount of memory, CPU and log, and nothing else. Before
 * the sealed datagram transport, about 50 unauthenticated TCP connections that declared 200 MiB
 * in total made the next ordinary 512 KiB write end the node's delivery thread with an
 * OutOfMemoryError, and each garbage packet logged a stack trace.
 */
class UnauthenticatedTrafficTest extends ClusterTestBase {

    @Override
    int classIndex() {
        return 7;
    }

    @Test
    void garbageAndForgedFramesNeitherBreakANodeNorFloodItsLog() throws Exception {
        Cluster c = started(3);
        Cluster.Node n1 = c.node(1);
        InetAddress target = InetAddress.getByName("127.0.0.1");
        Random r = new Random(42);

        // 10,000 datagrams of garbage on both group ports of node1, from two forged-looking sources
        int sent = 0;
        try (DatagramSocket a = new DatagramSocket(new InetSocketAddress("127.0.0.9", 0));
             DatagramSocket b = new DatagramSocket(new InetSocketAddress("127.0.0.10", 0))) {
            for (int i = 0; i < 10_000; i++) {
                byte[] junk = new byte[1 + r.nextInt(1400)];
                r.nextBytes(junk);
                if (i % 2 == 0 && junk.length > 16) {
                    // what a JGroups header declaring a 200 MiB payload looks like, unsealed
                    ByteBuffer.wrap(junk).putShort(org.jgroups.Version.version).put((byte) 0).put((byte) 1)
                            .putInt(200 << 20);
                }
                (i % 2 == 0 ? a : b).send(new DatagramPacket(junk, junk.length, target, c.port + (i % 2)));
                sent++;
            }
        }

        // 100 TCP connections to the failure detector's port, each declaring a 200 MiB frame
        List<Socket> held = new ArrayList<>();
        int connected = 0;
        try {
            for (int i = 0; i < 100; i++) {
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress(target, c.port + 100 + (i % 2)), 1000);
                    connected++;
                    held.add(s);
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    out.write(new byte[] {'b', 'e', 'l', 'a'});
                    out.writeShort(org.jgroups.Version.version);
                    out.writeShort(7);
                    out.writeByte(4);
                    out.write(new byte[] {127, 0, 0, 9});
                    out.writeShort(40000 + i);
                    out.writeInt(200 << 20);
                    out.write(new byte[4096]);
                    out.flush();
                } catch (IOException e) {
                    s.close(); // refused or reset by the node: fine, as long as it lives
                }
            }
            assertTrue(connected > 0, "the failure detector's port " + (c.port + 100) + " is reachable");

            // node1 works as before: a 512 KiB write, small writes, and writes of the others arrive
            byte[] big = new byte[512 * 1024];
            r.nextBytes(big);
            String bigText = text(big);
            assertEquals(0, ClusterFs.tryPut(n1.path("big.cfg"), bigText), "512 KiB write on node1");
            for (int i = 0; i < 20; i++) {
                assertEquals(0, ClusterFs.tryPut(n1.path("n1-" + i + ".cfg"), "x" + i + "\n"));
                assertEquals(0, ClusterFs.tryPut(c.node(2).path("n2-" + i + ".cfg"), "y" + i + "\n"));
            }
            Cluster.await("node2's writes on node1", 10_000,
                    () -> "y19\n".equals(ClusterFs.readOrNull(n1.path("n2-19.cfg"))));
            Cluster.await("node1's big file on node3", 10_000,
                    () -> bigText.equals(ClusterFs.readOrNull(c.node(3).path("big.cfg"))));
            assertTrue(n1.quorate(), "node1 quorate");
            assertTrue(n1.alive(), "node1 alive");
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }

        String log = n1.output();
        long dropLines = log.lines().filter(l -> l.contains("dropped") && l.contains("authentication")).count();
        long traces = log.lines().filter(l -> l.contains("\tat ")).count();
        System.out.printf("[cluster-timing] %d garbage datagrams, %d forged TCP frames: %d drop lines, %d stack frames"
                + " logged%n", sent, connected, dropLines, traces);
        assertTrue(dropLines >= 1 && dropLines <= 2 * (4 + 16 + 1), dropLines + " drop lines:\n" + log);
        assertTrue(!log.contains("OutOfMemoryError"), "no OutOfMemoryError:\n" + log);
        assertTrue(log.length() < 200_000, "node1's log stayed small: " + log.length() + " bytes");
    }

    /** 512 KiB of printable text from random bytes. */
    private static String text(byte[] b) {
        return java.util.Base64.getEncoder().encodeToString(b).substring(0, b.length - 1) + "\n";
    }
}
