package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.Test;

/**
 * pvecm end to end (issue #4), on daemons started as docs/JOIN.md's by-hand sequence starts
 * them ({@link PvecmNodes}): node1 (A) creates the cluster and sets the join password, node2 (B)
 * joins with {@code --fingerprint}, node3 (C) answers the certificate question with {@code yes};
 * status and nodes in the original's layout (reference 4.6); refusals with the original's
 * messages that change nothing on either side; delnode of a running node; {@code expected 1}
 * on a lone survivor.
 *
 * <p>Ports: cluster {@code 17400 + 2n} (and the next one, and 100 above for failure
 * detection), join API {@code 17480 + n}, n = 0..4 rotating per test; no other test class uses
 * them.
 */
class PvecmTest extends PvecmTestBase {

    static final int CLUSTER_PORT_BASE = 17400;
    static final int API_PORT_BASE = 17480;
    static final String CLUSTER = "pvecmit";
    static final String PASSWORD = "join-secret-1";
    /** One join (request, switch to cluster mode, quorum, CA, certificate) takes a few seconds. */
    static final long QUORATE_TIMEOUT_MS = 30_000;

    @Override
    PvecmNodes nodes() {
        return nodes(CLUSTER_PORT_BASE, API_PORT_BASE);
    }

    // ---------------------------------------------------------------------------------------
    // the scenarios

    /**
     * create + joinpassword on A, B joins with --fingerprint and the join password, C joins
     * through B with B's root password, answering {@code yes}; then status and nodes on each node (3 nodes, quorate, exit 0, layout of
     * reference 4.6), and a file written on C is read on A.
     */
    @Test
    void createJoinTwoNodesThenStatusNodesAndReplication() throws Exception {
        PvecmNodes s = nodes();
        threeNodeCluster(s);

        for (int k = 1; k <= 3; k++) {
            PvecmNodes.Node n = s.node(k);
            PvecmNodes.Result st = n.pvecm(null, "status");
            assertEquals(0, st.exit(), "pvecm status on " + n + " (quorate: exit 0):\n" + st);
            assertEquals("", st.err(), "pvecm status on " + n + " prints nothing on stderr");
            assertStatusLayout(st.out(), 3, k, List.of(1, 2, 3), 3, 2, true);

            PvecmNodes.Result nl = n.pvecm(null, "nodes");
            assertEquals(0, nl.exit(), "pvecm nodes on " + n + ":\n" + nl);
            assertNodesLayout(nl.out(), k, List.of(1, 2, 3));
        }

        byte[] content = ("written on node3 " + System.nanoTime() + "\n").getBytes(StandardCharsets.UTF_8);
        Files.write(s.node(3).path("pvecm-it.cfg"), content);
        Path onA = s.node(1).path("pvecm-it.cfg");
        await("node3's file readable on node1", 10_000, () -> java.util.Arrays.equals(content, readOrNull(onA)));
    }

    /**
     * Two links from the CLI: {@code create --link0 --link1} and {@code add --link0 --link1} give
     * both nodes ring0 and ring1 addresses and two totem interfaces, and the cluster they form
     * runs on both links ({@code pvecm links}: each peer connected on link 0 and link 1).
     */
    @Test
    void createAndAddWithTwoLinks() throws Exception {
        PvecmNodes s = nodes();
        s.startAll(1, 2);
        PvecmNodes.Node a = s.node(1);
        PvecmNodes.Node b = s.node(2);
        PvecmNodes.Result create = a.pvecm(null, "create", CLUSTER, "--link0", "127.0.0.1", "--link1", "127.1.0.1");
        assertEquals(0, create.exit(), "pvecm create:\n" + create);
        await("node1's join API listening", 15_000, () -> PvecmNodes.listening(a.ip, s.apiPort));
        PvecmNodes.Result add = b.pvecm(PvecmNodes.ROOT_PASSWORD + "\n", "add", "127.0.0.1", "--link0", "127.0.0.2",
                "--link1", "127.1.0.2", "--api-port", Integer.toString(s.apiPort), "--fingerprint",
                PvecmNodes.fingerprint(a.cert()));
        assertEquals(0, add.exit(), "pvecm add:\n" + add);

        String conf = a.clusterConf();
        assertTrue(conf.contains("    ring0_addr: 127.0.0.2\n    ring1_addr: 127.1.0.2\n"), conf);
        assertTrue(conf.contains("  interface {\n    linknumber: 1\n  }\n"), conf);
        await("both nodes quorate with two online", QUORATE_TIMEOUT_MS, () -> List.of(a, b).stream()
                .allMatch(n -> n.writable() && n.quorateValue() == 1 && onlineCount(n) == 2));
        await("node1 hears node2 on both links", 15_000, () -> {
            String links = a.pvecm(null, "links").out();
            return links.contains("LINK: 0 udp (127.0.0.1->127.0.0.2) enabled connected")
                    && links.contains("LINK: 1 udp (127.1.0.1->127.1.0.2) enabled connected");
        });
    }

    /**
     * {@code pvecm delnode node3} on A while C runs: A's cluster shrinks to 2 (config version
     * bumped, status shows 2 nodes, quorate), C is expelled (not quorate, read-only). Then B
     * stops: A alone is read-only (EACCES) until {@code pvecm expected 1}.
     */
    @Test
    void delnodeOfARunningNodeThenExpectedOneOnTheLoneSurvivor() throws Exception {
        PvecmNodes s = nodes();
        threeNodeCluster(s);
        PvecmNodes.Node a = s.node(1);
        PvecmNodes.Node b = s.node(2);
        PvecmNodes.Node c = s.node(3);
        assertEquals(3, configVersion(a.clusterConf()));

        PvecmNodes.Result del = a.pvecm(null, "delnode", "node3");
        assertEquals(0, del.exit(), "pvecm delnode node3:\n" + del);
        String conf = a.clusterConf();
        assertEquals(4, configVersion(conf), "delnode bumps config_version:\n" + conf);
        assertEquals(List.of("node1", "node2"), nodeNames(conf), "node3 is gone from the nodelist:\n" + conf);
        await("B has the new corosync.conf", 10_000, () -> b.clusterConf().equals(conf));

        // C leaves by itself: not quorate, read-only
        await("node3 expelled: not quorate and read-only", QUORATE_TIMEOUT_MS,
                () -> c.quorateValue() == 0 && !c.writable());
        PvecmNodes.Result stC = c.pvecm(null, "status");
        assertEquals(2, stC.exit(), "pvecm status on the expelled node3 (not quorate: exit 2):\n" + stC);
        assertTrue(stC.out().contains("\nQuorate:          No\n"), stC.toString());
        assertCreateRefused(c, "after-delnode.cfg");

        // A and B go on as a quorate 2-node cluster
        await("node1 and node2 quorate, both online", QUORATE_TIMEOUT_MS,
                () -> a.writable() && b.writable() && a.quorateValue() == 1);
        PvecmNodes.Result stA = a.pvecm(null, "status");
        assertEquals(0, stA.exit(), "pvecm status on node1 after delnode:\n" + stA);
        assertStatusLayout(stA.out(), 4, 1, List.of(1, 2), 2, 2, true);
        PvecmNodes.Result nodesA = a.pvecm(null, "nodes");
        assertEquals(0, nodesA.exit(), nodesA.toString());
        assertNodesLayout(nodesA.out(), 1, List.of(1, 2));

        // B goes: A alone has 1 of 2 votes
        assertEquals(0, b.stop(), "node2 stops cleanly");
        await("node1 read-only without node2", QUORATE_TIMEOUT_MS, () -> !a.writable());
        assertCreateRefused(a, "lone.cfg");
        PvecmNodes.Result lone = a.pvecm(null, "status");
        assertEquals(2, lone.exit(), "pvecm status on the lone node1 (not quorate: exit 2):\n" + lone);
        assertStatusLayout(lone.out(), 4, 1, List.of(1), 2, 2, false);

        PvecmNodes.Result exp = a.pvecm(null, "expected", "1");
        assertEquals(0, exp.exit(), "pvecm expected 1:\n" + exp);
        await("node1 writable after 'pvecm expected 1'", 10_000, a::writable);
        Files.writeString(a.path("lone.cfg"), "written alone\n");
        assertEquals("written alone\n", Files.readString(a.path("lone.cfg")));
        PvecmNodes.Result after = a.pvecm(null, "status");
        assertEquals(0, after.exit(), "pvecm status after expected 1:\n" + after);
        assertStatusLayout(after.out(), 4, 1, List.of(1), 1, 1, true);
    }

    /**
     * Refusals with the original's messages, each leaving both sides as they were (A's
     * corosync.conf, B's tree and config.db): a cluster name of 16 characters on create, a wrong
     * join password, a wrong fingerprint, a certificate not confirmed, an address already used
     * by a member, a joining node with guests. Then B joins with the right answers, so the
     * refusals were not a broken set-up.
     */
    @Test
    void refusedJoinsChangeNothingOnEitherSide() throws Exception {
        PvecmNodes s = nodes();
        s.startAll(1, 2);
        PvecmNodes.Node a = s.node(1);
        PvecmNodes.Node b = s.node(2);
        String port = Integer.toString(s.apiPort);

        // create with a 16-character name: refused before anything is written
        Map<String, String> aLocal = a.state();
        PvecmNodes.Result longName = a.pvecm(null, "create", "abcdefghijklmnop", "--link0", "127.0.0.1");
        assertEquals(1, longName.exit(), longName.toString());
        assertEquals("", longName.out(), longName.toString());
        List<String> errLines = longName.err().lines().toList();
        assertTrue(errLines.size() >= 3, longName.toString());
        assertEquals("400 Parameter verification failed.", errLines.get(0), longName.toString());
        assertEquals("clustername: value may only be 15 characters long", errLines.get(1), longName.toString());
        assertTrue(errLines.get(2).startsWith("pvecm create <clustername>"), longName.toString());
        assertEquals(aLocal, a.state(), "a refused create changes nothing on node1");
        assertFalse(Files.exists(a.path("corosync.conf")));

        createClusterOnA(s);
        String fpA = PvecmNodes.fingerprint(a.cert());
        String confA = a.clusterConf();
        assertEquals(1, configVersion(confA));
        Map<String, String> bBefore = b.state();

        // wrong password
        PvecmNodes.Result wrongPw = b.pvecm("not-the-password\n", "add", "127.0.0.1", "--link0", "127.0.0.2",
                "--api-port", port, "--fingerprint", fpA);
        assertEquals(1, wrongPw.exit(), wrongPw.toString());
        assertTrue(wrongPw.err().startsWith("401 authentication failure"), "the original's login error:\n" + wrongPw);
        assertFalse(wrongPw.out().contains("Login succeeded."), wrongPw.toString());
        assertNothingChanged(a, confA, b, bBefore, "wrong password");

        // wrong fingerprint (first byte changed)
        String wrongFp = (fpA.startsWith("00") ? "11" : "00") + fpA.substring(2);
        PvecmNodes.Result wrongFpRun = b.pvecm(PASSWORD + "\n", "add", "127.0.0.1", "--link0", "127.0.0.2",
                "--api-port", port, "--fingerprint", wrongFp);
        assertEquals(1, wrongFpRun.exit(), wrongFpRun.toString());
        assertTrue(wrongFpRun.err().startsWith("500 Can't connect to 127.0.0.1:" + port + " (certificate verify failed"),
                wrongFpRun.toString());
        assertFalse(wrongFpRun.out().contains("Login succeeded."), wrongFpRun.toString());
        assertNothingChanged(a, confA, b, bBefore, "wrong fingerprint");

        // the certificate question answered with "no"
        PvecmNodes.Result no = b.pvecm(PASSWORD + "\nno\n", "add", "127.0.0.1", "--link0", "127.0.0.2",
                "--api-port", port);
        assertEquals(1, no.exit(), no.toString());
        assertTrue(no.out().contains("X509 SHA256 key fingerprint is " + fpA + ".\n"), no.toString());
        assertEquals("Fingerprint not verified, abort!\n", no.err(), no.toString());
        assertNothingChanged(a, confA, b, bBefore, "fingerprint not confirmed");

        // an address a member already uses
        PvecmNodes.Result clash = b.pvecm(PASSWORD + "\n", "add", "127.0.0.1", "--link0", "127.0.0.1",
                "--api-port", port, "--fingerprint", fpA);
        assertEquals(1, clash.exit(), clash.toString());
        assertTrue(clash.out().contains("Login succeeded.\n"), clash.toString());
        assertEquals("An error occurred on the cluster node: corosync: address '127.0.0.1' already used on link"
                + " ring0_addr by node 'node1'\nCluster join aborted!\n", clash.err(), clash.toString());
        assertNothingChanged(a, confA, b, bBefore, "address clash");
        assertFalse(Files.exists(a.path("nodes/node2")), "no node directory made for a refused node");

        // a joining node with a guest
        Files.createDirectories(b.path("nodes/node2/qemu-server"));
        Files.writeString(b.path("nodes/node2/qemu-server/100.conf"), "memory: 512\n");
        await("node2's .vmlist lists guest 100", 10_000, () -> Daemon.read(b.path(".vmlist")).contains("\"100\""));
        Map<String, String> bWithGuest = b.state();
        PvecmNodes.Result guests = b.pvecm(PASSWORD + "\n", "add", "127.0.0.1", "--link0", "127.0.0.2",
                "--api-port", port, "--fingerprint", fpA);
        assertEquals(1, guests.exit(), guests.toString());
        assertEquals("detected the following error(s):\n* this host already contains virtual guests\n"
                + "Check if node may join a cluster failed!\n", guests.err(), guests.toString());
        assertFalse(guests.out().contains("Establishing API connection"), "refused before contacting node1:\n" + guests);
        assertNothingChanged(a, confA, b, bWithGuest, "guests");

        // without the guest, the same command joins
        Files.delete(b.path("nodes/node2/qemu-server/100.conf"));
        await("node2's .vmlist is empty", 10_000, () -> !Daemon.read(b.path(".vmlist")).contains("\"100\""));
        PvecmNodes.Result ok = b.pvecm(PASSWORD + "\n", "add", "127.0.0.1", "--link0", "127.0.0.2",
                "--api-port", port, "--fingerprint", fpA);
        assertEquals(0, ok.exit(), "the join after the refusals:\n" + ok);
        assertTrue(ok.out().contains("successfully added node 'node2' to cluster.\n"), ok.toString());
        assertEquals(2, configVersion(a.clusterConf()), a.clusterConf());
        await("node1 and node2 quorate", QUORATE_TIMEOUT_MS, () -> a.quorateValue() == 1 && b.quorateValue() == 1);
    }

    // ---------------------------------------------------------------------------------------
    // steps

    /** create on A (link0 127.0.0.1) and joinpassword; A quorate, config_version 1. */
    static void createClusterOnA(PvecmNodes s) {
        PvecmNodes.Node a = s.node(1);
        PvecmNodes.Result create = a.pvecm(null, "create", CLUSTER, "--link0", "127.0.0.1");
        assertEquals(0, create.exit(), "pvecm create:\n" + create);
        assertTrue(create.out().contains("Writing corosync config to " + a.path("corosync.conf") + "\n"), create.toString());
        assertTrue(create.out().contains("waiting for quorum...OK\n"), create.toString());
        String conf = a.clusterConf();
        assertEquals(1, configVersion(conf), conf);
        assertEquals(List.of("node1"), nodeNames(conf), conf);
        assertTrue(conf.contains("  cluster_name: " + CLUSTER + "\n") && conf.contains("    ring0_addr: 127.0.0.1\n"), conf);
        assertTrue(Files.isRegularFile(a.cert()), "create made node1's certificate");
        await("node1's join API listening", 15_000, () -> PvecmNodes.listening(a.ip, s.apiPort));

        PvecmNodes.Result pw = a.pvecm(PASSWORD + "\n", "joinpassword");
        assertEquals(0, pw.exit(), "pvecm joinpassword:\n" + pw);
        String hash = Daemon.read(a.path("priv/join-password"));
        assertTrue(hash.startsWith("pbkdf2-sha256$310000$"), "stored as a PBKDF2 hash: " + hash);
        assertFalse(hash.contains(PASSWORD));
    }

    /** A creates, B joins A with --fingerprint, C joins B answering yes; all three quorate. */
    static void threeNodeCluster(PvecmNodes s) {
        s.startAll(1, 2, 3);
        PvecmNodes.Node a = s.node(1);
        PvecmNodes.Node b = s.node(2);
        PvecmNodes.Node c = s.node(3);
        String port = Integer.toString(s.apiPort);
        createClusterOnA(s);

        String fpA = PvecmNodes.fingerprint(a.cert());
        PvecmNodes.Result addB = b.pvecm(PASSWORD + "\n", "add", "127.0.0.1", "--link0", "127.0.0.2",
                "--api-port", port, "--fingerprint", fpA);
        assertEquals(0, addB.exit(), "pvecm add on node2:\n" + addB);
        assertLinesInOrder(addB.out(), "Please enter superuser (root) password for '127.0.0.1': ",
                "Establishing API connection with host '127.0.0.1'", "Login succeeded.", "check cluster join API version",
                "Request addition of this node", "Join request OK, finishing setup locally", "waiting for quorum...OK",
                "generated new node certificate", "successfully added node 'node2' to cluster.");
        assertFalse(addB.out().contains("The authenticity of host"), "no question with --fingerprint:\n" + addB);
        assertEquals(2, configVersion(a.clusterConf()), a.clusterConf());

        // B's join API serves its new certificate once it notices it (it looks every 5 s)
        await("node2's join API listening", 15_000, () -> PvecmNodes.listening(b.ip, s.apiPort));
        String fpB = PvecmNodes.fingerprint(b.cert());
        // C logs in with B's root password (its shadow file), as with the original
        PvecmNodes.Result addC = c.pvecm(PvecmNodes.ROOT_PASSWORD + "\nyes\n", "add", "127.0.0.2", "--link0", "127.0.0.3",
                "--api-port", port);
        assertEquals(0, addC.exit(), "pvecm add on node3:\n" + addC);
        assertTrue(addC.out().contains("Establishing API connection with host '127.0.0.2'\n"
                + "The authenticity of host '127.0.0.2' can't be established.\n"
                + "X509 SHA256 key fingerprint is " + fpB + ".\n"
                + "Are you sure you want to continue connecting (yes/no)? "), addC.toString());
        assertTrue(addC.out().contains("successfully added node 'node3' to cluster.\n"), addC.toString());

        String conf = a.clusterConf();
        assertEquals(3, configVersion(conf), conf);
        assertEquals(List.of("node1", "node2", "node3"), nodeNames(conf), conf);
        await("all three nodes quorate with three online", QUORATE_TIMEOUT_MS, () -> List.of(a, b, c).stream()
                .allMatch(n -> n.writable() && n.quorateValue() == 1 && onlineCount(n) == 3));
        for (PvecmNodes.Node n : List.of(b, c)) {
            assertEquals(conf, n.clusterConf(), n + " has the cluster's corosync.conf");
        }
    }

    // ---------------------------------------------------------------------------------------
    // checks

    /**
     * {@code pvecm status} output, line by line against reference 4.6's layout: the header of
     * pvecm, then corosync-quorumtool -siH's sections; members are the given node ids (in
     * address order, 127.0.0.k), the local one marked.
     */
    static void assertStatusLayout(String out, int configVersion, int localId, List<Integer> members, int expected,
            int quorum, boolean quorate) {
        List<String> want = new ArrayList<>(List.of(
                q("Cluster information"),
                q("-------------------"),
                q("Name:             " + CLUSTER),
                q("Config Version:   " + configVersion),
                q("Transport:        knet"),
                q("Secure auth:      on"),
                "",
                q("Quorum information"),
                q("------------------"),
                "Date:             (Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                        + " [ 123][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] [0-9]{4}",
                q("Quorum provider:  corosync_votequorum"),
                q("Nodes:            " + members.size()),
                q("Node ID:          " + String.format("0x%08x", localId)),
                "Ring ID:          [0-9a-f]+\\.[0-9a-f]+",
                q("Quorate:          " + (quorate ? "Yes" : "No")),
                "",
                q("Votequorum information"),
                q("----------------------"),
                q("Expected votes:   " + expected),
                q("Highest expected: " + expected),
                q("Total votes:      " + members.size()),
                q("Quorum:           " + quorum + " " + (quorate ? " " : "Activity blocked")),
                q("Flags:            " + (quorate ? "Quorate " : "")),
                "",
                q("Membership information"),
                q("----------------------"),
                q("    Nodeid      Votes Name")));
        for (int id : members) {
            want.add(q(String.format("0x%08x", id) + "          1 127.0.0." + id + (id == localId ? " (local)" : "")));
        }
        want.add(""); // the output ends with a newline
        assertLines(want, out);
    }

    /** {@code pvecm nodes}: corosync-quorumtool -l, decimal ids, names from the nodelist. */
    static void assertNodesLayout(String out, int localId, List<Integer> members) {
        List<String> want = new ArrayList<>(List.of("", q("Membership information"), q("----------------------"),
                q("    Nodeid      Votes Name")));
        for (int id : members) {
            want.add(q("         " + id + "          1 node" + id + (id == localId ? " (local)" : "")));
        }
        want.add("");
        assertLines(want, out);
    }

    private static String q(String literal) {
        return Pattern.quote(literal);
    }

    private static void assertLines(List<String> regexes, String out) {
        String[] got = out.split("\n", -1);
        StringBuilder problems = new StringBuilder();
        for (int i = 0; i < Math.max(regexes.size(), got.length); i++) {
            String re = i < regexes.size() ? regexes.get(i) : null;
            String line = i < got.length ? got[i] : null;
            if (re == null || line == null || !line.matches(re)) {
                problems.append(String.format("line %d: expected /%s/, got %s%n", i + 1, re,
                        line == null ? "nothing" : "'" + line + "'"));
            }
        }
        if (problems.length() > 0) {
            fail("layout differs:\n" + problems + "--- output:\n" + out);
        }
    }

    /** Every expected line appears, in this order (other lines may come between). */
    private static void assertLinesInOrder(String out, String... lines) {
        int from = 0;
        for (String l : lines) {
            int i = out.indexOf(l, from);
            if (i < 0) {
                fail("expected '" + l + "' (in this order) in:\n" + out);
            }
            from = i + l.length();
        }
    }

    /** A's corosync.conf as before (so config_version too), B's tree and database as before. */
    private static void assertNothingChanged(PvecmNodes.Node a, String confA, PvecmNodes.Node b,
            Map<String, String> bBefore, String what) {
        String now = a.clusterConf();
        assertEquals(configVersion(confA), configVersion(now), what + ": node1's config_version");
        assertEquals(confA, now, what + ": node1's corosync.conf");
        assertFalse(Files.exists(a.path("priv/lock/file-corosync_conf")), what + ": no cluster lock left on node1");
        Map<String, String> bNow = b.state();
        assertEquals(bBefore, bNow, what + ": node2's tree, data directory and config.db");
        assertEquals(-1, b.quorateValue(), what + ": node2 still in local mode");
    }

    /** Creating a file in the node's mount fails with EACCES (read-only without quorum). */
    static void assertCreateRefused(PvecmNodes.Node n, String name) {
        int fd = Sys.open(n.path(name), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, 0640);
        if (fd >= 0) {
            Sys.close(fd);
            fail("creating " + name + " on " + n + " succeeded; expected EACCES");
        }
        Sys.assertErrno(Errno.EACCES, -fd, "create " + name + " on " + n);
    }

    static int configVersion(String conf) {
        Matcher m = Pattern.compile("(?m)^\\s*config_version:\\s*(\\d+)\\s*$").matcher(conf);
        if (!m.find()) {
            fail("no config_version in:\n" + conf);
        }
        return Integer.parseInt(m.group(1));
    }

    static List<String> nodeNames(String conf) {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s*name:\\s*(\\S+)\\s*$").matcher(conf);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static int onlineCount(PvecmNodes.Node n) {
        Map<?, ?> m = n.members();
        if (m == null || !(m.get("nodelist") instanceof Map<?, ?> list)) {
            return 0;
        }
        int count = 0;
        for (Object v : list.values()) {
            if (v instanceof Map<?, ?> e && e.get("online") instanceof Number o && o.intValue() == 1) {
                count++;
            }
        }
        return count;
    }

    private static byte[] readOrNull(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            return null;
        }
    }

    static void await(String what, long timeoutMs, BooleanSupplier cond) {
        if (!Daemon.poll(timeoutMs, 100, cond)) {
            throw new AssertionError("timed out after " + timeoutMs + " ms waiting for: " + what);
        }
    }
}
