package org.pmxcfs.pvecm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** status, nodes, expected and create's preconditions against a fake daemon socket. */
class DaemonCommandsTest {

    private static final String CONF = """
            logging {
              debug: off
              to_syslog: yes
            }

            nodelist {
              node {
                name: pve1
                nodeid: 1
                quorum_votes: 1
                ring0_addr: 192.168.15.91
              }
            }

            quorum {
              provider: corosync_votequorum
            }

            totem {
              cluster_name: prod-central
              config_version: 3
              interface {
                linknumber: 0
              }
              ip_version: ipv4-6
              link_mode: passive
              secauth: on
              version: 2
            }

            """;

    @TempDir
    Path dir;
    FakeDaemon daemon;
    Path mnt;
    String run;

    @BeforeEach
    void start() throws Exception {
        mnt = dir.resolve("mnt");
        Files.createDirectories(mnt);
        daemon = new FakeDaemon(dir.resolve("run")).paths(mnt, "pve1");
        run = "--run-dir=" + dir.resolve("run");
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
    }

    private void quorum(boolean quorate) throws Exception {
        JsonNode q = StatusFormatterTest.fourNodes();
        ((com.fasterxml.jackson.databind.node.ObjectNode) q).put("quorate", quorate);
        ((com.fasterxml.jackson.databind.node.ObjectNode) q).put("flags", quorate ? "Quorate" : "");
        daemon.ops.put("get_quorum_status", r -> FakeDaemon.ok(q));
    }

    @Test
    void localModeNodeIsNotPartOfACluster() {
        daemon.corosyncConf(null);
        String msg = "Error: Corosync config '" + mnt.resolve("corosync.conf")
                + "' does not exist - is this node part of a cluster?\n";
        assertEquals(new Run(1, "", msg), Run.of(run, "status"));
        assertEquals(new Run(1, "", msg), Run.of(run, "nodes"));
        assertEquals(new Run(1, "", msg), Run.of(run, "expected", "1"));
    }

    @Test
    void statusWhenQuorate() throws Exception {
        daemon.corosyncConf(CONF);
        quorum(true);
        Run r = Run.of(run, "status");
        assertEquals(0, r.rc(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("""
                Cluster information
                -------------------
                Name:             prod-central
                Config Version:   3
                Transport:        knet
                Secure auth:      on

                Quorum information
                ------------------
                Date:             Tue Sep 14 11:06:47 2021
                """), r.out());
        assertTrue(r.out().endsWith("0x00000004          1 192.168.15.94\n"), r.out());
    }

    @Test
    void statusExitsTwoWithoutQuorum() throws Exception {
        daemon.corosyncConf(CONF);
        quorum(false);
        Run r = Run.of(run, "status");
        assertEquals(2, r.rc());
        assertTrue(r.out().contains("Quorate:          No\n"));
        assertTrue(r.out().contains("Quorum:           3 Activity blocked\n"));
        assertEquals(0, Run.of(run, "nodes").rc(), "quorumtool -l does not care about quorum");
    }

    @Test
    void daemonInForcedLocalModeHasNoQuorumService() {
        daemon.corosyncConf(CONF);
        daemon.ops.put("get_quorum_status",
                r -> FakeDaemon.error("EINVAL", "this node is not part of a cluster (local mode)"));
        Run r = Run.of(run, "status");
        assertEquals(1, r.rc());
        assertTrue(r.out().startsWith("Cluster information\n"));
        assertFalse(r.out().contains("Quorum information"));
        assertEquals("Cannot initialize QUORUM service\n", r.err());
        assertEquals(new Run(1, "", "Cannot initialize QUORUM service\n"), Run.of(run, "nodes"));
        assertEquals(new Run(1, "", "Cannot initialize QUORUM service\n"), Run.of(run, "expected", "1"));
    }

    @Test
    void statusWithoutTotemSkipsTheHeader() throws Exception {
        daemon.corosyncConf("nodelist {\n}\n");
        quorum(true);
        Run r = Run.of(run, "status");
        assertTrue(r.out().startsWith("Quorum information\n"), r.out());
    }

    @Test
    void nodes() throws Exception {
        daemon.corosyncConf(CONF);
        quorum(true);
        assertEquals(new Run(0, """

                Membership information
                ----------------------
                    Nodeid      Votes Name
                         1          1 pve1 (local)
                         2          1 pve2
                         3          1 pve3
                         4          1 pve4
                """, ""), Run.of(run, "nodes"));
    }

    @Test
    void expected() throws Exception {
        daemon.corosyncConf(CONF);
        quorum(true);
        daemon.ops.put("set_expected", r -> r.path("votes").asLong() >= 4 ? FakeDaemon.ok(null)
                : FakeDaemon.error("EINVAL", "Unable to set expected votes: CS_ERR_INVALID_PARAM (below the votes present)"));
        assertEquals(new Run(0, "", ""), Run.of(run, "expected", "5"));
        assertEquals(new Run(1, "", "Unable to set expected votes: CS_ERR_INVALID_PARAM (below the votes present)\n"),
                Run.of(run, "expected", "2"));
        assertEquals(5, daemon.requests.stream().filter(q -> q.path("op").asText().equals("set_expected"))
                .findFirst().orElseThrow().path("votes").asInt());
    }

    @Test
    void createRefusesAnExistingClusterConfig() {
        daemon.corosyncConf(CONF);
        assertEquals(new Run(1, "", "cluster config '" + mnt.resolve("corosync.conf") + "' already exists\n"),
                Run.of(run, "create", "prod"));
        assertFalse(Files.exists(dir.resolve("authkey")), "nothing written");
    }

    @Test
    void createWithoutLinksNeedsANonLoopbackAddress() {
        daemon.corosyncConf(null);
        daemon.ops.put("get_cluster_info", r -> FakeDaemon.ok(FakeDaemon.JSON.getNodeFactory()
                .textNode("{\n\"nodename\": \"localhost\",\n\"version\": 0\n}\n")));
        daemon.paths(mnt, "localhost");
        Run r = Run.of(run, "create", "prod");
        assertEquals(1, r.rc());
        assertEquals("hostname lookup 'localhost' failed - got local IP address '127.0.0.1'\n", r.err());
        assertFalse(Files.exists(dir.resolve("authkey")), "nothing written before the config is known");
    }

    /** A link address the daemon could not bind is refused before anything is written (issue #14). */
    @Test
    void createRefusesALinkAddressNotOnThisHost() {
        daemon.corosyncConf(null);
        Run r = Run.of(run, "create", "prod", "--link0", "192.0.2.77");
        assertEquals(new Run(1, "", "link0: cannot use IP '192.0.2.77', not found on local node! - pass an address of"
                + " this host\n"), r);
        assertFalse(Files.exists(dir.resolve("authkey")), "nothing written");
        assertFalse(Files.exists(mnt.resolve("corosync.conf")), "nothing written");
    }

    /** The daemon's reason why cluster mode cannot start ends the wait at once (issue #14). */
    @Test
    void createReportsWhyTheDaemonCannotStartClusterMode() throws Exception {
        daemon.corosyncConf(null);
        daemon.ops.put("get_quorum_status", r -> FakeDaemon.error("EINVAL", "this node is not part of a cluster"));
        Files.writeString(mnt.resolve(".version"), "{}\n");
        daemon.ops.put("get_cluster_info", r -> FakeDaemon.ok(FakeDaemon.JSON.getNodeFactory()
                .textNode("{\n\"nodename\": \"pve1\",\n\"version\": 0\n}\n")));
        daemon.paths(mnt, "pve1");
        JsonNode paths = daemon.ops.get("get_paths").apply(null).path("result");
        ((com.fasterxml.jackson.databind.node.ObjectNode) paths).put("cluster_error", "unable to join the cluster:"
                + " No available port to bind to in range [5405 .. 5405] - check that ring0_addr ...");
        daemon.ops.put("get_paths", r -> FakeDaemon.ok(paths));
        Files.createDirectories(dir.resolve("sysroot/root/.ssh"));
        Files.writeString(dir.resolve("sysroot/root/.ssh/id_rsa.pub"), "ssh-rsa TESTKEY root@pve1\n");
        long t0 = System.nanoTime();
        Run r = Run.of(run, "--root-dir=" + dir.resolve("sysroot"), "create", "prod", "--link0", "127.0.0.1",
                "--ca-key-bits", "1024", "--quorum-timeout", "30");
        assertEquals(1, r.rc(), r.toString());
        assertTrue(r.err().endsWith("pmxcfs cannot start cluster mode: unable to join the cluster: No available port to"
                + " bind to in range [5405 .. 5405] - check that ring0_addr ...\n"), r.err());
        assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "no waiting out the 30 s");
    }

    @Test
    void updatecertsTimesOutWithoutAMount() {
        daemon.corosyncConf(CONF);
        Run r = Run.of(run, "updatecerts", "--timeout", "0");
        assertEquals(new Run(1, "", UPDATECERTS_TIMEOUT + "\n"), r);
        assertEquals(new Run(0, "", UPDATECERTS_TIMEOUT + "\n"), Run.of(run, "updatecerts", "--silent", "--timeout", "0"));
    }

    private static final String UPDATECERTS_TIMEOUT = "got timeout when trying to ensure cluster certificates and base"
            + " file hierarchy is set up - no quorum (yet) or hung pmxcfs?";
}
