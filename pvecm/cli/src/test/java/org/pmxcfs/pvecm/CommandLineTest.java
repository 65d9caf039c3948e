package org.pmxcfs.pvecm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Parameter checks and command-line errors in the original's shape. All of these fail before
 * pvecm talks to a daemon (the run directory does not exist).
 */
class CommandLineTest {

    private static final String NO_DAEMON = "--run-dir=/nonexistent/pvecm-test";

    @Test
    void clusterNameTooLong() {
        Run r = Run.of(NO_DAEMON, "create", "abcdefghijklmnop");
        assertEquals(1, r.rc());
        assertEquals("""
                400 Parameter verification failed.
                clustername: value may only be 15 characters long
                pvecm create <clustername> [OPTIONS]
                """, r.err());
        assertEquals("", r.out());
    }

    @Test
    void clusterNameFormatIsCheckedBeforeItsLength() {
        assertEquals("""
                400 Parameter verification failed.
                clustername: invalid format - value does not look like a valid node name
                pvecm create <clustername> [OPTIONS]
                """, Run.of(NO_DAEMON, "create", "not_a_valid_name_and_too_long").err());
        assertEquals(1, Run.of(NO_DAEMON, "create", "-lead").rc());
        assertTrue(Run.of(NO_DAEMON, "create", "trail-").err().contains("valid node name"));
    }

    @Test
    void allCreateErrorsAtOnceInParameterOrder() {
        Run r = Run.of(NO_DAEMON, "create", "ok", "--link0", "foo_bar,priority=300", "--link1", "10.0.0.1,weight=3",
                "--nodeid", "0", "--votes", "x", "--token-coefficient", "-1");
        assertEquals("""
                400 Parameter verification failed.
                link0: invalid format - format error
                link0.address: invalid format - value does not look like a valid address: foo_bar
                link0.priority: value must have a maximum value of 255
                link1: invalid format - invalid key in comma-separated list property: weight
                nodeid: value must have a minimum value of 1
                votes: type check ('integer') failed - got 'x'
                token-coefficient: value must have a minimum value of 0
                pvecm create <clustername> [OPTIONS]
                """, r.err());
    }

    @Test
    void linkPropertyStrings() {
        Params p = new Params();
        assertEquals(new org.pmxcfs.corosync.CorosyncLink("10.10.10.1", 15), p.link("link0", "10.10.10.1,priority=15"));
        assertEquals(new org.pmxcfs.corosync.CorosyncLink("fd00::1", 0), p.link("link1", "address=fd00::1"));
        assertEquals(new org.pmxcfs.corosync.CorosyncLink("node1.example.com", 0), p.link("link2", "node1.example.com"));
        assertEquals(null, p.link("link3", "a,b"));
        assertEquals(null, p.link("link4", "priority=1"));
        assertEquals(null, p.link("link5", "1.2.3.4,priority=x"));
        assertEquals(null, p.link("link6", "address=1.2.3.4,address=1.2.3.5"));
        ParamException e = org.junit.jupiter.api.Assertions.assertThrows(ParamException.class, p::check);
        assertEquals("""
                400 Parameter verification failed.
                link3: invalid format - duplicate key in comma-separated list property: address
                link4: invalid format - format error
                link4.address: property is missing and it is not optional
                link5: invalid format - format error
                link5.priority: type check ('integer') failed - got 'x'
                link6: invalid format - duplicate key in comma-separated list property: address
                """, e.text());
    }

    @Test
    void scalarChecks() {
        Params p = new Params();
        assertEquals(5L, p.integer("a", "+5", 1L, 10L));
        assertEquals(null, p.integer("b", "11", 1L, 10L));
        assertEquals(null, p.integer("c", "1.5", null, null));
        assertEquals(true, p.bool("d", ""));
        assertEquals(true, p.bool("e", "Yes"));
        assertEquals(false, p.bool("f", "0"));
        assertEquals(null, p.bool("g", "maybe"));
        assertEquals(null, p.ip("j", "300.1.1.1"));
        assertEquals(null, p.fingerprint("k", "AB:CD"));
        assertEquals("""
                400 Parameter verification failed.
                b: value must have a maximum value of 10
                c: type check ('integer') failed - got '1.5'
                g: type check ('boolean') failed - got 'maybe'
                j: invalid format - value does not look like a valid IP address
                k: value does not match the regex pattern
                """, org.junit.jupiter.api.Assertions.assertThrows(ParamException.class, p::check).text());
        assertTrue(Params.isIp("::1") && Params.isIp("::ffff:10.0.0.1") && Params.isIp("192.168.0.1"));
        assertTrue(!Params.isIp("1:2") && !Params.isIp("[::1]") && !Params.isIp("fe80::1%eth0") && !Params.isIp("1.2.3"));
        assertTrue(Params.isAddress("pve1") && Params.isAddress("a-b.c") && !Params.isAddress("a_b"));
    }

    @Test
    void expectedMustBeAtLeastOne() {
        Run r = Run.of(NO_DAEMON, "expected", "0");
        assertEquals(1, r.rc());
        assertEquals("""
                400 Parameter verification failed.
                expected: value must have a minimum value of 1
                pvecm expected <expected>
                """, r.err());
        assertEquals("""
                400 Parameter verification failed.
                expected: type check ('integer') failed - got 'many'
                pvecm expected <expected>
                """, Run.of(NO_DAEMON, "expected", "many").err());
    }

    @Test
    void missingExtraAndUnknownArguments() {
        assertEquals("400 not enough arguments\npvecm keygen <filename>\n", Run.of("keygen").err());
        assertEquals("400 too many arguments\npvecm expected <expected>\n", Run.of("expected", "1", "2").err());
        assertEquals("Unknown option: bogus\n400 unable to parse option\npvecm status\n",
                Run.of("status", "--bogus").err());
        assertEquals("Option nodeid requires an argument\n400 unable to parse option\npvecm create <clustername> [OPTIONS]\n",
                Run.of("create", "x", "--nodeid").err());
        assertEquals(1, Run.of("status", "--bogus").rc());
    }

    @Test
    void unknownAndMissingCommands() {
        Run r = Run.of("frobnicate");
        assertEquals(1, r.rc());
        assertTrue(r.err().startsWith("ERROR: unknown command 'pvecm frobnicate'\nUSAGE: pvecm <COMMAND> [ARGS] [OPTIONS]\n"),
                r.err());
        Run none = Run.of();
        assertEquals(1, none.rc());
        assertTrue(none.err().startsWith("ERROR: no command specified\nUSAGE: pvecm"), none.err());
    }

    /** A file error names the file and the reason, and for a non-root user what is wrong (issue #14). */
    @Test
    void fileErrorsSayWhatIsWrong() {
        assertEquals("unable to use '/var/lock/pvecm.lock' - Permission denied - pvecm must be run as root",
                Pvecm.describe(new java.nio.file.AccessDeniedException("/var/lock/pvecm.lock"), 1000));
        assertEquals("unable to use '/var/lock/pvecm.lock' - Permission denied",
                Pvecm.describe(new java.nio.file.AccessDeniedException("/var/lock/pvecm.lock"), 0));
        assertEquals("unable to use '/x/y' - Not a directory",
                Pvecm.describe(new java.nio.file.FileSystemException("/x/y", null, "Not a directory"), 1000));
        assertEquals("other", Pvecm.describe(new java.io.IOException("other"), 1000));
    }

    @Test
    void apiverAndHelp() {
        assertEquals(new Run(0, "1\n", ""), Run.of("apiver"));
        Run help = Run.of("help");
        assertEquals(0, help.rc());
        assertEquals("""
                USAGE: pvecm <COMMAND> [ARGS] [OPTIONS]

                       pvecm add <hostname> [OPTIONS]
                       pvecm addnode <node> [OPTIONS]
                       pvecm apiver
                       pvecm create <clustername> [OPTIONS]
                       pvecm delnode <node>
                       pvecm expected <expected>
                       pvecm joinpassword
                       pvecm keygen <filename>
                       pvecm links
                       pvecm mtunnel [<extra-args>] [OPTIONS]
                       pvecm nodes
                       pvecm qdevice remove
                       pvecm qdevice setup <address> [OPTIONS]
                       pvecm status
                       pvecm updatecerts [OPTIONS]

                       pvecm help [<extra-args>] [OPTIONS]

                OPTIONS (every command):
                       --run-dir DIR   run directory of the pmxcfs to talk to (env PMXCFS_RUN_DIR, default /run/pve-cluster)
                       --root-dir DIR  the root under which the host's /root/.ssh and /etc/ssh are (env PVECM_ROOT_DIR, default /)
                """, help.out());
        Run create = Run.of("help", "create");
        assertTrue(create.out().startsWith("USAGE: pvecm create <clustername> [OPTIONS]\n\n  Generate new cluster"),
                create.out());
        assertTrue(create.out().contains("  --link[n] [address=]<IP> [,priority=<integer>]\n"), create.out());
        assertTrue(!create.out().contains("--link1") && !create.out().contains("--ca-key-bits")
                && !create.out().contains("--run-dir") && !create.out().contains("--root-dir"), create.out());
        assertEquals("USAGE: pvecm create <clustername> [OPTIONS]\n", Run.of("help", "create", "--verbose", "0").out());
        assertEquals("USAGE: pvecm qdevice remove\nUSAGE: pvecm qdevice setup <address> [OPTIONS]\n",
                Run.of("help", "qdevice", "--verbose", "0").out());
        assertTrue(Run.of("help", "--verbose").out().contains("USAGE: pvecm updatecerts [OPTIONS]\n"));
        assertEquals(new Run(1, "", "no such command 'nope'\n"), Run.of("help", "nope"));
    }

    @Test
    void daemonNotRunning() {
        Run r = Run.of("--run-dir", "/nonexistent/pvecm-test", "status");
        assertEquals(1, r.rc());
        assertEquals("pmxcfs is not running (no socket at /nonexistent/pvecm-test/pmxcfs.sock) - start it with"
                + " 'pmxcfs --run-dir /nonexistent/pvecm-test'\n", r.err());
        // the option is accepted after the subcommand too
        assertEquals(r, Run.of("status", "--run-dir", "/nonexistent/pvecm-test"));
    }
}
