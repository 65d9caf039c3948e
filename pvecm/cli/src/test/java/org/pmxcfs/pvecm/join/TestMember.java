package org.pmxcfs.pvecm.join;

import com.sun.net.httpserver.HttpHandler;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.pmxcfs.join.AddNode;
import org.pmxcfs.joinapi.ApiHandler;
import org.pmxcfs.join.CfsLock;
import org.pmxcfs.join.ClusterAccess;
import org.pmxcfs.join.Fingerprint;
import org.pmxcfs.joinapi.JoinApiServer;
import org.pmxcfs.join.JoinPassword;
import org.pmxcfs.joinapi.LoginThrottle;
import org.pmxcfs.joinapi.ApiRoutes;
import org.pmxcfs.joinapi.Credentials;
import org.pmxcfs.joinapi.SystemPassword;
import org.pmxcfs.join.NodeKeyManager;
import org.pmxcfs.joinapi.Tickets;
import org.pmxcfs.pvecm.Certificates;

/**
 * A cluster member for the client tests: the real join API server over a directory standing in
 * for its mount, with a self-signed certificate and join password {@link #PASSWORD}.
 */
final class TestMember implements ClusterAccess, AutoCloseable {

    static final String PASSWORD = "join-secret-1";
    static final String CONF = """
            nodelist {
              node {
                name: pve1
                nodeid: 1
                quorum_votes: 1
                ring0_addr: 10.0.0.1
              }
            }

            quorum {
              provider: corosync_votequorum
            }

            totem {
              cluster_name: prod
              config_version: 1
              interface {
                linknumber: 0
              }
              secauth: on
              version: 2
            }
            """;

    private static KeyPair key;
    private static X509Certificate cert;

    final Path mount;
    final Path authKey;
    final List<String> clusterLog = new ArrayList<>();
    final JoinApiServer server;

    TestMember(Path dir) throws Exception {
        this(dir, null);
    }

    /** @param handler a replacement for the real API handler, or null */
    TestMember(Path dir, HttpHandler handler) throws Exception {
        mount = Files.createDirectories(dir.resolve("mnt"));
        Files.createDirectories(mount.resolve("priv"));
        Files.writeString(mount.resolve("corosync.conf"), CONF);
        Files.writeString(mount.resolve(JoinPassword.FILE), JoinPassword.hash(PASSWORD.toCharArray()));
        authKey = dir.resolve("authkey");
        Files.write(authKey, new byte[] {9, 8, 7});
        NodeKeyManager keys = new NodeKeyManager();
        keys.set(key().getPrivate(), new X509Certificate[] {cert});
        long[] now = {0};
        HttpHandler h = handler != null ? handler : new ApiHandler(this,
                new Credentials(new SystemPassword(dir.resolve("shadow")), mount), ApiRoutes.NONE,
                new AddNode(this, new CfsLock(mount, this::quorate, () -> now[0], ms -> now[0] += ms, m -> { },
                        CfsLock.DEFAULT_TIMEOUT), x -> Optional.empty()),
                new LoginThrottle(System::currentTimeMillis), new Tickets(System::currentTimeMillis),
                (ms, task) -> task.run(), System::currentTimeMillis);
        server = JoinApiServer.start(new InetSocketAddress("127.0.0.1", 0), keys, h);
    }

    private static synchronized KeyPair key() {
        if (key == null) {
            key = Certificates.generateRsaKeyPair(2048);
            cert = Certificates.createCaCertificate(key, Instant.now());
        }
        return key;
    }

    static String fingerprint() {
        key();
        return Fingerprint.of(cert);
    }

    int port() {
        return server.address().getPort();
    }

    String conf() throws Exception {
        return Files.readString(mount.resolve("corosync.conf"));
    }

    @Override
    public Path mountpoint() {
        return mount;
    }

    @Override
    public String nodename() {
        return "pve1";
    }

    @Override
    public Path authKey() {
        return authKey;
    }

    @Override
    public boolean quorate() {
        return true;
    }

    @Override
    public synchronized void logCluster(int priority, String message) {
        clusterLog.add(message);
    }

    @Override
    public Optional<String> nodeIp(String node) {
        return Optional.empty();
    }

    @Override
    public void close() {
        server.close();
    }
}
