package org.pmxcfs.join;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** A self-signed RSA test certificate, made with the JDK's keytool (no extra dependency). */
public final class TestCerts {

    public final PrivateKey key;
    public final X509Certificate cert;

    private TestCerts(PrivateKey key, X509Certificate cert) {
        this.key = key;
        this.cert = cert;
    }

    public static TestCerts generate(Path dir, String cn) throws Exception {
        Path ks = dir.resolve(cn + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-keyalg", "RSA", "-keysize", "2048", "-alias", "node",
                "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-dname", "CN=" + cn,
                "-validity", "2", "-ext", "san=ip:127.0.0.1").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        return new TestCerts((PrivateKey) store.getKey("node", "changeit".toCharArray()),
                (X509Certificate) store.getCertificate("node"));
    }

    public String certPem() throws Exception {
        return Pem.encode("CERTIFICATE", cert.getEncoded());
    }

    public String pkcs8Pem() {
        return Pem.encode("PRIVATE KEY", key.getEncoded());
    }

    /** The PKCS#1 form: the OCTET STRING inside the PKCS#8 structure. */
    public String pkcs1Pem() {
        byte[] p8 = key.getEncoded();
        // PKCS#8 = SEQ { INT 0, SEQ alg, OCTET STRING pkcs1 }: skip to the last TLV
        int i = headerLength(p8, 0);
        i += tlvLength(p8, i); // version
        i += tlvLength(p8, i); // algorithm
        int h = headerLength(p8, i);
        byte[] pkcs1 = java.util.Arrays.copyOfRange(p8, i + h, i + tlvLength(p8, i));
        return Pem.encode("RSA PRIVATE KEY", pkcs1);
    }

    /** Writes nodes/<node>/pve-ssl.pem and pve-ssl.key under a mount-like directory. */
    public void install(Path mount, String node) throws Exception {
        Path dir = mount.resolve("nodes").resolve(node);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("pve-ssl.pem"), certPem());
        Files.writeString(dir.resolve("pve-ssl.key"), pkcs1Pem());
    }

    private static int headerLength(byte[] d, int at) {
        int l = d[at + 1] & 0xff;
        return l < 0x80 ? 2 : 2 + (l & 0x7f);
    }

    private static int tlvLength(byte[] d, int at) {
        int l = d[at + 1] & 0xff;
        if (l < 0x80) {
            return 2 + l;
        }
        int n = l & 0x7f;
        int len = 0;
        for (int k = 0; k < n; k++) {
            len = (len << 8) | (d[at + 2 + k] & 0xff);
        }
        return 2 + n + len;
    }
}
