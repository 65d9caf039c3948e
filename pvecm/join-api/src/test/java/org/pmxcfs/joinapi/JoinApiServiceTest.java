package org.pmxcfs.joinapi;

import org.pmxcfs.join.Fingerprint;
import org.pmxcfs.join.TestCerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon side: no certificate, no API; a certificate appears or changes (the daemon says so), the API follows. */
class JoinApiServiceTest {

    @TempDir
    Path dir;

    private static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!cond.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** The fingerprint the server presents. */
    private static String presented(InetSocketAddress a) throws Exception {
        X509Certificate[] seen = new X509Certificate[1];
        TrustManager tm = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                seen[0] = chain[0];
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {tm}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(a.getAddress(), a.getPort())) {
            s.startHandshake();
        }
        return Fingerprint.of(seen[0]);
    }

    @Test
    void servesOnceTheCertificateExistsAndPicksUpANewOne() throws Exception {
        Path mount = Files.createDirectories(dir.resolve("mnt"));
        JoinApiService.Settings s = new JoinApiService.Settings(mount, "pve1", dir.resolve("authkey"), dir.resolve("run"),
                0, "127.0.0.1", dir.resolve("shadow"), "pvecm", Duration.ofMillis(50));
        try (JoinApiService svc = JoinApiService.start(s)) {
            Thread.sleep(200);
            assertNull(svc.address());

            TestCerts first = TestCerts.generate(dir, "first");
            first.install(mount, "pve1");
            Thread.sleep(300);
            assertNull(svc.address(), "nothing looks at the tree until the daemon reports a change");
            svc.treeChanged("nodes/pve1/pve-ssl.key");
            waitFor(() -> svc.address() != null);
            assertNotNull(svc.address());
            InetSocketAddress a = svc.address();
            assertEquals(Fingerprint.of(first.cert), presented(a));

            TestCerts second = TestCerts.generate(dir, "second");
            second.install(mount, "pve1");
            svc.treeChanged("nodes/pve1/pve-ssl.pem");
            String want = Fingerprint.of(second.cert);
            waitFor(() -> {
                try {
                    return want.equals(presented(a));
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(want, presented(a));
            assertEquals(a, svc.address()); // same listener, new key

            Files.delete(mount.resolve("nodes/pve1/pve-ssl.pem"));
            svc.treeChanged("nodes/pve2/pve-ssl.pem"); // another node's: not looked at
            Thread.sleep(300);
            assertEquals(a, svc.address());
            svc.treeChanged("nodes/pve1/pve-ssl.pem");
            waitFor(() -> svc.address() == null);
            assertNull(svc.address());
        }
    }
}
