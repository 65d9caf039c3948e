package org.pmxcfs.pvecm.join;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.pmxcfs.join.Fingerprint;

/**
 * Trusts a server certificate by its SHA-256 fingerprint alone, as the original's API client
 * does with a cached fingerprint: the cluster's node certificates are signed by the cluster's own
 * CA, which the joining node does not know yet, so the fingerprint the user confirmed is the
 * trust anchor. Being an {@link X509ExtendedTrustManager}, it also replaces the host name check
 * (the node may be reached by an address its certificate does not name).
 */
public final class PinnedTrustManager extends X509ExtendedTrustManager {

    private final String fingerprint;

    /** @param fingerprint the expected fingerprint, {@code AA:BB:...} (any case) */
    public PinnedTrustManager(String fingerprint) {
        this.fingerprint = fingerprint;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("no server certificate");
        }
        String actual = Fingerprint.of(chain[0]);
        if (!Fingerprint.matches(actual, fingerprint)) {
            throw new CertificateException("certificate fingerprint " + actual + " does not match the expected "
                    + fingerprint.toUpperCase(java.util.Locale.ROOT));
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("not a server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("not a server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("not a server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
