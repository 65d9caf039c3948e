package org.pmxcfs.joinapi;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocket;

/**
 * One accepted join API connection and its deadline. Every phase (TLS handshake, request,
 * answer) must end before its deadline, or the plain socket is closed under it, which ends any
 * read or write blocked on it: a client that sends nothing, or one byte at a time, cannot keep a
 * connection open for longer than the phase allows. Closing releases the connection's slot in
 * {@link ConnectionLimits} exactly once.
 */
final class JoinConnection {

    private final Socket raw;
    private final ConnectionLimits limits;
    private final ScheduledExecutorService timer;
    private final Consumer<JoinConnection> onClosed;
    private final AtomicBoolean closed = new AtomicBoolean();
    private SSLSocket tls;
    private InputStream in;
    private OutputStream out;
    private ScheduledFuture<?> deadline;

    JoinConnection(Socket raw, ConnectionLimits limits, ScheduledExecutorService timer,
                   Consumer<JoinConnection> onClosed) {
        this.raw = raw;
        this.limits = limits;
        this.timer = timer;
        this.onClosed = onClosed;
    }

    /** Starts (or replaces) the deadline of the current phase. */
    synchronized void deadline(Duration d) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (!closed.get()) {
            deadline = timer.schedule(this::abort, d.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The TLS layer, after its handshake. */
    synchronized void secured(SSLSocket socket) throws IOException {
        tls = socket;
        in = new BufferedInputStream(socket.getInputStream());
        out = new BufferedOutputStream(socket.getOutputStream());
    }

    InputStream input() {
        return in;
    }

    OutputStream output() {
        return out;
    }

    Socket raw() {
        return raw;
    }

    InetSocketAddress remote() {
        return (InetSocketAddress) raw.getRemoteSocketAddress();
    }

    InetSocketAddress local() {
        return (InetSocketAddress) raw.getLocalSocketAddress();
    }

    /**
     * Ends the connection after its answer: TLS close_notify, then the socket. The deadline stays
     * armed meanwhile, so a peer that reads nothing cannot block this for longer than it allows.
     */
    void close() {
        SSLSocket s;
        synchronized (this) {
            s = tls;
        }
        if (s != null && !closed.get()) {
            try {
                s.close();
            } catch (IOException ignored) {
                // the socket is closed below anyway
            }
        }
        abort();
    }

    /** Closes the plain socket at once (never blocks) and releases the slot. */
    void abort() {
        try {
            raw.close();
        } catch (IOException ignored) {
            // nothing left to release on our side
        }
        if (closed.compareAndSet(false, true)) {
            synchronized (this) {
                if (deadline != null) {
                    deadline.cancel(false);
                }
            }
            limits.release(raw.getInetAddress());
            onClosed.accept(this);
        }
    }
}
