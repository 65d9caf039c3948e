package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.it.PvecmTest.PASSWORD;
import static org.pmxcfs.it.PvecmTest.QUORATE_TIMEOUT_MS;
import static org.pmxcfs.it.PvecmTest.await;
import static org.pmxcfs.it.PvecmTest.configVersion;
import static org.pmxcfs.it.PvecmTest.nodeNames;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #14, points 1-3: a node removed while it runs, as an admin lives it. The status files
 * and status output agree with the membership at every step; {@code pvecm add --force} on the
 * removed node completes the join instead of leaving the cluster waiting for a vote; a removed
 * node that restarts mounts read-only and says what to do.
 *
 * <p>Ports: cluster {@code 17640 + 2n} (the next one, and 100 above for failure detection),
 * join API {@code 17680 + n}, n = 0..4 rotating per test.
 */
class PvecmMembershipTest extends PvecmTestBase {

    @Override
    PvecmNodes nodes() {
        return nodes(17640, 17680);
    }

    @Test
    @Timeout(240) // three joins and two forced rejoins
    void aNodeRemovedWhileRunningShowsConsistentlyRejoinsWithForceAndRestartsReadOnly() throws Exception {
        PvecmNodes s = nodes();
        PvecmTest.threeNodeCluster(s);
        PvecmNodes.Node a = s.node(1);
        PvecmNodes.Node b = s.node(2);
        PvecmNodes.Node c = s.node(3);
        String port = Integer.toString(s.apiPort);
        String fpA = PvecmNodes.fingerprint(a.cert());

        removeRunning(a, b, c);

        // point 2: added back while it is out, node3 is listed but not online anywhere, and its
        // own status does not claim quorum
        PvecmNodes.Result add = a.pvecm(null, "addnode", "node3", "--link0", "127.0.0.3");
        assertEquals(0, add.exit(), "pvecm addnode node3:\n" + add);
        await("node1's .members lists node3 again", 10_000, () -> online(a).containsKey("node3"));
        long until = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < until) {
            Map<String, Integer> on = online(a);
            assertEquals(Map.of("node1", 1, "node2", 1, "node3", 0), on,
                    "node1's .members: node3 is in the nodelist but in no membership");
            Thread.sleep(200);
        }
        PvecmNodes.Result stC = c.pvecm(null, "status");
        assertEquals(2, stC.exit(), "pvecm status on the removed node3:\n" + stC);
        assertTrue(stC.out().contains("\nQuorate:          No\n"), stC.toString());
        assertTrue(stC.out().contains("\nFlags:            \n"), "no Quorate flag next to 'Quorate: No':\n" + stC);
        assertTrue(stC.out().contains("\nNodes:            0\n") && stC.out().contains("\nTotal votes:      0\n"),
                "node3 counts no members and no votes:\n" + stC);
        PvecmNodes.Result stA = a.pvecm(null, "status");
        assertEquals(0, stA.exit(), stA.toString());
        assertTrue(stA.out().contains("\nNodes:            2\n") && stA.out().contains("\nTotal votes:      2\n")
                && stA.out().contains("\nExpected votes:   3\n"), "node1 counts node1 and node2 of 3:\n" + stA);

        // point 1: 'pvecm add --force' on the running, removed node3 completes the join
        PvecmNodes.Result rejoin = c.pvecm(PASSWORD + "\n", "add", "127.0.0.1", "--link0", "127.0.0.3",
                "--api-port", port, "--fingerprint", fpA, "--force");
        assertEquals(0, rejoin.exit(), "pvecm add --force on the removed node3:\n" + rejoin);
        assertTrue(rejoin.err().contains("WARNING : detected error but forced to continue!"), rejoin.toString());
        assertTrue(rejoin.out().contains("successfully added node 'node3' to cluster.\n"), rejoin.toString());
        assertTrue(rejoin.out().contains("\nbackup old database to '" + c.data.resolve("backup") + "/config-"),
                "the original's backup line:\n" + rejoin);
        await("all three quorate and online after the forced rejoin", QUORATE_TIMEOUT_MS, () -> List.of(a, b, c)
                .stream().allMatch(n -> n.writable() && n.quorateValue() == 1 && PvecmTest.onlineCount(n) == 3));
        Files.writeString(c.path("rejoined.cfg"), "node3 is back\n");
        await("node3's write on node1", 10_000, () -> Daemon.read(a.path("rejoined.cfg")).equals("node3 is back\n"));

        // point 3: removed again, node3 restarts: mounted read-only, with what to do in the log
        removeRunning(a, b, c);
        assertEquals(0, c.stop(), "node3 stops cleanly");
        c.start();
        String log = c.lastOutput();
        assertTrue(log.contains("node 'node3' is not in the nodelist of '" + c.corosyncConf + "' - mounted read-only"),
                "node3 says why it is read-only:\n" + log);
        assertTrue(log.contains("'pvecm add <member> --force'"), "and what to do:\n" + log);
        assertEquals(0, c.quorateValue(), "node3's .members: not quorate");
        assertFalse(c.writable(), "node3 is read-only");
        PvecmTest.assertCreateRefused(c, "outside.cfg");
        assertEquals("node3 is back\n", Files.readString(c.path("rejoined.cfg")), "the tree is readable");

        PvecmNodes.Result back = c.pvecm(PASSWORD + "\n", "add", "127.0.0.1", "--link0", "127.0.0.3",
                "--api-port", port, "--fingerprint", fpA, "--force");
        assertEquals(0, back.exit(), "pvecm add --force on the restarted, removed node3:\n" + back);
        await("all three quorate again", QUORATE_TIMEOUT_MS, () -> List.of(a, b, c).stream()
                .allMatch(n -> n.writable() && n.quorateValue() == 1 && PvecmTest.onlineCount(n) == 3));
    }

    /**
     * Point 10: the SSH trust as the original keeps it, in each node's own root directory
     * ({@code --root-dir}, never the real /root): create and add make root's key, link
     * {@code /root/.ssh/authorized_keys} to {@code priv/authorized_keys}, which holds every
     * node's key (and keys root had before, once each); {@code priv/known_hosts} and
     * {@code nodes/<node>/ssh_known_hosts} hold the host keys; {@code updatecerts
     * --unmerge-known-hosts} turns a linked {@code /etc/ssh/ssh_known_hosts} into a copy.
     */
    @Test
    void sshKeysAndKnownHostsAreSharedThroughTheTree() throws Exception {
        PvecmNodes s = nodes();
        s.startAll(1, 2);
        PvecmNodes.Node a = s.node(1);
        PvecmNodes.Node b = s.node(2);
        Path rootA = PvecmNodes.sysroot(a.run);
        Path rootB = PvecmNodes.sysroot(b.run);
        Files.delete(rootA.resolve("root/.ssh/id_rsa.pub")); // made by ssh-keygen this time
        Files.delete(rootB.resolve("root/.ssh/id_rsa.pub"));
        for (PvecmNodes.Node n : List.of(a, b)) {
            Path etc = PvecmNodes.sysroot(n.run).resolve("etc/ssh");
            Files.createDirectories(etc);
            Files.writeString(etc.resolve("ssh_host_rsa_key.pub"), "ssh-rsa HOSTKEY" + n.id + " root@" + n.name + "\n");
        }
        // node2's root already trusts an admin key, and node2 once had the legacy link
        Files.createDirectories(rootB.resolve("root/.ssh"));
        String admin = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIadminkey admin@laptop";
        Files.writeString(rootB.resolve("root/.ssh/authorized_keys"), admin + "\n");
        Files.createSymbolicLink(rootB.resolve("etc/ssh/ssh_known_hosts"), b.path("priv/known_hosts"));

        PvecmTest.createClusterOnA(s);
        String fpA = PvecmNodes.fingerprint(a.cert());
        PvecmNodes.Result add = b.pvecm(PASSWORD + "\n", "add", "127.0.0.1", "--link0", "127.0.0.2",
                "--api-port", Integer.toString(s.apiPort), "--fingerprint", fpA);
        assertEquals(0, add.exit(), "pvecm add:\n" + add);

        String keyA = Files.readString(rootA.resolve("root/.ssh/id_rsa.pub")).strip();
        String keyB = Files.readString(rootB.resolve("root/.ssh/id_rsa.pub")).strip();
        assertTrue(keyA.startsWith("ssh-rsa ") && keyB.startsWith("ssh-rsa ") && !keyA.equals(keyB), keyA + "\n" + keyB);
        String authorized = Daemon.read(a.path("priv/authorized_keys"));
        for (String k : List.of(keyA, keyB)) {
            assertEquals(1, authorized.lines().filter(k::equals).count(), "each node's key once:\n" + authorized);
        }
        for (PvecmNodes.Node n : List.of(a, b)) {
            Path link = PvecmNodes.sysroot(n.run).resolve("root/.ssh/authorized_keys");
            assertTrue(Files.isSymbolicLink(link), n + ": root's authorized_keys is a link");
            assertEquals(n.path("priv/authorized_keys"), Files.readSymbolicLink(link));
            assertTrue(Files.isRegularFile(PvecmNodes.sysroot(n.run).resolve("root/.ssh/config")), n + ": ssh config");
            assertEquals(n.name + " ssh-rsa HOSTKEY" + n.id + "\n", Daemon.read(a.path("nodes/" + n.name + "/ssh_known_hosts")));
        }
        String known = Daemon.read(a.path("priv/known_hosts"));
        for (String line : List.of("node1 ssh-rsa HOSTKEY1", "127.0.0.1 ssh-rsa HOSTKEY1", "node2 ssh-rsa HOSTKEY2",
                "127.0.0.2 ssh-rsa HOSTKEY2")) {
            assertTrue(known.lines().anyMatch(line::equals), "priv/known_hosts has '" + line + "':\n" + known);
        }
        assertFalse(Files.isSymbolicLink(rootB.resolve("etc/ssh/ssh_known_hosts")), "add un-merged the legacy link");
        assertTrue(authorized.lines().anyMatch(admin::equals), "node2's root's earlier key is trusted cluster-wide");
        assertFalse(Files.exists(rootB.resolve("root/.ssh/authorized_keys.org")), "its backup is gone once merged");

        Files.delete(rootB.resolve("etc/ssh/ssh_known_hosts"));
        Files.createSymbolicLink(rootB.resolve("etc/ssh/ssh_known_hosts"), b.path("priv/known_hosts"));
        PvecmNodes.Result up = b.pvecm(null, "updatecerts", "--unmerge-known-hosts");
        assertEquals(0, up.exit(), up.toString());
        assertTrue(up.out().contains("merge authorized SSH keys\n") && up.out().contains("unmerge SSH known hosts\n"),
                up.toString());
        assertFalse(Files.isSymbolicLink(rootB.resolve("etc/ssh/ssh_known_hosts")), "a copy now");
        assertEquals(Daemon.read(b.path("priv/known_hosts")), Files.readString(rootB.resolve("etc/ssh/ssh_known_hosts")));
    }

    /** delnode node3 on node1 while node3 runs: node3 out, read-only, and in no one's membership. */
    private static void removeRunning(PvecmNodes.Node a, PvecmNodes.Node b, PvecmNodes.Node c) {
        int before = configVersion(a.clusterConf());
        PvecmNodes.Result del = a.pvecm(null, "delnode", "node3");
        assertEquals(0, del.exit(), "pvecm delnode node3:\n" + del);
        assertEquals("Killing node 3\n", del.out(), "the original's line");
        assertEquals(before + 1, configVersion(a.clusterConf()));
        assertEquals(List.of("node1", "node2"), nodeNames(a.clusterConf()));
        await("node3 out: not quorate, read-only", QUORATE_TIMEOUT_MS, () -> c.quorateValue() == 0 && !c.writable());
        await("node1 and node2 quorate, node3 not in their .members", QUORATE_TIMEOUT_MS, () -> a.writable()
                && b.writable() && online(a).equals(Map.of("node1", 1, "node2", 1)));
        assertEquals(Map.of(), onlineOnly(c), "node3 hears no one once it is out");
    }

    /** Node name to .members "online" (0/1). */
    static Map<String, Integer> online(PvecmNodes.Node n) {
        Map<?, ?> m = n.members();
        Map<String, Integer> out = new java.util.TreeMap<>();
        if (m != null && m.get("nodelist") instanceof Map<?, ?> list) {
            list.forEach((name, v) -> out.put((String) name, ((Number) ((Map<?, ?>) v).get("online")).intValue()));
        }
        return out;
    }

    private static Map<String, Integer> onlineOnly(PvecmNodes.Node n) {
        Map<String, Integer> on = online(n);
        on.values().removeIf(v -> v == 0);
        return on;
    }
}
