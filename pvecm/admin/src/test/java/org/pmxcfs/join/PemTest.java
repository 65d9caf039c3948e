package org.pmxcfs.join;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {

    @TempDir
    static Path dir;
    static TestCerts certs;

    @BeforeAll
    static void generate() throws Exception {
        certs = TestCerts.generate(dir, "pem-test");
    }

    @Test
    void pkcs8AndPkcs1KeysGiveTheSameKey() throws Exception {
        assertArrayEquals(certs.key.getEncoded(), Pem.privateKey(certs.pkcs8Pem()).getEncoded());
        assertArrayEquals(certs.key.getEncoded(), Pem.privateKey(certs.pkcs1Pem()).getEncoded());
    }

    @Test
    void certificateChainAndKeyInOneFile() throws Exception {
        String both = certs.certPem() + certs.certPem() + certs.pkcs1Pem();
        assertEquals(2, Pem.certificates(both).size());
        assertEquals(certs.cert, Pem.certificates(both).get(0));
        assertEquals("RSA", Pem.privateKey(both).getAlgorithm());
    }

    @Test
    void refusals() {
        assertThrows(CertificateException.class, () -> Pem.certificates("nothing"));
        assertThrows(GeneralSecurityException.class, () -> Pem.privateKey("nothing"));
        assertTrue(assertThrows(GeneralSecurityException.class,
                () -> Pem.privateKey(Pem.encode("ENCRYPTED PRIVATE KEY", new byte[] {1}))).getMessage().contains("encrypted"));
    }

    @Test
    void fingerprintFormat() throws Exception {
        String fp = Fingerprint.of(certs.cert);
        assertTrue(fp.matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), fp);
        assertEquals(fp, Fingerprint.parse(fp.toLowerCase()).get());
        assertTrue(Fingerprint.matches(fp, fp.toLowerCase()));
        assertTrue(Fingerprint.parse("AA:BB").isEmpty());
    }
}
