package org.pmxcfs.joinapi;

import org.pmxcfs.join.AddNode;
import org.pmxcfs.join.ClusterAccess;
import org.pmxcfs.join.ClusterConfigFile;
import org.pmxcfs.join.Fingerprint;
import org.pmxcfs.join.LockRetry;
import org.pmxcfs.join.MountClusterAccess;
import org.pmxcfs.join.NodeKeyManager;
import org.pmxcfs.join.Pem;

import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.concurrent.FailStopScheduler;
import org.pmxcfs.web.ClusterRoutes;
import org.pmxcfs.web.Tasks;
import org.pmxcfs.web.WebPages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The join API in the daemon. At start and whenever the daemon reports a change of this node's
 * certificate ({@code <mnt>/nodes/<node>/pve-ssl.pem} + {@code pve-ssl.key}) or of corosync.conf
 * ({@link #treeChanged}, from the memdb's change events), it looks at both and (re)starts the HTTPS
 * server to match: no certificate yet (before {@code pvecm create} or
 * {@code add}) means no API, with one log line saying why; a new certificate is used from the
 * next handshake on; a new address (the node joined or created a cluster) means a new listener.
 * The address is {@code --api-bind} if given, else this node's {@code ring0_addr} from the
 * cluster's corosync.conf, else 127.0.0.1. A server that cannot start (the address is not up yet)
 * is tried again every {@code retry}.
 */
public final class JoinApiService implements AutoCloseable {

    /**
     * @param port    {@code --api-port} (8006)
     * @param bind    {@code --api-bind}, or null for the automatic choice
     * @param shadowFile {@code --shadow-file}: where root's password is checked ({@code /etc/shadow})
     * @param pvecm   {@code --pvecm}: the command the web page's create and join tasks run
     * @param retry   how soon a server that could not start is tried again
     */
    public record Settings(Path mountpoint, String nodename, Path authKey, Path runDir, int port, String bind,
                           Path shadowFile, String pvecm, Duration retry) {}

    /** A file written in several pieces is looked at once the writes have settled. */
    private static final long SETTLE_MILLIS = 200;

    private static final Logger log = LoggerFactory.getLogger("join");
    static final String FALLBACK_BIND = "127.0.0.1";

    private final Settings settings;
    private final ScheduledExecutorService timer;
    private final NodeKeyManager keys = new NodeKeyManager();
    private final HttpHandler handler;
    private JoinApiServer server;
    private InetAddress boundTo;
    private byte[] loaded = new byte[0];
    private String lastProblem;
    private final Object checks = new Object();
    private ScheduledFuture<?> pending;

    private JoinApiService(Settings settings) {
        this.settings = settings;
        // two threads: the checks, and delayed login answers and password checks
        this.timer = new FailStopScheduler(2, "join-timer");
        ClusterAccess access = new MountClusterAccess(settings.mountpoint(), settings.nodename(), settings.authKey(),
                settings.runDir(), "pmxcfs");
        ClusterRoutes web = new ClusterRoutes(new ClusterRoutes.Settings(settings.mountpoint(), settings.nodename(),
                settings.runDir(), settings.port(), settings.pvecm()),
                new Tasks(settings.nodename(), System::currentTimeMillis));
        this.handler = new WebPages(new ApiHandler(access,
                new Credentials(new SystemPassword(settings.shadowFile()), settings.mountpoint()), web,
                AddNode.of(access, m -> log.info("{}", m), new LockRetry(timer, System::currentTimeMillis)),
                new LoginThrottle(System::currentTimeMillis), new Tickets(System::currentTimeMillis),
                (millis, task) -> timer.schedule(task, millis, TimeUnit.MILLISECONDS), System::currentTimeMillis));
    }

    /** Starts; the first check runs at once (in the background). */
    public static JoinApiService start(Settings settings) {
        JoinApiService s = new JoinApiService(settings);
        s.check(0);
        return s;
    }

    /**
     * A path of the tree changed (called under the memdb's lock: only schedules). The node
     * certificate, its key and corosync.conf (the address to listen on) are what this service reads.
     */
    public void treeChanged(String path) {
        String mine = "nodes/" + settings.nodename() + "/pve-ssl.";
        if (path.equals(ClusterConfigFile.NAME) || path.startsWith(mine)) {
            check(SETTLE_MILLIS);
        }
    }

    /**
     * One check after {@code delayMillis}; a check already pending covers this one. Not under
     * {@code this}: a check holds it while it reads the mount, and the memdb's lock is held here.
     */
    private void check(long delayMillis) {
        synchronized (checks) {
            if ((pending == null || pending.isDone()) && !timer.isShutdown()) {
                pending = timer.schedule(this::reconcile, delayMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Where the API listens now, or null. */
    public synchronized InetSocketAddress address() {
        return server == null ? null : server.address();
    }

    synchronized void reconcile() {
        try {
            if (!loadCertificate()) {
                stopServer();
                return;
            }
            InetAddress want = bindAddress();
            if (server != null && want.equals(boundTo)) {
                return;
            }
            stopServer();
            server = JoinApiServer.start(new InetSocketAddress(want, settings.port()), keys, handler);
            boundTo = want;
            lastProblem = null;
            log.info("join API listening on https://{}:{}", want.getHostAddress(), server.address().getPort());
        } catch (IOException | RuntimeException e) {
            problem(true, "unable to serve the join API on port " + settings.port() + ": " + e.getMessage()
                    + " (trying again every " + settings.retry().toSeconds() + " s)");
            timer.schedule(this::reconcile, settings.retry().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Loads a new or changed node certificate; false if there is none to serve with. */
    private boolean loadCertificate() {
        Path dir = settings.mountpoint().resolve("nodes").resolve(settings.nodename());
        Path pem = dir.resolve("pve-ssl.pem");
        Path key = dir.resolve("pve-ssl.key");
        byte[] certBytes;
        byte[] keyBytes;
        try {
            certBytes = Files.readAllBytes(pem);
            keyBytes = Files.readAllBytes(key);
        } catch (IOException e) {
            // the normal state of a node before 'pvecm create' or 'add': worth a notice, not a warning
            problem(false, "not serving the join API: no node certificate '" + pem + "' and key yet (written by"
                    + " 'pvecm create', 'pvecm add' or 'pvecm updatecerts')");
            return false;
        }
        byte[] both = concat(certBytes, keyBytes);
        if (Arrays.equals(both, loaded)) {
            return true;
        }
        try {
            X509Certificate[] chain = Pem.certificates(new String(certBytes, StandardCharsets.UTF_8))
                    .toArray(new X509Certificate[0]);
            PrivateKey k = Pem.privateKey(new String(keyBytes, StandardCharsets.UTF_8));
            keys.set(k, chain);
            loaded = both;
            log.info("join API uses the node certificate '{}' (fingerprint {})", pem, Fingerprint.of(chain[0]));
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            problem(true, "unable to load the node certificate '" + pem + "': " + e.getMessage());
            return keys.ready();
        }
    }

    private InetAddress bindAddress() throws IOException {
        if (settings.bind() != null && !settings.bind().isEmpty()) {
            return InetAddress.getByName(settings.bind());
        }
        Path conf = settings.mountpoint().resolve(ClusterConfigFile.NAME);
        if (Files.isRegularFile(conf)) {
            try {
                String ring0 = CorosyncConf.parse(Files.readAllBytes(conf)).node(settings.nodename())
                        .map(n -> n.ring0Addr()).orElse(null);
                if (ring0 != null) {
                    return InetAddress.getByName(ring0);
                }
            } catch (Exception e) {
                // an unreadable config is reported by the cluster code; listen locally meanwhile
            }
        }
        return InetAddress.getByName(FALLBACK_BIND);
    }

    /** Logs a reason for not serving once, not at every check. */
    private void problem(boolean warning, String message) {
        if (!message.equals(lastProblem)) {
            if (warning) {
                log.warn("{}", message);
            } else {
                log.info("{}", message);
            }
            lastProblem = message;
        }
    }

    private void stopServer() {
        if (server != null) {
            server.close();
            server = null;
            boundTo = null;
            log.info("join API stopped");
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length + 1);
        System.arraycopy(b, 0, out, a.length + 1, b.length);
        return out;
    }

    @Override
    public synchronized void close() {
        timer.shutdownNow();
        stopServer();
    }
}
