package org.pmxcfs.pvecm.join;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.join.AddNode;
import org.pmxcfs.join.AddNodeRequest;
import org.pmxcfs.pvecm.PvecmException;

/** pvecm add's conversation with a member's join API, over real HTTPS. */
class JoinRequesterTest {

    @TempDir
    Path dir;

    private TestMember member;
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    private final Deque<String> answers = new ArrayDeque<>();
    private final List<String> prompts = new ArrayList<>();

    private final Prompter prompter = new Prompter() {
        @Override
        public char[] password(String prompt) {
            prompts.add(prompt);
            String a = answers.poll();
            return a == null ? null : a.toCharArray();
        }

        @Override
        public String line(String prompt) {
            prompts.add(prompt);
            out.print(prompt);
            return answers.poll();
        }
    };

    @AfterEach
    void stop() {
        if (member != null) {
            member.close();
        }
    }

    private AddNode.Result join(Optional<String> fp, String password, Map<String, String> params) throws IOException {
        AddNodeRequest req;
        try {
            req = AddNodeRequest.fromParams("x", params);
        } catch (org.pmxcfs.join.JoinException e) {
            throw new IllegalArgumentException(e);
        }
        return new JoinRequester(prompter, out, err).request(
                new JoinRequester.Target("127.0.0.1", member.port(), fp, "pve2", req, "10.0.0.2"), password.toCharArray());
    }

    /** The member's fingerprint with its first byte changed. */
    private static String otherFingerprint() {
        String fp = TestMember.fingerprint();
        return (fp.startsWith("00") ? "01" : "00") + fp.substring(2);
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void joinWithGivenFingerprint() throws Exception {
        member = new TestMember(dir);
        AddNode.Result r = join(Optional.of(TestMember.fingerprint().toLowerCase()), TestMember.PASSWORD, Map.of());
        assertEquals("""
                Establishing API connection with host '127.0.0.1'
                Login succeeded.
                check cluster join API version
                No cluster network links passed explicitly, fallback to local node IP '10.0.0.2'
                Request addition of this node
                """, out());
        assertEquals("", err());
        assertArrayEquals(new byte[] {9, 8, 7}, r.corosyncAuthkey());
        CorosyncConf conf = CorosyncConf.parse(r.corosyncConf());
        assertEquals("10.0.0.2", conf.node("pve2").orElseThrow().ring0Addr());
        assertEquals(member.conf(), new String(r.corosyncConf(), StandardCharsets.UTF_8));
        assertEquals(List.of("adding node pve2 to cluster"), member.clusterLog);
        assertTrue(prompts.isEmpty());
    }

    @Test
    void explicitLinksAreSentAsGiven() throws Exception {
        member = new TestMember(dir);
        AddNode.Result r = join(Optional.of(TestMember.fingerprint()), TestMember.PASSWORD,
                Map.of("link0", "10.0.0.7", "votes", "2", "nodeid", "5"));
        CorosyncConf conf = CorosyncConf.parse(r.corosyncConf());
        assertEquals("10.0.0.7", conf.node("pve2").orElseThrow().ring0Addr());
        assertEquals(5, conf.node("pve2").orElseThrow().nodeid());
        assertEquals(2, conf.node("pve2").orElseThrow().quorumVotes());
        assertTrue(!out().contains("fallback"));
    }

    @Test
    void wrongFingerprintIsRefusedBeforeAnythingIsSent() throws Exception {
        member = new TestMember(dir);
        String given = otherFingerprint();
        PvecmException e = assertThrows(PvecmException.class, () -> join(Optional.of(given), TestMember.PASSWORD, Map.of()));
        assertTrue(e.getMessage().startsWith("500 Can't connect to 127.0.0.1:" + member.port()
                + " (certificate verify failed: fingerprint " + TestMember.fingerprint() + " does not match"), e.getMessage());
        assertEquals(TestMember.CONF, member.conf());
    }

    @Test
    void pinnedClientRefusesAnotherCertificate() throws Exception {
        member = new TestMember(dir);
        JoinApiClient c = new JoinApiClient("127.0.0.1", member.port(), otherFingerprint());
        IOException e = assertThrows(IOException.class, () -> c.login("root@pam", TestMember.PASSWORD.toCharArray()));
        assertTrue(e.getMessage().startsWith("500 Can't connect"), e.getMessage());
        JoinApiClient ok = new JoinApiClient("127.0.0.1", member.port(), TestMember.fingerprint());
        ok.login("root@pam", TestMember.PASSWORD.toCharArray());
        assertEquals(1, ok.get("/cluster/config/apiversion").asInt());
    }

    @Test
    void interactiveConfirmation() throws Exception {
        member = new TestMember(dir);
        answers.add("yes");
        join(Optional.empty(), TestMember.PASSWORD, Map.of("link0", "10.0.0.2"));
        assertTrue(out().startsWith("Establishing API connection with host '127.0.0.1'\n"
                + "The authenticity of host '127.0.0.1' can't be established.\n"
                + "X509 SHA256 key fingerprint is " + TestMember.fingerprint() + ".\n"
                + "Are you sure you want to continue connecting (yes/no)? Login succeeded.\n"), out());
    }

    @Test
    void anythingButYesAborts() throws Exception {
        member = new TestMember(dir);
        answers.add("y");
        assertEquals("Fingerprint not verified, abort!", assertThrows(PvecmException.class,
                () -> join(Optional.empty(), TestMember.PASSWORD, Map.of())).getMessage());
        assertEquals(TestMember.CONF, member.conf());
    }

    @Test
    void wrongPassword() throws Exception {
        member = new TestMember(dir);
        PvecmException e = assertThrows(PvecmException.class,
                () -> join(Optional.of(TestMember.fingerprint()), "wrong", Map.of()));
        assertTrue(e.getMessage().startsWith("401 authentication failure"), e.getMessage());
        assertEquals(TestMember.CONF, member.conf());
    }

    @Test
    void memberRefusalIsPrintedWithItsDetails() throws Exception {
        member = new TestMember(dir);
        assertEquals("Cluster join aborted!", assertThrows(PvecmException.class,
                () -> join(Optional.of(TestMember.fingerprint()), TestMember.PASSWORD, Map.of("link0", "10.0.0.1")))
                .getMessage());
        assertEquals("An error occurred on the cluster node: corosync: address '10.0.0.1' already used on link"
                + " ring0_addr by node 'pve1'\n", err());
    }

    @Test
    void structuredDetailsGetStarOrBang() throws Exception {
        member = new TestMember(dir);
        java.nio.file.Files.writeString(member.mount.resolve("corosync.conf"),
                TestMember.CONF.replace("  secauth: on\n", "").replace("ring0_addr: 10.0.0.1",
                        "ring0_addr: 10.0.0.1\n    ring1_addr: 10.1.0.1"));
        assertThrows(PvecmException.class,
                () -> join(Optional.of(TestMember.fingerprint()), TestMember.PASSWORD, Map.of()));
        assertEquals("""
                An error occurred on the cluster node: invalid corosync.conf
                ! node 'pve1' has 'ring1_addr', but there is no interface number 1 configured
                * warning: authentication/encryption is not explicitly enabled (secauth / crypto_cipher / crypto_hash)
                """, err());
    }

    @Test
    void peerWithoutTheJoinApi() throws Exception {
        member = new TestMember(dir, ex -> {
            boolean login = ex.getRequestURI().getPath().endsWith("/access/ticket");
            byte[] body = (login ? "{\"data\":{\"ticket\":\"t\",\"CSRFPreventionToken\":\"c\"}}"
                    : "{\"data\":null,\"message\":\"Method not implemented\"}").getBytes(StandardCharsets.UTF_8);
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(login ? 200 : 501, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        PvecmException e = assertThrows(PvecmException.class,
                () -> join(Optional.of(TestMember.fingerprint()), TestMember.PASSWORD, Map.of()));
        assertEquals("Pass the 'use_ssh' switch or update the remote side.", e.getMessage());
        assertEquals("Remote side is not able to use API for Cluster join!\n", err());
        // an API without apiversion is version 0: the fallback address goes as link0
        assertTrue(out().contains("fallback to local node IP '10.0.0.2'"));
    }

    @Test
    void nobodyListening() throws Exception {
        member = new TestMember(dir);
        int port = member.port();
        member.close();
        member = null;
        PvecmException e = assertThrows(PvecmException.class, () -> new JoinRequester(prompter, out, err).request(
                new JoinRequester.Target("127.0.0.1", port, Optional.empty(), "pve2",
                        AddNodeRequest.fromParams("x", Map.of()), "10.0.0.2"), "x".toCharArray()));
        assertTrue(e.getMessage().startsWith("500 Can't connect to 127.0.0.1:" + port + " ("), e.getMessage());
    }
}
