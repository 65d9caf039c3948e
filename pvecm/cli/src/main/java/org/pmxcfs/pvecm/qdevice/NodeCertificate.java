package org.pmxcfs.pvecm.qdevice;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.pmxcfs.pvecm.PvecmException;
import org.pmxcfs.qdevice.QnetdTls;

/**
 * The cluster's QDevice certificate, made with the JDK's keytool in a private temporary
 * directory: an RSA key and a request with CN = cluster name (qnetd checks the CN against the
 * cluster name), then, once qnetd's CA signed it, a PKCS#12 file with the key, the certificate
 * and the CA, the form Java reads (the original keeps the same in an NSS database).
 */
final class NodeCertificate implements AutoCloseable {

    /** The nickname corosync-qdevice uses for the cluster's certificate. */
    static final String ALIAS = "Cluster Cert";

    private final Path dir;
    private final Path store;

    NodeCertificate() throws IOException {
        dir = Files.createTempDirectory("pvecm-qdevice", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        store = dir.resolve("qdevice-net-node.p12");
    }

    /** A new key and its certificate request (DER). */
    byte[] request(String clusterName) throws IOException {
        keytool("-genkeypair", "-alias", ALIAS, "-dname", "CN=" + clusterName, "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "7300");
        Path req = dir.resolve("req.pem");
        keytool("-certreq", "-alias", ALIAS, "-file", req.toString());
        String pem = Files.readString(req, StandardCharsets.US_ASCII).replaceAll("-----[^-]+-----", "");
        return Base64.getMimeDecoder().decode(pem);
    }

    /** The PKCS#12 file once the request came back signed ({@code signed}: DER) with this CA. */
    byte[] finish(byte[] caText, byte[] signed) throws IOException {
        Path ca = dir.resolve("ca.crt");
        Path crt = dir.resolve("cluster.crt");
        try {
            Files.write(ca, QnetdTls.caCertificate(caText).getEncoded());
        } catch (java.security.GeneralSecurityException e) {
            throw new PvecmException("the qnetd CA certificate is unreadable: " + e.getMessage(), e);
        }
        Files.write(crt, signed);
        keytool("-importcert", "-noprompt", "-alias", "QNet CA", "-file", ca.toString());
        keytool("-importcert", "-noprompt", "-alias", ALIAS, "-file", crt.toString());
        return Files.readAllBytes(store);
    }

    private void keytool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", QnetdTls.P12_PASSWORD));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new PvecmException("keytool " + args[0] + " failed: " + new String(out, StandardCharsets.UTF_8).trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PvecmException("keytool interrupted", e);
        }
    }

    @Override
    public void close() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}
