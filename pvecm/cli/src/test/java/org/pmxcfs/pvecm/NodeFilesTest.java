package org.pmxcfs.pvecm;

import org.pmxcfs.join.Pem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node files in a plain directory standing in for the mount (with a {@code .version}). */
class NodeFilesTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneId.of("UTC"));

    @TempDir
    Path mnt;
    NodeFiles files;

    @BeforeEach
    void setUp() throws Exception {
        Files.writeString(mnt.resolve(".version"), "{}");
        files = new NodeFiles(mnt, "node1", CLOCK, 2048, Optional.empty());
    }

    @Test
    void makesTheWholeHierarchy() throws Exception {
        files.genNodeFiles("10.0.0.1", false);
        for (String d : List.of("priv", "nodes/node1/lxc", "nodes/node1/qemu-server", "nodes/node1/openvz",
                "nodes/node1/priv")) {
            assertTrue(Files.isDirectory(mnt.resolve(d)), d);
        }
        for (String f : List.of("priv/authkey.key", "authkey.pub", "pve-www.key", "nodes/node1/pve-ssl.key",
                "nodes/node1/pve-ssl.pem", "priv/pve-root-ca.key", "pve-root-ca.pem")) {
            assertTrue(Files.isRegularFile(mnt.resolve(f)), f);
        }
        assertTrue(Files.readString(mnt.resolve("authkey.pub")).startsWith("-----BEGIN PUBLIC KEY-----"));
        assertEquals("01\n", Files.readString(mnt.resolve("priv/pve-root-ca.srl")));
        X509Certificate ca = cert("pve-root-ca.pem");
        X509Certificate node = cert("nodes/node1/pve-ssl.pem");
        node.verify(ca.getPublicKey());
        assertEquals(BigInteger.ONE, node.getSerialNumber());
        assertEquals(Pem.keyPair(Files.readString(mnt.resolve("nodes/node1/pve-ssl.key"))).getPublic(),
                node.getPublicKey());
        try (var s = Files.list(mnt.resolve("nodes/node1"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp.")), "no temporary files left");
        }
    }

    @Test
    void keepsWhatExistsAndForceMakesANewNodeCertificate() throws Exception {
        files.genNodeFiles("10.0.0.1", false);
        String ca = Files.readString(mnt.resolve("pve-root-ca.pem"));
        String key = Files.readString(mnt.resolve("nodes/node1/pve-ssl.key"));
        String cert = Files.readString(mnt.resolve("nodes/node1/pve-ssl.pem"));
        files.genNodeFiles("10.0.0.1", false);
        assertEquals(cert, Files.readString(mnt.resolve("nodes/node1/pve-ssl.pem")));
        files.genNodeFiles("10.0.0.2", true);
        assertEquals(ca, Files.readString(mnt.resolve("pve-root-ca.pem")));
        assertEquals(key, Files.readString(mnt.resolve("nodes/node1/pve-ssl.key")));
        assertNotEquals(cert, Files.readString(mnt.resolve("nodes/node1/pve-ssl.pem")));
        assertEquals(BigInteger.TWO, cert("nodes/node1/pve-ssl.pem").getSerialNumber());
        assertEquals("02\n", Files.readString(mnt.resolve("priv/pve-root-ca.srl")));
    }

    @Test
    void aNewCaForcesANewNodeCertificateAndReusesAnExistingCaKey() throws Exception {
        files.genNodeFiles("10.0.0.1", false);
        String caKey = Files.readString(mnt.resolve("priv/pve-root-ca.key"));
        Files.delete(mnt.resolve("pve-root-ca.pem"));
        files.genNodeFiles("10.0.0.1", false);
        assertEquals(caKey, Files.readString(mnt.resolve("priv/pve-root-ca.key")));
        cert("nodes/node1/pve-ssl.pem").verify(cert("pve-root-ca.pem").getPublicKey());
        assertEquals(BigInteger.TWO, cert("nodes/node1/pve-ssl.pem").getSerialNumber());
    }

    @Test
    void serialFileIsHexWithEvenDigits() throws Exception {
        Files.createDirectories(mnt.resolve("priv"));
        Files.writeString(mnt.resolve("priv/pve-root-ca.srl"), "FE\n");
        assertEquals(BigInteger.valueOf(0xFF), files.nextSerial());
        assertEquals(BigInteger.valueOf(0x100), files.nextSerial());
        assertEquals("0100\n", Files.readString(mnt.resolve("priv/pve-root-ca.srl")));
    }

    @Test
    void searchDomain() throws Exception {
        Path rc = mnt.resolve("resolv.conf");
        Files.writeString(rc, "# x\nnameserver 1.1.1.1\nsearch example.com other.org\n");
        assertEquals(Optional.of("example.com"), NodeFiles.searchDomain(rc));
        Files.writeString(rc, "nameserver 1.1.1.1\n");
        assertEquals(Optional.empty(), NodeFiles.searchDomain(rc));
        assertEquals(Optional.empty(), NodeFiles.searchDomain(mnt.resolve("missing")));
        new NodeFiles(mnt, "node1", CLOCK, 2048, Optional.of("example.com")).genNodeFiles("10.0.0.1", false);
        assertTrue(cert("nodes/node1/pve-ssl.pem").getSubjectX500Principal().getName().startsWith("CN=node1.example.com,"));
    }

    @Test
    void refusesWithoutAMount() throws Exception {
        Files.delete(mnt.resolve(".version"));
        PvecmException e = assertThrows(PvecmException.class, () -> files.genNodeFiles("10.0.0.1", false));
        assertEquals("pve configuration filesystem (pmxcfs) not mounted", e.getMessage());
    }

    private X509Certificate cert(String f) throws Exception {
        return Pem.certificates(Files.readString(mnt.resolve(f))).get(0);
    }
}
