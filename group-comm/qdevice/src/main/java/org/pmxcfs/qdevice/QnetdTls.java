package org.pmxcfs.qdevice;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client side of qnetd's TLS: the node's certificate (signed by the qnetd CA, CN = cluster
 * name, which qnetd checks) from a PKCS#12 file, and the qnetd CA as the only trust anchor. The
 * server must present a certificate of that CA with CN {@code Qnetd Server}, as corosync-qdevice
 * requires; the host name is not checked (qnetd's certificate does not carry it).
 */
public final class QnetdTls {

    /** CN of the server certificate {@code corosync-qnetd-certutil -i} makes. */
    public static final String SERVER_CN = "Qnetd Server";
    /** Where {@code pvecm qdevice setup} stores the qnetd CA in the cluster filesystem (root only). */
    public static final String CA_PATH = "priv/qdevice/qnetd-cacert.crt";
    /** Where it stores the cluster's key and certificate (PKCS#12). */
    public static final String P12_PATH = "priv/qdevice/qdevice-net-node.p12";
    /** Password of the PKCS#12 file {@code pvecm qdevice setup} writes (the file lives in priv/). */
    public static final String P12_PASSWORD = "qdevice-net-node";

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]+)-----END CERTIFICATE-----");

    private final SSLContext context;

    private QnetdTls(SSLContext context) {
        this.context = context;
    }

    /**
     * @param caText the qnetd CA as {@code corosync-qnetd-certutil} exports it
     *               ({@code qnetd-cacert.crt}: a text dump, then the PEM block)
     * @param p12    the node's key and certificate
     */
    public static QnetdTls of(byte[] caText, byte[] p12) throws IOException {
        try {
            X509Certificate ca = caCertificate(caText);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("qnet-ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(new ByteArrayInputStream(p12), P12_PASSWORD.toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, P12_PASSWORD.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return new QnetdTls(ctx);
        } catch (GeneralSecurityException | IOException e) {
            throw new IOException("unable to load the QDevice certificates: " + e.getMessage()
                    + " - run 'pvecm qdevice setup' again", e);
        }
    }

    /** The PEM certificate inside a {@code qnetd-cacert.crt}. */
    public static X509Certificate caCertificate(byte[] caText) throws IOException, GeneralSecurityException {
        Matcher m = PEM.matcher(new String(caText, StandardCharsets.US_ASCII));
        if (!m.find()) {
            throw new IOException("no PEM certificate in the qnetd CA file");
        }
        String pem = "-----BEGIN CERTIFICATE-----" + m.group(1) + "-----END CERTIFICATE-----\n";
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    /** Starts TLS on an open plain connection (after STARTTLS) and checks the server's CN. */
    SSLSocket upgrade(Socket plain, String host, int port) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        s.setUseClientMode(true);
        s.startHandshake();
        X509Certificate server = (X509Certificate) s.getSession().getPeerCertificates()[0];
        String cn = commonName(server);
        if (!SERVER_CN.equals(cn)) {
            s.close();
            throw new IOException("qnetd server certificate has CN '" + cn + "', expected '" + SERVER_CN + "'");
        }
        return s;
    }

    private static String commonName(X509Certificate c) throws IOException {
        try {
            for (Rdn rdn : new LdapName(c.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
            return "";
        } catch (InvalidNameException e) {
            throw new IOException("unreadable server certificate subject: " + e.getMessage(), e);
        }
    }
}
