package org.pmxcfs.pvecm.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.pvecm.Pvecm;

/** addnode, delnode and the parameter checks of add through the pvecm command line. */
class JoinCommandsTest {

    record Run(int rc, String out, String err) {}

    @TempDir
    Path dir;
    private MiniDaemon daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = new MiniDaemon(dir, "pve1");
        Files.writeString(daemon.mount.resolve("corosync.conf"), TestMember.CONF);
        Files.write(daemon.runDir.resolveSibling("authkey"), new byte[] {1});
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
    }

    private Run pvecm(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        all[0] = "--run-dir";
        all[1] = daemon.runDir.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        int rc;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            rc = new Pvecm(o, e, Clock.systemUTC(), () -> 0).execute(all);
        }
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private CorosyncConf conf() throws Exception {
        return CorosyncConf.parse(Files.readString(daemon.mount.resolve("corosync.conf")));
    }

    @Test
    void addnodeThenDelnode() throws Exception {
        Run r = pvecm("addnode", "pve2", "--link0", "10.0.0.2");
        assertEquals(new Run(0, "", ""), r);
        assertEquals(2, conf().configVersion().getAsLong());
        assertEquals(2, conf().node("pve2").orElseThrow().nodeid());
        assertTrue(Files.isDirectory(daemon.mount.resolve("nodes/pve2/qemu-server")));
        r = pvecm("delnode", "pve2");
        assertEquals(new Run(0, "Killing node 2\n", ""), r);
        assertEquals(3, conf().configVersion().getAsLong());
        assertTrue(conf().node("pve2").isEmpty());
        assertEquals(List.of("5 root@pam pvecm adding node pve2 to cluster", "5 root@pam pvecm deleting node pve2 from cluster"),
                daemon.clusterLog);
    }

    @Test
    void addnodeRefusal() throws Exception {
        Run r = pvecm("addnode", "pve1", "--link0", "10.0.0.9");
        assertEquals(1, r.rc());
        assertEquals("can't add existing node 'pve1'\n", r.err());
        r = pvecm("addnode", "pve1", "--link0", "10.0.0.9", "--force");
        assertEquals(0, r.rc(), r.err());
        assertEquals("forcing overwrite of configured node 'pve1'\n", r.out());
    }

    @Test
    void addnodeParameters() {
        Run r = pvecm("addnode", "pve_2", "--votes", "-1", "--new_node_ip", "x");
        assertEquals(1, r.rc());
        assertTrue(r.err().startsWith("400 Parameter verification failed.\n"), r.err());
        assertTrue(r.err().contains("node: invalid format - value does not look like a valid node name\n"), r.err());
        assertTrue(r.err().contains("votes: value must have a minimum value of 0\n"), r.err());
        assertTrue(r.err().contains("new_node_ip: invalid format - value does not look like a valid IP address\n"), r.err());
    }

    @Test
    void delnodeMessages() throws Exception {
        assertEquals(new Run(1, "", "Cannot delete myself from cluster!\n"), pvecm("delnode", "pve1"));
        assertEquals(new Run(1, "", "Node/IP: pve7 is not a known host of the cluster.\n"), pvecm("delnode", "pve7"));
        Files.delete(daemon.mount.resolve("corosync.conf"));
        Run r = pvecm("delnode", "pve7");
        assertEquals("Error: Corosync config '" + daemon.mount.resolve("corosync.conf")
                + "' does not exist - is this node part of a cluster?\n", r.err());
    }

    @Test
    void heldClusterLockTimesOut() throws Exception {
        Files.createDirectories(daemon.mount.resolve("priv/lock/file-corosync_conf"));
        long t0 = System.nanoTime();
        Run r = pvecm("delnode", "pve7");
        assertTrue(System.nanoTime() - t0 > 9_000_000_000L);
        assertTrue(r.err().startsWith("trying to acquire cfs lock 'file-corosync_conf' ...\n"), r.err());
        assertTrue(r.err().endsWith("cfs-lock 'file-corosync_conf' error: got lock request timeout\n"), r.err());
    }

    @Test
    void addParametersAreCheckedFirst() {
        Run r = pvecm("add", "10.0.0.1", "--votes", "x", "--fingerprint", "zz", "--link0", "10.0.0.2,priority=999");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("votes: type check ('integer') failed - got 'x'\n"), r.err());
        assertTrue(r.err().contains("fingerprint: value does not match the regex pattern\n"), r.err());
        assertTrue(r.err().contains("link0: invalid format - format error\nlink0.priority: value must have a maximum value of 255\n"),
                r.err());
        r = pvecm("add", "10.0.0.1", "--use_ssh");
        assertEquals("joining over SSH (--use_ssh) is not supported - join over the API (the default)\n", r.err());
    }

    /** As the web page builds it: base64 of the JSON the original's page copies. */
    private static String joinInformation(String ip, String fp) {
        String json = "{\"ipAddress\":\"" + ip + "\",\"fingerprint\":\"" + fp + "\",\"peerLinks\":{\"0\":\"" + ip
                + "\"},\"ring_addr\":[\"" + ip + "\"],\"totem\":{\"cluster_name\":\"prod\",\"config_version\":\"1\"}}";
        return java.util.Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void addTakesTheJoinInformationForHostAndFingerprint() throws Exception {
        String fp = "AB:".repeat(31) + "CD";
        Run r = pvecm("add", joinInformation("127.0.0.1", "zz"));
        assertTrue(r.err().contains("fingerprint: value does not match the regex pattern\n"), r.err());
        r = pvecm("add", joinInformation("127.0.0.1", fp), "--fingerprint", "AB:".repeat(31) + "CE");
        assertTrue(r.err().contains("fingerprint: does not match the fingerprint in the join information"), r.err());
        System.setIn(new java.io.ByteArrayInputStream("pw\n".getBytes(StandardCharsets.UTF_8)));
        r = pvecm("add", joinInformation("127.0.0.1", fp), "--link0", "127.0.0.1");
        assertTrue(r.out().startsWith("Please enter superuser (root) password for '127.0.0.1': "), r.out());
        assertFalse(r.err().contains("hostname"), r.err());
    }

    @Test
    void addRefusesAClusteredNode() throws Exception {
        // corosync.conf exists: assert_joinable fails (the password comes from stdin here)
        System.setIn(new java.io.ByteArrayInputStream("pw\n".getBytes(StandardCharsets.UTF_8)));
        Run r = pvecm("add", "127.0.0.1", "--link0", "127.0.0.1");
        assertEquals(1, r.rc());
        assertTrue(r.out().startsWith("Please enter superuser (root) password for '127.0.0.1': "), r.out());
        assertEquals("detected the following error(s):\n"
                + "* authentication key '" + daemon.runDir.resolveSibling("authkey") + "' already exists\n"
                + "* cluster config '" + daemon.mount.resolve("corosync.conf") + "' already exists\n"
                + "Check if node may join a cluster failed!\n", r.err());
        assertFalse(r.out().contains("Establishing"));
    }

    /** A node name without a usable address is named as such, with the way out (issue #14). */
    @Test
    void addWithoutAnAddressForTheNodeNameSuggestsLink0() throws Exception {
        System.setIn(new java.io.ByteArrayInputStream("pw\n".getBytes(StandardCharsets.UTF_8)));
        Run r = pvecm("add", "127.0.0.1");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("\n* local node address: cannot use 'pve1': hostname lookup 'pve1' failed - "),
                r.err());
        assertTrue(r.err().contains(" - pass this node's cluster address with --link0\n"), r.err());
    }

    @Test
    void joinpasswordStoresAHashFromStdin() throws Exception {
        System.setIn(new java.io.ByteArrayInputStream("short\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("password too short (at least 8 characters)\n", pvecm("joinpassword").err());
        System.setIn(new java.io.ByteArrayInputStream("join-secret-1\n".getBytes(StandardCharsets.UTF_8)));
        Run r = pvecm("joinpassword");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().startsWith("Enter new join password: \njoin password set"), r.out());
        String stored = Files.readString(daemon.mount.resolve("priv/join-password"));
        assertTrue(org.pmxcfs.join.JoinPassword.verify(stored, "join-secret-1"));
        assertFalse(stored.contains("join-secret-1"));
    }

    @Test
    void helpListsTheJoinCommands() {
        Run r = pvecm("help");
        for (String c : List.of("add", "addnode", "delnode", "joinpassword")) {
            assertTrue(r.out().contains("pvecm " + c + " ") || r.out().contains("pvecm " + c + "\n"), r.out());
        }
    }
}
