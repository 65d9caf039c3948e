package org.pmxcfs.pvecm;

import java.security.cert.CertificateException;
import java.security.GeneralSecurityException;
import org.pmxcfs.join.Pem;
import org.pmxcfs.files.AtomicFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The per-node and cluster-wide files {@code PVE::Cluster::Setup::gen_pve_node_files} keeps in
 * the cluster filesystem, written through the mount like the Perl code does (so they replicate
 * like any other file):
 *
 * <pre>
 * priv/  nodes/  nodes/&lt;node&gt;/{lxc,qemu-server,openvz,priv}/     gen_local_dirs
 * priv/authkey.key (RSA 2048), authkey.pub                    gen_auth_key
 * pve-www.key (RSA 2048)                                      gen_pve_www_key
 * nodes/&lt;node&gt;/pve-ssl.key (RSA 2048)                          gen_pve_ssl_key
 * priv/pve-root-ca.key (RSA 4096), pve-root-ca.pem (3650 d)   gen_pveca_cert
 * nodes/&lt;node&gt;/pve-ssl.pem (signed by the CA), priv/pve-root-ca.srl   gen_pve_ssl_cert
 * </pre>
 *
 * Existing files are kept; a new CA, or {@code force}, makes a new node certificate. Error
 * messages are the original's.
 */
public final class NodeFiles {

    private final Path mountpoint;
    private final String nodeName;
    private final Clock clock;
    private final int caKeyBits;
    private final Optional<String> searchDomain;

    /**
     * @param mountpoint   where the cluster filesystem is mounted ({@code /etc/pve})
     * @param nodeName     this node's name
     * @param clock        the time certificates start from
     * @param caKeyBits    RSA size of a new CA key ({@link Certificates#CA_KEY_BITS}; smaller only in tests)
     * @param searchDomain the host's DNS search domain, which adds {@code <node>.<domain>} to the
     *                     node certificate (see {@link #searchDomain(Path)})
     */
    public NodeFiles(Path mountpoint, String nodeName, Clock clock, int caKeyBits, Optional<String> searchDomain) {
        this.mountpoint = Objects.requireNonNull(mountpoint, "mountpoint");
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.caKeyBits = caKeyBits;
        this.searchDomain = Objects.requireNonNull(searchDomain, "searchDomain");
        if (nodeName.isEmpty()) {
            throw new IllegalArgumentException("no node name specified");
        }
    }

    /**
     * The first domain of the {@code search} line of a resolv.conf (what
     * {@code PVE::INotify::read_etc_resolv_conf} reports), empty if none or unreadable.
     */
    public static Optional<String> searchDomain(Path resolvConf) {
        try {
            for (String line : Files.readAllLines(resolvConf, StandardCharsets.UTF_8)) {
                if (line.matches("search\\s+\\S+.*")) {
                    return Optional.of(line.trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no search domain
        }
        return Optional.empty();
    }

    public Path caCertFile() {
        return mountpoint.resolve("pve-root-ca.pem");
    }

    public Path caKeyFile() {
        return mountpoint.resolve("priv/pve-root-ca.key");
    }

    public Path caSerialFile() {
        return mountpoint.resolve("priv/pve-root-ca.srl");
    }

    public Path nodeDir() {
        return mountpoint.resolve("nodes").resolve(nodeName);
    }

    public Path sslKeyFile() {
        return nodeDir().resolve("pve-ssl.key");
    }

    public Path sslCertFile() {
        return nodeDir().resolve("pve-ssl.pem");
    }

    /** All of {@code gen_pve_node_files}: directories, keys, CA, node certificate. */
    public void genNodeFiles(String ip, boolean forceNewCert) {
        genLocalDirs();
        genAuthKey();
        genWwwKey();
        genSslKey();
        boolean newCa = genCaCert();
        genSslCert(newCa || forceNewCert, ip);
    }

    /** {@code gen_local_dirs}: {@code priv}, {@code nodes/<node>/{lxc,qemu-server,openvz,priv}}. */
    public void genLocalDirs() {
        checkMounted();
        for (String dir : List.of("priv", "nodes", "nodes/" + nodeName, "nodes/" + nodeName + "/lxc",
                "nodes/" + nodeName + "/qemu-server", "nodes/" + nodeName + "/openvz", "nodes/" + nodeName + "/priv")) {
            Path p = mountpoint.resolve(dir);
            if (Files.isDirectory(p)) {
                continue;
            }
            try {
                Files.createDirectory(p);
            } catch (FileAlreadyExistsException e) {
                // raced with someone else: fine (EEXIST)
            } catch (IOException e) {
                throw new PvecmException("unable to create directory '" + p + "' - " + reason(e));
            }
        }
    }

    /** {@code gen_auth_key}: {@code priv/authkey.key} and {@code authkey.pub}, if missing. */
    public void genAuthKey() {
        Path priv = mountpoint.resolve("priv/authkey.key");
        if (Files.isRegularFile(priv)) {
            return;
        }
        checkMounted();
        KeyPair kp = Certificates.generateRsaKeyPair(Certificates.NODE_KEY_BITS);
        try {
            writeFile(priv, Pem.of(kp.getPrivate()));
            writeFile(mountpoint.resolve("authkey.pub"), Pem.of(kp.getPublic()));
        } catch (IOException e) {
            throw new PvecmException("unable to generate authentication key: " + reason(e));
        }
    }

    /** {@code gen_pve_www_key}: {@code pve-www.key} (the CSRF secret), if missing. */
    public void genWwwKey() {
        Path f = mountpoint.resolve("pve-www.key");
        if (Files.isRegularFile(f)) {
            return;
        }
        try {
            writeFile(f, Pem.of(Certificates.generateRsaKeyPair(Certificates.NODE_KEY_BITS).getPrivate()));
        } catch (IOException e) {
            throw new PvecmException("unable to generate pve www key:\n" + reason(e));
        }
    }

    /** {@code gen_pve_ssl_key}: {@code nodes/<node>/pve-ssl.key}, if missing. */
    public void genSslKey() {
        Path f = sslKeyFile();
        if (Files.isRegularFile(f)) {
            return;
        }
        try {
            writeFile(f, Pem.of(Certificates.generateRsaKeyPair(Certificates.NODE_KEY_BITS).getPrivate()));
        } catch (IOException e) {
            throw new PvecmException("unable to generate pve ssl key for node '" + nodeName + "':\n" + reason(e));
        }
    }

    /**
     * {@code gen_pveca_cert}: the cluster CA, unless both its key and certificate exist. An
     * existing key is reused.
     *
     * @return whether a new CA certificate was made
     */
    public boolean genCaCert() {
        if (Files.isRegularFile(caKeyFile()) && Files.isRegularFile(caCertFile())) {
            return false;
        }
        KeyPair ca;
        try {
            if (Files.isRegularFile(caKeyFile())) {
                ca = readKeyPair(caKeyFile());
            } else {
                ca = Certificates.generateRsaKeyPair(caKeyBits);
                writeFile(caKeyFile(), Pem.of(ca.getPrivate()));
            }
        } catch (IOException e) {
            throw new PvecmException("unable to generate pve ca key:\n" + reason(e));
        }
        try {
            writeFile(caCertFile(), Pem.of(Certificates.createCaCertificate(ca, clock.instant())));
        } catch (IOException e) {
            throw new PvecmException("generating pve root certificate failed:\n" + reason(e));
        }
        return true;
    }

    /**
     * {@code gen_pve_ssl_cert}: a node certificate signed by the CA, unless one exists and
     * {@code force} is false. The serial comes from {@code priv/pve-root-ca.srl} like
     * {@code openssl x509 -CAserial} takes it (read, add one, write back, use).
     */
    public void genSslCert(boolean force, String ip) {
        if (ip == null || ip.isEmpty()) {
            throw new PvecmException("no IP specified");
        }
        if (!force && Files.isRegularFile(sslCertFile())) {
            return;
        }
        X509Certificate ca;
        PrivateKey caKey;
        KeyPair node;
        try {
            ca = readCertificate(caCertFile());
            caKey = readKeyPair(caKeyFile()).getPrivate();
            node = readKeyPair(sslKeyFile());
        } catch (IOException e) {
            throw new PvecmException("unable to generate pve certificate request:\n" + reason(e));
        }
        Certificates.NodeIdentity id = new Certificates.NodeIdentity(nodeName, ip,
                searchDomain.map(d -> nodeName + "." + d));
        try {
            // fail before the serial is used up
            Certificates.nodeCertificateDays(ca, clock.instant());
            BigInteger serial = nextSerial();
            X509Certificate cert = Certificates.signNodeCertificate(ca, caKey, node.getPublic(), id, serial,
                    clock.instant());
            writeFile(sslCertFile(), Pem.of(cert));
        } catch (Certificates.CaExpiresSoonException e) {
            throw new PvecmException(e.getMessage());
        } catch (IOException e) {
            throw new PvecmException("unable to generate pve ssl certificate:\n" + reason(e));
        }
    }

    /** Reads the CA serial file (created as {@code 0000000000000000}), adds one, writes it back. */
    BigInteger nextSerial() throws IOException {
        Path f = caSerialFile();
        BigInteger current = BigInteger.ZERO;
        if (Files.isRegularFile(f)) {
            String text = Files.readString(f, StandardCharsets.US_ASCII).trim();
            try {
                current = new BigInteger(text, 16);
            } catch (NumberFormatException e) {
                throw new IOException("unable to load number from " + f);
            }
        }
        BigInteger next = current.add(BigInteger.ONE);
        String hex = next.toString(16).toUpperCase(java.util.Locale.ROOT);
        writeFile(f, (hex.length() % 2 == 1 ? "0" : "") + hex + "\n");
        return next;
    }

    private void checkMounted() {
        if (!Files.exists(mountpoint.resolve(".version"))) {
            throw new PvecmException("pve configuration filesystem (pmxcfs) not mounted");
        }
    }

    /** The key pair of a PEM key file; an unusable key is an IOException naming the file. */
    private static KeyPair readKeyPair(Path file) throws IOException {
        try {
            return Pem.keyPair(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IOException(e.getMessage() + " (" + file + ")", e);
        }
    }

    /** The first certificate of a PEM file; none is an IOException naming the file. */
    private static X509Certificate readCertificate(Path file) throws IOException {
        try {
            return Pem.certificates(Files.readString(file, StandardCharsets.US_ASCII)).get(0);
        } catch (CertificateException e) {
            throw new IOException(e.getMessage() + " (" + file + ")", e);
        }
    }

    /** Writes a file of the tree like {@code PVE::Tools::file_set_contents}: a temporary file, then rename. */
    public static void writeFile(Path target, String text) throws IOException {
        writeFile(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a file of the tree like {@code PVE::Tools::file_set_contents}: a temporary file, then rename. */
    public static void writeFile(Path target, byte[] data) throws IOException {
        AtomicFiles.write(target, data, null);
    }

    /** An I/O error as the C library words it ({@code Permission denied}), with the file if useful. */
    static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException fse) {
            String r = fse.getReason();
            if (r != null) {
                return fse.getFile() != null ? r + " (" + fse.getFile() + ")" : r;
            }
            if (e instanceof java.nio.file.NoSuchFileException) {
                return "No such file or directory (" + fse.getFile() + ")";
            }
            if (e instanceof FileAlreadyExistsException) {
                return "File exists (" + fse.getFile() + ")";
            }
            if (e instanceof java.nio.file.AccessDeniedException) {
                return "Permission denied (" + fse.getFile() + ")";
            }
        }
        return String.valueOf(e.getMessage());
    }
}
