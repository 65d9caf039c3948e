package org.pmxcfs.pvecm;

import org.pmxcfs.join.Pem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pmxcfs.join.Fingerprint;

class CertificatesTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00.750Z");
    private static final Instant NOW_S = Instant.parse("2026-11-22T10:00:00Z");
    private static KeyPair caKey;
    private static X509Certificate ca;
    private static KeyPair nodeKey;

    @BeforeAll
    static void setUp() {
        caKey = Certificates.generateRsaKeyPair(2048); // CA_KEY_BITS (4096) in production; tests stay fast
        ca = Certificates.createCaCertificate(caKey, NOW);
        nodeKey = Certificates.generateRsaKeyPair(Certificates.NODE_KEY_BITS);
    }

    @Test
    void caIsSelfSignedBackdatedTenYearsAndACa() throws Exception {
        ca.verify(caKey.getPublic());
        ca.checkValidity(java.util.Date.from(NOW));
        assertEquals(NOW_S.minus(Duration.ofDays(1)), ca.getNotBefore().toInstant());
        assertEquals(NOW_S.minus(Duration.ofDays(1)).plus(Duration.ofDays(3650)), ca.getNotAfter().toInstant());
        assertEquals(Integer.MAX_VALUE, ca.getBasicConstraints());
        assertTrue(ca.getCriticalExtensionOIDs().contains("2.5.29.19"));
        assertEquals(ca.getSubjectX500Principal(), ca.getIssuerX500Principal());
        String dn = ca.getSubjectX500Principal().getName();
        // RFC 2253 lists the RDNs last first: the DER order is CN, OU, O as with openssl -subj
        assertTrue(dn.matches("O=PVE Cluster Manager CA,OU=[0-9a-f-]{36},CN=Proxmox Virtual Environment"), dn);
        assertEquals(3, ca.getVersion());
        assertEquals("SHA256withRSA", ca.getSigAlgName());
        assertTrue(ca.getKeyUsage()[5], "keyCertSign");
        assertNotEquals(ca.getSubjectX500Principal(), Certificates.createCaCertificate(caKey, NOW)
                .getSubjectX500Principal(), "a new UUID per CA");
    }

    @Test
    void nodeCertificateIsSignedByTheCaWithTheOriginalsNames() throws Exception {
        X509Certificate c = Certificates.signNodeCertificate(ca, caKey.getPrivate(), nodeKey.getPublic(),
                Certificates.NodeIdentity.of("pve1", "192.168.15.91"), BigInteger.valueOf(7), NOW);
        c.verify(caKey.getPublic());
        assertEquals(ca.getSubjectX500Principal(), c.getIssuerX500Principal());
        assertEquals("CN=pve1,O=Proxmox Virtual Environment,OU=PVE Cluster Node", c.getSubjectX500Principal().getName());
        assertEquals(nodeKey.getPublic(), c.getPublicKey());
        assertEquals(BigInteger.valueOf(7), c.getSerialNumber());
        assertEquals(-1, c.getBasicConstraints());
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), c.getExtendedKeyUsage());
        assertEquals(List.of("IP:127.0.0.1", "IP:0:0:0:0:0:0:0:1", "DNS:localhost", "IP:192.168.15.91", "DNS:pve1"),
                sans(c));
        // 3650 - 1 (backdated CA) days left, so the 730-day cap applies
        assertEquals(NOW_S.minus(Duration.ofDays(1)), c.getNotBefore().toInstant());
        assertEquals(NOW_S.minus(Duration.ofDays(1)).plus(Duration.ofDays(730)), c.getNotAfter().toInstant());
    }

    @Test
    void fqdnFromTheSearchDomainBecomesTheCnAndAnExtraName() throws Exception {
        X509Certificate c = Certificates.signNodeCertificate(ca, caKey.getPrivate(), nodeKey.getPublic(),
                new Certificates.NodeIdentity("pve2", "fd00::2", Optional.of("pve2.example.com")), BigInteger.TWO, NOW);
        assertTrue(c.getSubjectX500Principal().getName().startsWith("CN=pve2.example.com,"));
        assertEquals(List.of("IP:127.0.0.1", "IP:0:0:0:0:0:0:0:1", "DNS:localhost", "IP:fd00:0:0:0:0:0:0:2",
                "DNS:pve2", "DNS:pve2.example.com"), sans(c));
    }

    @Test
    void validityIsCaRemainderMinusTwoDaysCappedAt730() throws Exception {
        // a CA made 3550 days ago (backdated one more): 99 full days left
        X509Certificate old = Certificates.createCaCertificate(caKey, NOW.minus(Duration.ofDays(3550)));
        assertEquals(99 - 2, Certificates.nodeCertificateDays(old, NOW));
        X509Certificate c = Certificates.signNodeCertificate(old, caKey.getPrivate(), nodeKey.getPublic(),
                Certificates.NodeIdentity.of("n", "10.0.0.1"), BigInteger.ONE, NOW);
        assertEquals(NOW_S.minus(Duration.ofDays(1)).plus(Duration.ofDays(97)), c.getNotAfter().toInstant());
        assertTrue(c.getNotAfter().before(old.getNotAfter()));
        assertEquals(730, Certificates.nodeCertificateDays(ca, NOW));
        // exactly 14 days left is still enough, 13 is not
        X509Certificate edge = Certificates.createCaCertificate(caKey, NOW.minus(Duration.ofDays(3650 - 15)));
        assertEquals(12, Certificates.nodeCertificateDays(edge, NOW));
        X509Certificate dying = Certificates.createCaCertificate(caKey, NOW.minus(Duration.ofDays(3650 - 14)));
        Certificates.CaExpiresSoonException e = assertThrows(Certificates.CaExpiresSoonException.class,
                () -> Certificates.signNodeCertificate(dying, caKey.getPrivate(), nodeKey.getPublic(),
                        Certificates.NodeIdentity.of("n", "10.0.0.1"), BigInteger.ONE, NOW));
        assertEquals("CA expires in less than 2 weeks, unable to generate certificate.", e.getMessage());
    }

    @Test
    void fingerprintIsSha256OfTheDerInUpperCaseHexPairs() throws Exception {
        String fp = Fingerprint.of(ca);
        assertTrue(fp.matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), fp);
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(ca.getEncoded());
        assertArrayEquals(expected, HexFormat.ofDelimiter(":").parseHex(fp));
        assertEquals(fp, Fingerprint.parse(fp.toLowerCase()).orElseThrow());
        assertTrue(Fingerprint.parse(fp.substring(3)).isEmpty());
        assertTrue(Fingerprint.matches(fp, fp.toLowerCase()));
        assertFalse(Fingerprint.matches(fp, null));
        // stable across a PEM round trip
        assertEquals(fp, Fingerprint.of(Pem.certificates(Pem.of(ca)).get(0)));
    }

    @Test
    void pemRoundTrips() throws Exception {
        String keyPem = Pem.of(nodeKey.getPrivate());
        assertTrue(keyPem.startsWith("-----BEGIN PRIVATE KEY-----\n"), keyPem);
        assertEquals(nodeKey.getPrivate(), Pem.privateKey(keyPem));
        KeyPair back = Pem.keyPair(keyPem);
        assertEquals(nodeKey.getPublic(), back.getPublic());
        String pubPem = Pem.of(nodeKey.getPublic());
        assertTrue(pubPem.startsWith("-----BEGIN PUBLIC KEY-----\n"), pubPem);
        String certPem = Pem.of(ca);
        assertTrue(certPem.startsWith("-----BEGIN CERTIFICATE-----\n") && certPem.endsWith("-----END CERTIFICATE-----\n"));
        assertEquals(ca, Pem.certificates(certPem).get(0));
    }

    @Test
    void readsPkcs1KeysAsOlderOpensslWroteThem() throws Exception {
        byte[] pkcs1 = PrivateKeyInfo.getInstance(nodeKey.getPrivate().getEncoded()).parsePrivateKey()
                .toASN1Primitive().getEncoded();
        String pem = "-----BEGIN RSA PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs1)
                + "\n-----END RSA PRIVATE KEY-----\n";
        assertEquals(nodeKey.getPrivate(), Pem.privateKey(pem));
        assertEquals(nodeKey.getPublic(), Pem.keyPair(pem).getPublic());
    }

    @Test
    void refusesGarbage() {
        assertThrows(java.security.cert.CertificateException.class, () -> Pem.certificates("nothing here"));
        assertThrows(java.security.GeneralSecurityException.class, () -> Pem.privateKey(Pem.of(ca)));
        assertThrows(IllegalArgumentException.class, () -> Certificates.NodeIdentity.of("", "1.2.3.4"));
        assertThrows(IllegalArgumentException.class, () -> Certificates.NodeIdentity.of("n", ""));
    }

    private static List<String> sans(X509Certificate c) throws Exception {
        List<String> out = new ArrayList<>();
        for (List<?> n : c.getSubjectAlternativeNames()) {
            int type = (Integer) n.get(0);
            out.add((type == 7 ? "IP:" : type == 2 ? "DNS:" : type + ":") + n.get(1));
        }
        return out;
    }
}
