package org.pmxcfs.pvecm.join;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.pmxcfs.join.Fingerprint;

/**
 * Fetches the fingerprint of the certificate a host presents, without trusting it: a TLS
 * handshake that records the certificate and sends nothing. The user (or {@code --fingerprint})
 * then decides; every later connection is pinned to what was decided
 * ({@link PinnedTrustManager}).
 */
public final class PeerCertificate {

    private PeerCertificate() {}

    /** {@link #fingerprint}, failing with the original's {@code 500 Can't connect to <host>:<port> (...)}. */
    public static String fingerprintOrFail(String host, int port, int timeoutMillis) {
        try {
            return fingerprint(host, port, timeoutMillis);
        } catch (IOException e) {
            throw new org.pmxcfs.pvecm.PvecmException("500 Can't connect to " + host + ":" + port + " ("
                    + (e.getMessage() == null ? e.toString() : e.getMessage()) + ")");
        }
    }

    /** The SHA-256 fingerprint of the leaf certificate at {@code host:port}. */
    public static String fingerprint(String host, int port, int timeoutMillis) throws IOException {
        X509Certificate[] seen = new X509Certificate[1];
        TrustManager record = new X509TrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                seen[0] = chain.length > 0 ? chain[0] : null; // only looked at, never trusted for data
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {record}, null);
            try (Socket raw = new Socket()) {
                raw.connect(new InetSocketAddress(host, port), timeoutMillis);
                raw.setSoTimeout(timeoutMillis);
                try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, host, port, false)) {
                    s.startHandshake();
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS is not available: " + e.getMessage(), e);
        }
        if (seen[0] == null) {
            throw new IOException("'" + host + "' presented no certificate");
        }
        return Fingerprint.of(seen[0]);
    }
}
