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
 * OutOfMemoryError, and each garbage packet logged a stack trace. Now the group ports take
 * sealed datagrams only, and the failure detector's TCP port refuses frames over 4 KiB.
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

        // 100 TCP connections, each a JGroups peer preamble and a frame header declaring 8 MiB: to the
        // group ports (TCP before the datagram transport: about 200 MiB declared in all broke a
        // node) and to the failure detector's ports
        List<Socket> held = new ArrayList<>();
        int connected = 0;
        try {
            for (int i = 0; i < 100; i++) {
                int port = c.port + (i % 2) + (i % 4 >= 2 ? 100 : 0);
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress(target, port), 1000);
                    connected++;
                    held.add(s);
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    out.write(new byte[] {'b', 'e', 'l', 'a'});
                    out.writeShort(org.jgroups.Version.version);
                    out.writeShort(7);
                    out.writeByte(4);
                    out.write(new byte[] {127, 0, 0, 9});
                    out.writeShort(40000 + i);
                    out.writeInt(8 << 20);
                    out.write(new byte[4096]);
                    out.flush();
                } catch (IOException e) {
                    s.close(); // nothing listens there, or the node reset it: fine, as long as it lives
                }
            }
            assertTrue(connected >= 50, "the failure detector's ports " + (c.port + 100) + " and " + (c.port + 101)
                    + " are reachable: " + connected + " connections");
            // a frame over the cap is not buffered: the node drops the connection at once
            int dropped = 0;
            for (Socket s : held) {
                s.setSoTimeout(5_000);
                try {
                    // the failure detector greets every connection; read up to the end of the stream
                    while (s.getInputStream().read(new byte[256]) >= 0) {
                        continue;
                    }
                    dropped++;
                } catch (java.net.SocketTimeoutException e) {
                    // still open after 5 s: the node is waiting for the 8 MiB
                } catch (IOException e) {
                    dropped++; // reset by the node
                }
            }
            assertEquals(connected, dropped, "connections declaring an 8 MiB frame closed by the node");

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
        System.out.printf("[cluster-timing] %d garbage datagrams, %d forged TCP frames accepted: %d drop lines, %d stack frames"
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
