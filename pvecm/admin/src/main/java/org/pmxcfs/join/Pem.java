package org.pmxcfs.join;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemObjectGenerator;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * PEM files, read and written with BouncyCastle for the daemon's join API and for pvecm alike:
 * certificate chains, and private keys as PKCS#8 ({@code BEGIN PRIVATE KEY}, what OpenSSL 3 and
 * pvecm write) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, as older {@code pve-ssl.key} files are).
 * Encrypted keys and SEC1 EC keys are refused with a message saying so.
 */
public final class Pem {

    private Pem() {}

    /**
     * The certificates of a PEM file, leaf first.
     *
     * @throws CertificateException if there is none or one does not parse
     */
    public static List<X509Certificate> certificates(String text) throws CertificateException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> certs = new ArrayList<>();
        for (PemObject o : objects(text)) {
            if (o.getType().equals("CERTIFICATE")) {
                certs.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(o.getContent())));
            }
        }
        if (certs.isEmpty()) {
            throw new CertificateException("no certificate found");
        }
        return certs;
    }

    /**
     * The first private key of a PEM file.
     *
     * @throws GeneralSecurityException if there is none, or it is encrypted or of an unsupported kind
     */
    public static PrivateKey privateKey(String text) throws GeneralSecurityException {
        for (PemObject o : objects(text)) {
            PrivateKeyInfo info;
            try {
                switch (o.getType()) {
                    case "PRIVATE KEY" -> info = PrivateKeyInfo.getInstance(o.getContent());
                    case "RSA PRIVATE KEY" -> info = new PrivateKeyInfo(
                            new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                            RSAPrivateKey.getInstance(o.getContent()));
                    case "ENCRYPTED PRIVATE KEY" ->
                            throw new GeneralSecurityException("encrypted private keys are not supported");
                    case "EC PRIVATE KEY" -> throw new GeneralSecurityException(
                            "SEC1 EC keys are not supported - convert with 'openssl pkcs8 -topk8 -nocrypt'");
                    default -> {
                        continue; // certificates and parameters may share the file
                    }
                }
                return new JcaPEMKeyConverter().getPrivateKey(info);
            } catch (IOException | IllegalArgumentException e) {
                throw new GeneralSecurityException("invalid private key: " + e.getMessage(), e);
            }
        }
        throw new GeneralSecurityException("no private key found");
    }

    /** The key pair of a PEM RSA private key (the public part is derived from it). */
    public static KeyPair keyPair(String text) throws GeneralSecurityException {
        PrivateKey priv = privateKey(text);
        if (!(priv instanceof RSAPrivateCrtKey rsa)) {
            throw new GeneralSecurityException("only RSA private keys are supported");
        }
        PublicKey pub = KeyFactory.getInstance("RSA").generatePublic(
                new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
        return new KeyPair(pub, priv);
    }

    /** PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}). */
    public static String of(PrivateKey key) {
        return write(() -> new JcaPKCS8Generator(key, null));
    }

    /** SubjectPublicKeyInfo PEM ({@code -----BEGIN PUBLIC KEY-----}, like {@code openssl rsa -pubout}). */
    public static String of(PublicKey key) {
        return write(() -> new JcaMiscPEMGenerator(key));
    }

    /** {@code -----BEGIN CERTIFICATE-----}. */
    public static String of(X509Certificate cert) {
        return write(() -> new JcaMiscPEMGenerator(cert));
    }

    /** A PEM block of any label, 64-character lines. */
    public static String encode(String label, byte[] der) {
        return write(() -> new PemObject(label, der));
    }

    private interface Generator {
        PemObjectGenerator get() throws IOException;
    }

    /** Keys and certificates of the JDK's providers always encode: an IOException here is a bug. */
    private static String write(Generator g) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(g.get());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }

    private static List<PemObject> objects(String text) {
        List<PemObject> out = new ArrayList<>();
        try (PemReader r = new PemReader(new StringReader(text))) {
            for (int i = 0; i < 64; i++) { // a chain, a key and parameters; never more than a few
                PemObject o;
                try {
                    o = r.readPemObject();
                } catch (IOException malformed) {
                    break; // what was read before stands, as with openssl
                }
                if (o == null) {
                    break;
                }
                out.add(o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
