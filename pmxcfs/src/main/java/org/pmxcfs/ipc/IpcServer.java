package org.pmxcfs.ipc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.Principal;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.pmxcfs.concurrent.FailStopScheduler;
import org.pmxcfs.dbstore.Errno;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's local IPC socket: a Unix domain stream socket ({@code <run-dir>/pmxcfs.sock},
 * mode 0660, group www-data) speaking newline-delimited JSON (see {@code docs/IPC.md}).
 *
 * <p>Access is decided per connection from {@code SO_PEERCRED} ({@link Access#decide}); refused
 * peers get one error line and are disconnected. Each connection is served by its own thread, at
 * most {@link Config#maxConnections()} at a time (more are answered with {@code EAGAIN} and
 * closed); requests on one connection are answered in order. A connection without a complete
 * request for {@link Config#idleTimeout()} is closed; so is one that sends a line longer than
 * {@link #MAX_REQUEST_BYTES}. Malformed requests get an error response and the connection stays
 * usable.
 */
public final class IpcServer implements AutoCloseable {
    /** Longest request line (without its newline). */
    public static final int MAX_REQUEST_BYTES = 2 << 20;

    private static final Logger log = LoggerFactory.getLogger("ipcs");

    /**
     * Limits of the server.
     *
     * @param maxConnections connections served at the same time
     * @param idleTimeout    a connection that sent no complete request for this long is closed
     */
    public record Config(int maxConnections, Duration idleTimeout) {
        public static final Config DEFAULT = new Config(64, Duration.ofMinutes(5));

        public Config {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1");
            }
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            if (idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout must be positive");
            }
        }
    }

    /** Who is on the other end of an accepted connection. */
    interface PeerResolver {
        Peer resolve(SocketChannel ch) throws IOException;
    }

    private final Path socket;
    private final IpcService service;
    private final Config config;
    private final PeerResolver peers;
    private final ServerSocketChannel server;
    private final Semaphore slots;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService reaper;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    /**
     * Binds {@code socket} (replacing a stale socket file), sets mode 0660 and group
     * {@code wwwDataGid}, and starts serving.
     */
    public static IpcServer start(Path socket, IpcService service, int wwwDataGid, Config config) throws IOException {
        return start(socket, service, wwwDataGid, config, ch -> credentials(ch, wwwDataGid));
    }

    /** With a custom peer resolver: lets tests act as a read-only client. */
    static IpcServer start(Path socket, IpcService service, int wwwDataGid, Config config, PeerResolver peers)
            throws IOException {
        if (Files.isDirectory(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("cannot create IPC socket '" + socket + "': a directory is in the way");
        }
        Files.deleteIfExists(socket); // stale socket of an earlier run; the instance lock excludes a live one
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(socket), 128);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
            try {
                Files.setAttribute(socket, "unix:gid", wwwDataGid, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | UnsupportedOperationException e) {
                log.warn("unable to set group {} on '{}': {} - www-data clients cannot connect", wwwDataGid, socket,
                        e.toString());
            }
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot create IPC socket '" + socket + "': " + e.getMessage(), e);
        }
        IpcServer s = new IpcServer(socket, service, config, peers, ch);
        s.acceptor.start();
        log.info("IPC listening on '{}'", socket);
        return s;
    }

    private IpcServer(Path socket, IpcService service, Config config, PeerResolver peers, ServerSocketChannel server) {
        this.socket = socket;
        this.service = service;
        this.config = config;
        this.peers = peers;
        this.server = server;
        this.slots = new Semaphore(config.maxConnections());
        AtomicInteger n = new AtomicInteger();
        // unbounded pool: the semaphore bounds the connections; a finishing worker still counts as busy
        this.workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> daemon(r, "ipc-" + n.incrementAndGet()));
        this.reaper = new FailStopScheduler(1, "ipc-idle");
        long tick = Math.max(10, Math.min(1000, config.idleTimeout().toMillis() / 4));
        reaper.scheduleWithFixedDelay(this::closeIdle, tick, tick, TimeUnit.MILLISECONDS);
        this.acceptor = daemon(this::acceptLoop, "ipc-accept");
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public Path socket() {
        return socket;
    }

    /** Connections currently open. */
    public int connectionCount() {
        return connections.size();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                log.error("accept on '{}' failed: {}", socket, e.toString());
                sleep(100); // e.g. out of file descriptors: do not spin
                continue;
            }
            admit(ch);
        }
    }

    private void admit(SocketChannel ch) {
        Peer peer;
        try {
            peer = peers.resolve(ch);
        } catch (IOException | RuntimeException e) {
            log.warn("unable to get the credentials of an IPC client: {}", e.toString());
            refuse(ch, Errno.EACCES.name(), "unable to get peer credentials");
            return;
        }
        if (peer.access() == Access.REJECTED) {
            log.warn("IPC connection refused: {} is neither root (uid 0, gid 0) nor in group www-data", peer);
            refuse(ch, Errno.EACCES.name(), "permission denied: only root (uid 0 and gid 0) or group www-data"
                    + " (read-only) may connect; you are uid " + peer.uid() + " gid " + peer.gid());
            return;
        }
        if (!slots.tryAcquire()) {
            log.warn("IPC connection refused: already {} connections", config.maxConnections());
            refuse(ch, Errno.EAGAIN.name(), "too many connections (" + config.maxConnections() + "), try again");
            return;
        }
        Connection c = new Connection(ch, peer);
        connections.add(c);
        try {
            workers.execute(c);
        } catch (RejectedExecutionException e) {
            c.close();
            connections.remove(c);
            slots.release();
        }
    }

    /** Sends one error line to a connection that will not be served, then closes it. */
    private static void refuse(SocketChannel ch, String errno, String message) {
        try (ch) {
            ch.configureBlocking(false); // never let a refused peer stall the acceptor
            byte[] line = IpcService.error(errno, message);
            ByteBuffer b = ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip();
            ch.write(b);
        } catch (IOException ignored) {
            // the peer is gone already
        }
    }

    private void closeIdle() {
        long now = System.nanoTime();
        long limit = config.idleTimeout().toNanos();
        for (Connection c : connections) {
            if (!c.busy && now - c.lastActivity > limit) {
                log.debug("closing idle IPC connection of {}", c.peer);
                c.close();
            }
        }
    }

    /** Stops accepting, closes every connection and removes the socket file. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Connection c : connections) {
            c.close();
        }
        reaper.shutdownNow();
        workers.shutdownNow();
        try {
            acceptor.join(2000);
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            log.warn("unable to remove '{}': {}", socket, e.toString());
        }
        log.info("IPC stopped");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One client: reads request lines, answers each in order. */
    private final class Connection implements Runnable {
        final SocketChannel ch;
        final Peer peer;
        /** System.nanoTime() of the connect, the last complete request or the last response. */
        volatile long lastActivity = System.nanoTime();
        /** True while a request is being executed (never idle then). */
        volatile boolean busy;

        Connection(SocketChannel ch, Peer peer) {
            this.ch = ch;
            this.peer = peer;
        }

        @Override
        public void run() {
            try {
                serve();
            } catch (IOException e) {
                if (!closed && ch.isOpen()) {
                    log.debug("IPC connection of {} failed: {}", peer, e.toString());
                }
            } catch (RuntimeException e) {
                log.error("IPC connection of {} failed", peer, e);
            } finally {
                close();
                connections.remove(this);
                slots.release();
            }
        }

        private void serve() throws IOException {
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                in.clear();
                if (ch.read(in) < 0) {
                    return;
                }
                byte[] a = in.array();
                int end = in.position();
                int start = 0;
                for (int i = 0; i < end; i++) {
                    if (a[i] != '\n') {
                        continue;
                    }
                    if ((long) line.size() + (i - start) > MAX_REQUEST_BYTES) {
                        tooLong();
                        return;
                    }
                    line.write(a, start, i - start);
                    start = i + 1;
                    request(line.toByteArray());
                    line.reset();
                }
                if ((long) line.size() + (end - start) > MAX_REQUEST_BYTES) {
                    tooLong();
                    return;
                }
                line.write(a, start, end - start);
            }
        }

        private void request(byte[] line) throws IOException {
            lastActivity = System.nanoTime();
            int len = line.length;
            if (len > 0 && line[len - 1] == '\r') {
                len--; // tolerate CRLF
            }
            if (isBlank(line, len)) {
                return;
            }
            byte[] response;
            busy = true;
            try {
                response = service.handleLine(peer, len == line.length ? line : Arrays.copyOf(line, len));
            } finally {
                busy = false;
            }
            send(response);
            lastActivity = System.nanoTime();
        }

        private void tooLong() throws IOException {
            log.warn("IPC request of {} longer than {} bytes - closing the connection", peer, MAX_REQUEST_BYTES);
            send(IpcService.error("EMSGSIZE", "request line longer than " + MAX_REQUEST_BYTES
                    + " bytes - closing the connection"));
        }

        private void send(byte[] response) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(response.length + 1).put(response).put((byte) '\n').flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }

        void close() {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }

    private static boolean isBlank(byte[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- peer credentials

    /** The peer's uid and gid from {@code SO_PEERCRED}. */
    static Peer credentials(SocketChannel ch, int wwwDataGid) throws IOException {
        UnixDomainPrincipal p = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        int uid = numericId(p.user(), lookup, false);
        int gid = numericId(p.group(), lookup, true);
        return Peer.of(uid, gid, wwwDataGid);
    }

    /**
     * The numeric id behind a principal from {@code SO_PEERCRED}. The JDK names principals by
     * user/group name (or by number when the id has no name) and offers no getter for the id; its
     * principals hash to their id, and a principal looked up by a number that is no name has that
     * id, so a candidate id is confirmed by comparing the two (equality is by id). -1 if that fails.
     */
    static int numericId(Principal principal, UserPrincipalLookupService lookup, boolean group) {
        String name = principal.getName();
        int candidate;
        if (!name.isEmpty() && name.chars().allMatch(c -> c >= '0' && c <= '9') && name.length() <= 10) {
            long v = Long.parseLong(name);
            if (v > Integer.MAX_VALUE) {
                return -1;
            }
            candidate = (int) v;
        } else {
            candidate = principal.hashCode();
        }
        if (candidate < 0) {
            return -1;
        }
        try {
            Principal byId = group ? lookup.lookupPrincipalByGroupName(Integer.toString(candidate))
                    : lookup.lookupPrincipalByName(Integer.toString(candidate));
            return byId.equals(principal) ? candidate : -1;
        } catch (IOException e) {
            return -1;
        }
    }
}
