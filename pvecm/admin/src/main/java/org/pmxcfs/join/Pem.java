package org.pmxcfs.join;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files with the JDK alone (the daemon has no BouncyCastle): certificate chains, and private
 * keys as PKCS#8 ({@code BEGIN PRIVATE KEY}, RSA/EC/Ed25519) or PKCS#1 ({@code BEGIN RSA PRIVATE
 * KEY}, what openssl and BouncyCastle write for RSA keys, as in {@code pve-ssl.key}). Encrypted
 * keys and SEC1 EC keys are refused with a message saying so.
 */
public final class Pem {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    /** AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private Pem() {}

    /** One PEM block: its label and decoded bytes. */
    public record Block(String label, byte[] der) {}

    /** Every PEM block in {@code text}, in order. */
    public static List<Block> blocks(String text) {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
        }
        return out;
    }

    /**
     * The certificates of a PEM file, leaf first.
     *
     * @throws CertificateException if there is none or one does not parse
     */
    public static List<X509Certificate> certificates(String text) throws CertificateException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> certs = new ArrayList<>();
        for (Block b : blocks(text)) {
            if (b.label().equals("CERTIFICATE")) {
                certs.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
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
        for (Block b : blocks(text)) {
            switch (b.label()) {
                case "PRIVATE KEY":
                    return pkcs8(b.der());
                case "RSA PRIVATE KEY":
                    return pkcs8(wrapPkcs1(b.der()));
                case "ENCRYPTED PRIVATE KEY":
                    throw new GeneralSecurityException("encrypted private keys are not supported");
                case "EC PRIVATE KEY":
                    throw new GeneralSecurityException("SEC1 EC keys are not supported - convert with 'openssl pkcs8 -topk8 -nocrypt'");
                default:
                    // certificates and parameters may share the file
            }
        }
        throw new GeneralSecurityException("no private key found");
    }

    /** A PEM block with 64-character lines. */
    public static String encode(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("unsupported private key: " + last.getMessage(), last);
    }

    /** PKCS#1 RSAPrivateKey wrapped into PKCS#8: SEQUENCE { 0, rsaEncryption, OCTET STRING pkcs1 }. */
    static byte[] wrapPkcs1(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.writeBytes(tlv(0x04, pkcs1));
        return tlv(0x30, body.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }
}
