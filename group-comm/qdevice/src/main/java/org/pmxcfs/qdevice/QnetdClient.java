package org.pmxcfs.qdevice;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node side of a QDevice with {@code model: net} (what corosync-qdevice does next to
 * corosync): keeps a connection to corosync-qnetd, tells it this node's configuration,
 * membership and quorum, and tracks the vote qnetd gives this node's partition.
 *
 * <p>The vote counts for one membership only: the one qnetd decided for ({@link #castsVoteFor}).
 * corosync-qdevice gets the same effect from votequorum, which refuses a poll for a ring id
 * that is no longer current. So after a membership change the partition has no device vote
 * until qnetd has answered for the new membership; qnetd's ffsplit withdraws a vote (NACK)
 * before it gives it to another partition, so two partitions never hold it at once.
 *
 * <p>Losing the server: with {@code ffsplit} the vote is withdrawn at once (a partition that
 * keeps a vote qnetd can no longer take back could make two quorate halves); with {@code lms}
 * it is kept while the partition is quorate and {@code wait_for_all} is on, as qdevice's lms
 * does. A missing echo reply counts as lost (one heartbeat, 0.8 × timeout). Reconnects follow,
 * a second apart while the server refuses connections.
 *
 * <p>Threads: {@code qdevice-net} owns all state and every send (events arrive on a queue);
 * {@code qdevice-net-read} connects, runs the plaintext/TLS handshake, and hands each message
 * it reads to the first.
 */
public final class QnetdClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("qdevice");
    /** corosync-qdevice accepts replies up to 16 MiB. */
    private static final int MAX_RECEIVE = 1 << 24;
    private static final long RECONNECT_PAUSE_MS = 1000;

    /** Told whenever the vote may have changed; called on the client's thread. */
    public interface Listener {
        void voteChanged();
    }

    /** What this node tells qnetd about itself; replaced as a whole by the cluster node. */
    public record Membership(RingId ring, SortedSet<Long> members, boolean quorate) {
        public Membership {
            members = new TreeSet<>(members);
        }
    }

    private final QDeviceSettings settings;
    private final long nodeId;
    /** The configuration's node ids and its config_version. */
    private final List<Long> configNodes;
    private final OptionalLong configVersion;
    private final boolean waitForAll;
    private final QnetdTls tls;
    private final Listener listener;
    private final BlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    private final Thread loop;
    private final Thread reader;
    private volatile boolean closed;

    // ---- state of the qdevice-net thread
    private Membership membership;
    /** Written by this thread only; volatile for {@link #close()}. */
    private volatile Connection conn;
    private RingId lastSentRing;
    private long echoExpected;
    private long echoReceived;
    private long nextEchoAt = Long.MAX_VALUE;

    /** The membership the vote was given to; null while not casting it. */
    private volatile RingId votedRing;
    private volatile String state = "Connecting";
    /** The newest membership handed in, for the reader's INIT (the state thread has its own copy). */
    private volatile Membership latest;

    /** One connection's socket and sequence counter. */
    private static final class Connection {
        final Socket socket;
        final OutputStream out;
        long seq;

        Connection(Socket socket, long seq) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            this.seq = seq;
        }

        void send(QnetdMessage m) throws IOException {
            out.write(m.encode());
            out.flush();
        }
    }

    /**
     * @param tls null when {@code net.tls} is off
     */
    public QnetdClient(QDeviceSettings settings, long nodeId, List<Long> configNodes, OptionalLong configVersion,
                       boolean waitForAll, QnetdTls tls, Membership initial, Listener listener) {
        this.settings = settings;
        this.nodeId = nodeId;
        this.configNodes = List.copyOf(configNodes);
        this.configVersion = configVersion;
        this.waitForAll = waitForAll;
        this.tls = tls;
        this.membership = initial;
        this.latest = initial;
        this.listener = listener;
        this.loop = new Thread(this::runLoop, "qdevice-net");
        this.reader = new Thread(this::runReader, "qdevice-net-read");
        loop.setDaemon(true);
        reader.setDaemon(true);
    }

    public void start() {
        log.info("connecting to qnetd server {}:{} (algorithm {}, tie-breaker {}, tls {})", settings.host(),
                settings.port(), settings.algorithm(), tieBreakerText(), settings.tls());
        loop.start();
        reader.start();
    }

    /** Whether the device casts its vote for this membership. */
    public boolean castsVoteFor(RingId ring) {
        RingId v = votedRing;
        return v != null && v.equals(ring);
    }

    /** Whether the server connection is up (the {@code A}live flag of quorumtool). */
    public boolean connected() {
        return "Connected".equals(state);
    }

    /** {@code Connected}, {@code Connecting}, or why the last connection ended. */
    public String state() {
        return state;
    }

    public QDeviceSettings settings() {
        return settings;
    }

    /** A new membership or quorum state of this node's partition. */
    public void update(Membership m) {
        latest = m;
        events.add(() -> membershipChanged(m));
    }

    @Override
    public void close() {
        closed = true;
        events.add(() -> {
        });
        Connection c = conn;
        closeQuietly(c);
        reader.interrupt();
        try {
            loop.join(1000);
            reader.join(1000); // a connect in progress is not interruptible; the thread is a daemon
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (votedRing != null) {
            votedRing = null;
            listener.voteChanged();
        }
    }

    // ------------------------------------------------------------------ qdevice-net thread

    private void runLoop() {
        while (!closed) {
            long wait = nextEchoAt == Long.MAX_VALUE ? 1000 : Math.max(0, nextEchoAt - System.currentTimeMillis());
            Runnable r;
            try {
                r = events.poll(wait, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (r != null) {
                r.run();
            } else if (conn != null && System.currentTimeMillis() >= nextEchoAt) {
                echoTick();
            }
        }
    }

    private void membershipChanged(Membership m) {
        Membership old = membership;
        membership = m;
        if (conn == null) {
            // not connected: whatever vote this node had is not valid for a new membership
            if (!m.ring().equals(old.ring())) {
                setVote(null);
            }
            return;
        }
        try {
            if (!m.ring().equals(old.ring()) || !m.members().equals(old.members())) {
                sendMembership();
                setVote(null); // WAIT_FOR_REPLY: qnetd answers for the new membership
            }
            if (m.quorate() != old.quorate()) {
                sendQuorum();
            }
        } catch (IOException e) {
            lost(conn, "send failed: " + e.getMessage());
        }
    }

    /** The handshake is done: what qdevice sends once connected, then votes follow. */
    private void connected(Connection c, boolean keepActivePartition) {
        if (closed) {
            closeQuietly(c);
            return;
        }
        conn = c;
        state = "Connected";
        log.info("connected to qnetd server {}:{}", settings.host(), settings.port());
        try {
            if (keepActivePartition) {
                c.send(QnetdRequests.keepActivePartitionTieBreaker(++c.seq, true));
            }
            List<QnetdRequests.Node> config = new ArrayList<>();
            configNodes.forEach(id -> config.add(new QnetdRequests.Node(id, 0)));
            c.send(QnetdRequests.nodeList(++c.seq, QnetdRequests.LIST_INITIAL_CONFIG, null, configVersion, null, config));
            sendMembership();
            sendQuorum();
        } catch (IOException e) {
            lost(c, "send failed: " + e.getMessage());
            return;
        }
        echoExpected = 0;
        echoReceived = 0;
        nextEchoAt = System.currentTimeMillis() + settings.heartbeatMs();
    }

    private void sendMembership() throws IOException {
        List<QnetdRequests.Node> nodes = new ArrayList<>();
        membership.members().forEach(id -> nodes.add(new QnetdRequests.Node(id, 0)));
        conn.send(QnetdRequests.nodeList(++conn.seq, QnetdRequests.LIST_MEMBERSHIP, membership.ring(),
                OptionalLong.empty(), null, nodes));
        lastSentRing = membership.ring();
    }

    private void sendQuorum() throws IOException {
        List<QnetdRequests.Node> nodes = new ArrayList<>();
        for (Long id : configNodes) {
            nodes.add(new QnetdRequests.Node(id, membership.members().contains(id)
                    ? QnetdRequests.NODE_STATE_MEMBER : QnetdRequests.NODE_STATE_DEAD));
        }
        conn.send(QnetdRequests.nodeList(++conn.seq, QnetdRequests.LIST_QUORUM, null, OptionalLong.empty(),
                membership.quorate(), nodes));
    }

    private void echoTick() {
        if (echoReceived != echoExpected) {
            log.warn("qnetd server didn't send echo reply message on time");
            if (!keepsVoteWithoutServer()) {
                lost(conn, "no echo reply");
                return;
            }
        }
        try {
            conn.send(QnetdRequests.echoRequest(++echoExpected));
        } catch (IOException e) {
            lost(conn, "send failed: " + e.getMessage());
            return;
        }
        nextEchoAt = System.currentTimeMillis() + settings.heartbeatMs();
    }

    /** lms keeps voting without the server while quorate with wait_for_all; ffsplit never does. */
    private boolean keepsVoteWithoutServer() {
        return settings.algorithm() == Algorithm.LMS && membership.quorate() && waitForAll;
    }

    private void received(Connection c, QnetdMessage m) {
        if (c != conn) {
            return;
        }
        try {
            switch (m.type()) {
                case QnetdMessage.ECHO_REPLY -> {
                    long seq = required(m.number(QnetdMessage.OPT_MSG_SEQ_NUMBER), "echo reply", "seq number");
                    if (seq != echoExpected) {
                        throw new QnetdProtocolException("echo reply " + seq + " is not the expected " + echoExpected);
                    }
                    echoReceived = seq;
                }
                case QnetdMessage.SET_OPTION_REPLY -> {
                    // the keep-active-partition setting is acknowledged; nothing to do
                }
                case QnetdMessage.NODE_LIST_REPLY, QnetdMessage.ASK_FOR_VOTE_REPLY -> vote(m);
                case QnetdMessage.VOTE_INFO -> {
                    vote(m);
                    c.send(QnetdRequests.voteInfoReply(required(m.number(QnetdMessage.OPT_MSG_SEQ_NUMBER),
                            "vote info", "seq number")));
                }
                case QnetdMessage.SERVER_ERROR -> throw new QnetdProtocolException("server error "
                        + m.number(QnetdMessage.OPT_REPLY_ERROR_CODE).orElse(-1));
                default -> throw new QnetdProtocolException("unexpected message of type " + m.type());
            }
        } catch (IOException e) {
            lost(c, e.getMessage());
        }
    }

    /** A vote of the server: ACK/NACK count for the membership it names, if it is the one last sent. */
    private void vote(QnetdMessage m) throws QnetdProtocolException {
        long vote = required(m.number(QnetdMessage.OPT_VOTE), "vote message", "vote");
        RingId ring = m.ringId().orElseThrow(() -> new QnetdProtocolException("vote message without ring id"));
        if (!ring.equals(lastSentRing)) {
            log.debug("ignoring a vote for the old membership {}", ring);
            return;
        }
        switch ((int) vote) {
            case 1 -> setVote(ring); // ACK
            case 2, 3, 4 -> setVote(null); // NACK, ASK_LATER, WAIT_FOR_REPLY: no vote now
            default -> {
                // NO_CHANGE
            }
        }
    }

    private void setVote(RingId ring) {
        RingId old = votedRing;
        if (ring == null ? old == null : ring.equals(old)) {
            return;
        }
        votedRing = ring;
        log.info("qdevice vote {} for membership {}", ring != null ? "cast" : "withdrawn",
                ring != null ? ring : membership.ring());
        listener.voteChanged();
    }

    /** The connection ended (or must end): the vote follows the algorithm's rule, then reconnect. */
    private void lost(Connection c, String why) {
        if (c == null || c != conn && conn != null) {
            return;
        }
        if (c == conn) {
            conn = null;
            nextEchoAt = Long.MAX_VALUE;
            if (!closed) {
                log.warn("disconnected from qnetd server {}:{}: {}", settings.host(), settings.port(), why);
            }
        }
        closeQuietly(c);
        state = "Disconnected (" + why + ")";
        if (!keepsVoteWithoutServer()) {
            setVote(null);
        }
    }

    // ------------------------------------------------------------------ qdevice-net-read thread

    private void runReader() {
        boolean reportedFailure = false;
        while (!closed) {
            Connection c = null;
            try {
                c = handshake();
                reportedFailure = false;
                Connection established = c;
                while (!closed) {
                    QnetdMessage m = QnetdMessage.read(c.socket.getInputStream(), MAX_RECEIVE);
                    events.add(() -> received(established, m));
                }
            } catch (IOException | RuntimeException e) {
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                if (c == null && !closed) {
                    if (!reportedFailure) {
                        log.warn("can't connect to qnetd server {}:{}: {} - retrying every second",
                                settings.host(), settings.port(), why);
                        reportedFailure = true;
                    }
                    state = "Connect failed (" + why + ")";
                }
                Connection dead = c;
                events.add(() -> lost(dead, why));
            }
            if (closed) {
                return;
            }
            try {
                // as qdevice: give the server a moment before reconnecting (a random part of the cast-vote interval)
                Thread.sleep(c == null ? RECONNECT_PAUSE_MS
                        : ThreadLocalRandom.current().nextLong(1, Math.max(2, settings.timeoutMs() * 45 / 100)));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * preinit → (starttls → TLS handshake) → init; returns the connection once the server
     * accepted this client, after handing it to the state thread.
     */
    private Connection handshake() throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(settings.host(), settings.port()), (int) settings.heartbeatMs());
            s.setTcpNoDelay(true);
            s.setSoTimeout((int) settings.heartbeatMs() * 2); // a handshake that stalls ends the attempt
            Connection c = new Connection(s, 1);
            c.send(QnetdRequests.preinit(c.seq, settings.clusterName()));
            QnetdMessage reply = expect(s.getInputStream(), QnetdMessage.PREINIT_REPLY, c.seq);
            long serverTls = required(reply.number(QnetdMessage.OPT_TLS_SUPPORTED), "preinit reply", "tls supported");
            required(reply.number(QnetdMessage.OPT_TLS_CLIENT_CERT_REQUIRED), "preinit reply", "client cert required");
            boolean useTls = useTls((int) serverTls, settings.tlsWire());
            if (useTls) {
                if (tls == null) {
                    throw new IOException("the qnetd server requires TLS but no QDevice certificates are configured"
                            + " - run 'pvecm qdevice setup'");
                }
                c.send(QnetdRequests.starttls(++c.seq));
                Socket secure = tls.upgrade(s, settings.host(), settings.port());
                s = secure;
                c = new Connection(secure, c.seq);
            }
            c.send(QnetdRequests.init(++c.seq, settings.algorithm(), nodeId, settings.heartbeatMs(),
                    settings.tieBreaker(), latest.ring()));
            QnetdMessage init = expect(c.socket.getInputStream(), QnetdMessage.INIT_REPLY, c.seq);
            long code = required(init.number(QnetdMessage.OPT_REPLY_ERROR_CODE), "init reply", "error code");
            if (code != 0) {
                throw new QnetdProtocolException("server refused init with error code " + code + initHint(code));
            }
            List<Integer> algorithms = init.u16List(QnetdMessage.OPT_SUPPORTED_DECISION_ALGORITHMS).orElse(List.of());
            if (!algorithms.contains(settings.algorithm().wire())) {
                throw new QnetdProtocolException("server doesn't support the " + settings.algorithm() + " algorithm");
            }
            boolean kap = init.u16List(QnetdMessage.OPT_SUPPORTED_OPTIONS).orElse(List.of())
                    .contains(QnetdMessage.OPT_KEEP_ACTIVE_PARTITION_TIE_BREAKER);
            s.setSoTimeout(0); // from now on, missing echo replies tell a dead server
            Connection established = c;
            events.add(() -> connected(established, kap));
            return c;
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
    }

    private static String initHint(long code) {
        return switch ((int) code) {
            case 15 -> " (tie-breaker differs from other nodes of the cluster)";
            case 16 -> " (algorithm differs from other nodes of the cluster)";
            case 17 -> " (duplicate node id: the server may not have noticed this node's last disconnect yet)";
            default -> "";
        };
    }

    private static QnetdMessage expect(InputStream in, int type, long seq) throws IOException {
        QnetdMessage m = QnetdMessage.read(in, MAX_RECEIVE);
        if (m.type() == QnetdMessage.SERVER_ERROR) {
            throw new QnetdProtocolException("server error " + m.number(QnetdMessage.OPT_REPLY_ERROR_CODE).orElse(-1));
        }
        if (m.type() != type) {
            throw new QnetdProtocolException("expected message type " + type + ", got " + m.type());
        }
        if (m.number(QnetdMessage.OPT_MSG_SEQ_NUMBER).orElse(-1) != seq) {
            throw new QnetdProtocolException("reply without the expected seq number " + seq);
        }
        return m;
    }

    /** qdevice's TLS compatibility table: true to start TLS; incompatible settings fail. */
    static boolean useTls(int server, int client) throws QnetdProtocolException {
        if (server == 0 && client == 2 || server == 2 && client == 0) {
            throw new QnetdProtocolException("incompatible tls configuration (server " + server + " client " + client
                    + ") - set quorum.device.net.tls to match the server");
        }
        return server != 0 && client != 0;
    }

    private static long required(OptionalLong v, String what, String option) throws QnetdProtocolException {
        if (v.isEmpty()) {
            throw new QnetdProtocolException(what + " without " + option);
        }
        return v.getAsLong();
    }

    private String tieBreakerText() {
        TieBreaker t = settings.tieBreaker();
        return t.mode() == 1 ? "lowest" : t.mode() == 2 ? "highest" : Long.toString(t.nodeId());
    }

    private static void closeQuietly(Object c) {
        try {
            if (c instanceof Connection conn) {
                conn.socket.close();
            } else if (c instanceof Socket s) {
                s.close();
            }
        } catch (IOException ignored) {
            // closing a broken connection
        }
    }
}
