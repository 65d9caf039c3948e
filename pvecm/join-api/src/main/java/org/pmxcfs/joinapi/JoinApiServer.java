package org.pmxcfs.joinapi;

import org.pmxcfs.join.NodeKeyManager;

import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.pmxcfs.concurrent.FailStopScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS listener of the join API: this node's key ({@link NodeKeyManager}), TLS 1.2/1.3 only,
 * one request per connection. Slow or idle clients must not keep correct requests out, so:
 * <ul>
 * <li>each connection gets its own small reader thread for the TLS handshake and the request,
 *     with a deadline per phase ({@link #HANDSHAKE_TIMEOUT}, {@link #REQUEST_TIMEOUT}; a
 *     connection that misses it is closed), and only a completely read request takes one of the
 *     {@link #THREADS} request workers;</li>
 * <li>at most {@link #MAX_PER_SOURCE} connections per source address and {@link #MAX_CONNECTIONS}
 *     in total are open at once; more are closed as soon as they are accepted;</li>
 * <li>a flood of complete requests beyond the workers and {@link #QUEUE} waiting ones is answered
 *     503 rather than queued without limit.</li>
 * </ul>
 * The JDK's {@code HttpsServer} does the TLS handshake and reads the request on its worker threads
 * without a deadline, so four connections that each sent one byte blocked the API.
 */
public final class JoinApiServer implements AutoCloseable {

    static final int THREADS = 4;
    static final int QUEUE = 64;
    static final int MAX_PER_SOURCE = 128;
    static final int MAX_CONNECTIONS = 512;
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** Backstop for an answer that never comes; pvecm waits 120 s for one. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(130);
    /** Reader threads only read a handshake and a small request: a small stack is plenty. */
    private static final long READER_STACK = 256 * 1024;
    private static final long REFUSAL_LOG_INTERVAL_MILLIS = 60_000;

    private static final Logger log = LoggerFactory.getLogger("join");

    private final ServerSocket listener;
    private final SSLContext tls;
    private final HttpHandler handler;
    private final ConnectionLimits limits = new ConnectionLimits(MAX_PER_SOURCE, MAX_CONNECTIONS);
    private final Set<JoinConnection> open = ConcurrentHashMap.newKeySet();
    private final FailStopScheduler deadlines;
    private final ThreadPoolExecutor workers;
    private final AtomicInteger readers = new AtomicInteger();
    private volatile boolean closed;
    private long lastRefusalLog = -REFUSAL_LOG_INTERVAL_MILLIS;

    private JoinApiServer(ServerSocket listener, SSLContext tls, HttpHandler handler) {
        this.listener = listener;
        this.tls = tls;
        this.handler = handler;
        this.deadlines = new FailStopScheduler(1, "join-api-deadline");
        this.workers = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), FailStopScheduler.daemonThreads("join-api"), new ThreadPoolExecutor.AbortPolicy());
        workers.allowCoreThreadTimeOut(true);
    }

    /**
     * Binds and starts serving {@code handler} at {@code address}.
     *
     * @throws IOException if the address cannot be bound (in use, not local)
     */
    public static JoinApiServer start(InetSocketAddress address, NodeKeyManager keys, HttpHandler handler)
            throws IOException {
        SSLContext tls;
        try {
            tls = SSLContext.getInstance("TLS");
            tls.init(new KeyManager[] {keys}, null, null);
        } catch (GeneralSecurityException e) {
            throw new IOException("unable to set up TLS: " + e.getMessage(), e);
        }
        ServerSocket listener = new ServerSocket();
        try {
            listener.setReuseAddress(true);
            listener.bind(address, 64);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        JoinApiServer server = new JoinApiServer(listener, tls, handler);
        Thread acceptor = new Thread(server::accept, "join-api-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return server;
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    private void accept() {
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("join API: accept failed: {}", e.getMessage());
                    pause(); // e.g. out of file descriptors: do not spin
                }
                continue;
            }
            if (!limits.tryAcquire(s.getInetAddress())) {
                refuse(s);
                continue;
            }
            JoinConnection c = new JoinConnection(s, limits, deadlines, open::remove);
            open.add(c);
            c.deadline(HANDSHAKE_TIMEOUT);
            Thread t = new Thread(null, () -> read(c), "join-api-read-" + readers.incrementAndGet(), READER_STACK);
            t.setDaemon(true);
            t.start();
        }
    }

    /** Closes a connection over the limits at once; says so in the log now and then, not per connection. */
    private void refuse(Socket s) {
        try {
            s.setSoLinger(true, 0); // reset: nothing of ours stays in TIME_WAIT for it
            s.close();
        } catch (IOException ignored) {
            // it is gone either way
        }
        long now = System.currentTimeMillis();
        if (now - lastRefusalLog >= REFUSAL_LOG_INTERVAL_MILLIS) {
            lastRefusalLog = now;
            log.warn("join API: refusing connections from {} ({} open from it; at most {} per address and {} in"
                    + " total)", s.getInetAddress().getHostAddress(), limits.open(s.getInetAddress()),
                    limits.perSource(), limits.total());
        }
    }

    /** The reader thread of one connection: handshake and request, then a worker answers. */
    private void read(JoinConnection c) {
        try {
            Socket raw = c.raw();
            SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, null, raw.getPort(), true);
            s.setUseClientMode(false);
            SSLParameters p = tls.getDefaultSSLParameters();
            p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            p.setNeedClientAuth(false);
            s.setSSLParameters(p);
            s.startHandshake();
            c.secured(s);
            c.deadline(REQUEST_TIMEOUT);
            HttpRequestReader.Request request;
            try {
                request = HttpRequestReader.read(c.input());
            } catch (HttpMessages.BadRequest e) {
                c.deadline(ANSWER_TIMEOUT);
                HttpMessages.error(new JoinExchange(c, badRequest()), e.status, e.getMessage(), Map.of());
                return;
            }
            c.deadline(ANSWER_TIMEOUT);
            JoinExchange ex = new JoinExchange(c, request);
            try {
                workers.execute(() -> answer(ex));
            } catch (RejectedExecutionException e) {
                HttpMessages.error(ex, 503, "too many requests - try again later", Map.of());
            }
        } catch (IOException | RuntimeException e) {
            // a client that went away, spoke no TLS, missed a deadline or sent what the JDK's
            // header map refuses (a CR or LF in a name): nothing to answer
            log.debug("join API connection from {} ended: {}", c.remote(), e.toString());
            c.abort();
        }
    }

    private void answer(JoinExchange ex) {
        try {
            handler.handle(ex);
        } catch (IOException | RuntimeException e) {
            log.error("join API request {} {} failed: {}", ex.getRequestMethod(), ex.getRequestURI().getPath(),
                    e.toString());
            ex.close();
        }
    }

    private static HttpRequestReader.Request badRequest() {
        return new HttpRequestReader.Request("", java.net.URI.create("/"), "HTTP/1.1",
                new com.sun.net.httpserver.Headers(), new byte[0]);
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
        open.forEach(JoinConnection::abort);
        workers.shutdownNow();
        deadlines.shutdownNow();
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
