package org.pmxcfs.pvecm;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The cluster's X.509 material, made the way {@code PVE::Cluster::Setup} makes it with openssl
 * (reference 4.2 step 5 and 4.3 step 7.6): RSA keys, the cluster CA
 * ({@code pve-root-ca.pem}, self-signed, 10 years) and node certificates ({@code pve-ssl.pem},
 * signed by the CA, at most 2 years), their PEM texts, and SHA-256 fingerprints as
 * {@code pvecm add --fingerprint} and the join API compare them.
 *
 * <p>Pure functions: nothing here touches files or reads a clock; callers pass the time.
 * {@link NodeFiles} puts the results into {@code /etc/pve}.
 *
 * <p>Conventions of the original kept here:
 * <ul>
 *   <li>both certificates start one day in the past ({@code faketime yesterday openssl ...},
 *       PVE bug #904: clients with a clock slightly behind);</li>
 *   <li>CA subject {@code CN=Proxmox Virtual Environment, OU=<random UUID>, O=PVE Cluster
 *       Manager CA}; node subject {@code OU=PVE Cluster Node, O=Proxmox Virtual Environment,
 *       CN=<node or fqdn>};</li>
 *   <li>node SANs {@code IP:127.0.0.1, IP:::1, DNS:localhost, IP:<ip>, DNS:<node>[,
 *       DNS:<fqdn>]}, {@code basicConstraints CA:FALSE}, {@code extendedKeyUsage serverAuth};</li>
 *   <li>node validity {@code min(CA days left - 2, 730)} days, refused when the CA has fewer
 *       than 14 days left;</li>
 *   <li>private keys are written as PKCS#8 ({@code BEGIN PRIVATE KEY}, what OpenSSL 3's
 *       {@code genrsa} writes); both PKCS#8 and PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) are
 *       read.</li>
 * </ul>
 */
public final class Certificates {

    /** RSA key size of the cluster CA ({@code priv/pve-root-ca.key}). */
    public static final int CA_KEY_BITS = 4096;
    /** RSA key size of node keys, {@code pve-www.key} and {@code priv/authkey.key}. */
    public static final int NODE_KEY_BITS = 2048;
    /** Validity of a new CA, in days ({@code openssl req -days 3650}). */
    public static final int CA_DAYS = 3650;
    /** Longest node certificate validity, in days (2 × 365). */
    public static final int NODE_MAX_DAYS = 730;
    /** A node certificate ends this many days before the CA does. */
    public static final int NODE_DAYS_BEFORE_CA_END = 2;
    /** Fewer days left on the CA than this: no node certificate can be issued. */
    public static final int CA_MIN_DAYS_LEFT = 14;
    /** How far back the start of validity is set (openssl runs under {@code faketime yesterday}). */
    public static final Duration BACKDATE = Duration.ofDays(1);

    private static final String SIGNATURE_ALGORITHM = "SHA256withRSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Certificates() {
    }

    /** The CA would expire too soon to issue a node certificate. */
    public static final class CaExpiresSoonException extends GeneralSecurityException {
        private static final long serialVersionUID = 1L;

        CaExpiresSoonException() {
            super("CA expires in less than 2 weeks, unable to generate certificate.");
        }
    }

    // ------------------------------------------------------------------ keys

    /** A new RSA key pair of {@code bits} bits. */
    public static KeyPair generateRsaKeyPair(int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits, RANDOM);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("RSA is not available in this JVM", e);
        }
    }

    // ------------------------------------------------------------------ certificates

    /**
     * A new self-signed cluster CA certificate for {@code caKey}: subject
     * {@code CN=Proxmox Virtual Environment, OU=<random UUID>, O=PVE Cluster Manager CA},
     * valid from {@code now - 1 day} for {@link #CA_DAYS} days, {@code basicConstraints
     * critical CA:TRUE}, key usage {@code keyCertSign, cRLSign}, subject and authority key ids.
     */
    public static X509Certificate createCaCertificate(KeyPair caKey, Instant now) {
        Objects.requireNonNull(caKey, "caKey");
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, "Proxmox Virtual Environment")
                .addRDN(BCStyle.OU, UUID.randomUUID().toString())
                .addRDN(BCStyle.O, "PVE Cluster Manager CA")
                .build();
        Instant notBefore = start(now);
        Instant notAfter = notBefore.plus(Duration.ofDays(CA_DAYS));
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, randomSerial(),
                    Date.from(notBefore), Date.from(notAfter), subject, caKey.getPublic())
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(caKey.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(caKey.getPublic()))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return sign(b, caKey.getPrivate());
        } catch (CertIOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot build the CA certificate: " + e.getMessage(), e);
        }
    }

    /**
     * What a node certificate is issued for.
     *
     * @param nodeName the node's name ({@code DNS:<node>})
     * @param ip       the node's IP address ({@code IP:<ip>}), IPv4 or IPv6 literal
     * @param fqdn     {@code <node>.<search domain>} when the host has a DNS search domain
     *                 (then also the subject CN and an extra {@code DNS:} name); empty otherwise
     */
    public record NodeIdentity(String nodeName, String ip, Optional<String> fqdn) {

        public NodeIdentity {
            Objects.requireNonNull(nodeName, "nodeName");
            Objects.requireNonNull(ip, "ip");
            Objects.requireNonNull(fqdn, "fqdn");
            if (nodeName.isEmpty()) {
                throw new IllegalArgumentException("no node name specified");
            }
            if (ip.isEmpty()) {
                throw new IllegalArgumentException("no IP specified");
            }
        }

        public static NodeIdentity of(String nodeName, String ip) {
            return new NodeIdentity(nodeName, ip, Optional.empty());
        }

        /** The subject CN: the FQDN if known, else the node name. */
        public String commonName() {
            return fqdn.orElse(nodeName);
        }

        /** The subject alternative names in the original's order, as {@code IP:...}/{@code DNS:...}. */
        public List<String> subjectAltNames() {
            List<String> names = new ArrayList<>(List.of("IP:127.0.0.1", "IP:::1", "DNS:localhost", "IP:" + ip,
                    "DNS:" + nodeName));
            fqdn.ifPresent(f -> names.add("DNS:" + f));
            return names;
        }
    }

    /**
     * Days of validity of a node certificate issued at {@code now} under {@code ca}:
     * {@code min(floor(CA time left in days) - 2, 730)}.
     *
     * @throws CaExpiresSoonException if the CA has fewer than 14 days left
     */
    public static int nodeCertificateDays(X509Certificate ca, Instant now) throws CaExpiresSoonException {
        long daysLeft = Math.floorDiv(ca.getNotAfter().toInstant().getEpochSecond() - now.getEpochSecond(), 86_400L);
        if (daysLeft < CA_MIN_DAYS_LEFT) {
            throw new CaExpiresSoonException();
        }
        return (int) Math.min(daysLeft - NODE_DAYS_BEFORE_CA_END, NODE_MAX_DAYS);
    }

    /**
     * A node certificate for {@code nodeKey}, signed by the CA: subject {@code OU=PVE Cluster
     * Node, O=Proxmox Virtual Environment, CN=<node or fqdn>}, valid from {@code now - 1 day}
     * for {@link #nodeCertificateDays} days.
     *
     * @param serial the serial number (the original takes it from {@code priv/pve-root-ca.srl})
     * @throws CaExpiresSoonException if the CA has fewer than 14 days left
     */
    public static X509Certificate signNodeCertificate(X509Certificate ca, PrivateKey caKey, PublicKey nodeKey,
            NodeIdentity node, BigInteger serial, Instant now) throws CaExpiresSoonException {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(caKey, "caKey");
        Objects.requireNonNull(nodeKey, "nodeKey");
        Objects.requireNonNull(node, "node");
        if (serial.signum() <= 0) {
            throw new IllegalArgumentException("serial must be positive");
        }
        int days = nodeCertificateDays(ca, now);
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.OU, "PVE Cluster Node")
                .addRDN(BCStyle.O, "Proxmox Virtual Environment")
                .addRDN(BCStyle.CN, node.commonName())
                .build();
        Instant notBefore = start(now);
        Instant notAfter = notBefore.plus(Duration.ofDays(days));
        List<GeneralName> names = new ArrayList<>();
        for (String n : node.subjectAltNames()) {
            names.add(n.startsWith("IP:") ? new GeneralName(GeneralName.iPAddress, n.substring(3))
                    : new GeneralName(GeneralName.dNSName, n.substring(4)));
        }
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(X500Name.getInstance(
                    ca.getSubjectX500Principal().getEncoded()), serial, Date.from(notBefore), Date.from(notAfter),
                    subject, nodeKey)
                    .addExtension(Extension.basicConstraints, false, new BasicConstraints(false))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(names.toArray(GeneralName[]::new)))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(nodeKey))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
            return sign(b, caKey);
        } catch (CertIOException | NoSuchAlgorithmException | CertificateException e) {
            throw new IllegalStateException("cannot build the node certificate: " + e.getMessage(), e);
        }
    }

    /** {@code now} minus one day, to whole seconds (X.509 times have no fractions). */
    private static Instant start(Instant now) {
        return now.truncatedTo(ChronoUnit.SECONDS).minus(BACKDATE);
    }

    private static BigInteger randomSerial() {
        return new BigInteger(159, RANDOM).setBit(0); // positive, never 0, fits 20 bytes
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(key);
            X509CertificateHolder holder = b.build(signer);
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (OperatorCreationException | CertificateException e) {
            throw new IllegalStateException("cannot sign the certificate: " + e.getMessage(), e);
        }
    }
}
