package org.pmxcfs.jgroups;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.BARRIER;
import org.jgroups.protocols.FRAG2;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.SEQUENCER;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;
import org.jgroups.util.ExtendedUUID;
import org.pmxcfs.dfsm.MemberId;
import org.pmxcfs.dfsm.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Transport} on a JGroups channel configured for corosync semantics: datagrams, static
 * discovery from the nodelist, total order through SEQUENCER, failure detection from the token
 * timeout, partition merge, and every datagram sealed with a key derived from the
 * cluster authkey, so a process without the key can neither join nor inject. The stack and the
 * reasons for each choice are in docs/ARCHITECTURE.md.
 *
 * <p>Views and messages are handed to the listener by one dispatcher thread, in the order the
 * channel produced them.
 */
public final class JGroupsTransport implements Transport {

    private static final Logger log = LoggerFactory.getLogger("cpg");
    static final String KEY_NODEID = "nodeid";
    /** Every message: kind (u8), the sender's view ({@link ViewStamp}, 16 bytes), the sender's message number (u64). */
    private static final int HEADER_BYTES = 1 + ViewStamp.BYTES + 8;
    private static final byte DATA = 1;
    private static final byte ACK = 2;
    private static final String KEY_PID = "pid";

    private final GroupConfig config;
    private final MemberId self;
    /** The bottom of the stack of the current join; null before the first join and after leave. */
    private volatile SealedUdp udp;
    /** The suspicions of the current join's stack; null before the first join. */
    private volatile SuspectLog suspects;
    /** The channel of the current join; null before the first join and after leave. */
    private volatile Connection connection;

    public JGroupsTransport(GroupConfig config, long incarnation) {
        this.config = config;
        this.self = new MemberId(config.nodeId(), incarnation);
    }

    @Override
    public MemberId self() {
        return self;
    }

    /**
     * Joins with a new channel. Everything tied to a membership (the dispatcher, the sender,
     * the view stamps, the acks) belongs to that channel, so a dfsm that left after an error
     * rejoins as fresh as at its first join.
     */
    @Override
    public synchronized void join(Listener listener) throws Exception {
        if (connection != null) {
            throw new IllegalStateException("already joined");
        }
        Connection c = new Connection(listener);
        connection = c;
        try {
            c.connect();
        } catch (Exception e) {
            connection = null;
            c.close();
            throw e;
        }
    }

    @Override
    public boolean multicast(byte[] message) {
        Connection c = connection;
        return c != null && c.multicast(message);
    }

    /**
     * Whether member {@code m}, gone from the view, was suspected by the failure detection
     * (crashed, cut off) rather than having left on purpose; each suspicion is told once.
     */
    public boolean failed(MemberId m) {
        SuspectLog s = suspects;
        return s != null && s.takeSuspected(m);
    }

    /**
     * The number of the view installed here (JGroups numbers views like corosync's ring sequence:
     * the same on every member, growing with each change); 0 when not joined.
     */
    public long viewNumber() {
        Connection c = connection;
        return c == null ? 0 : Math.max(0, c.sendView.id());
    }

    /** Peer node id → link number → up, as the link pings tell; empty with one link or when not joined. */
    public Map<Integer, Map<Integer, Boolean>> linkStatus() {
        SealedUdp u = udp;
        return u == null ? Map.of() : u.linkStatus();
    }

    @Override
    public synchronized void leave() {
        Connection c = connection;
        connection = null;
        udp = null;
        if (c != null) {
            c.close();
        }
    }

    /** One event for the dispatcher thread. */
    private interface Event {
        void run() throws InterruptedException;
    }

    /** Acks counted for one of our own messages, sent in {@code view}. */
    private static final class Acks {
        final ViewStamp view;
        final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();

        Acks(ViewStamp view) {
            this.view = view;
        }
    }

    private interface SendAction {
        void send() throws Exception;
    }

    /** One join: a channel, the thread that hands its events to the listener, and the one that sends. */
    private final class Connection {
        private static final int SEND_QUEUE = 10_000;

        private final Listener listener;
        private final JChannel channel;
        private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private final Thread dispatcher;
        private final ExecutorService sender;
        private volatile boolean running = true;
        /** The view the sender had installed, stamped on every message (see {@link #dispatchMessage}). */
        private volatile ViewStamp sendView = ViewStamp.NONE;
        private final AtomicLong sendSeq = new AtomicLong();
        /**
         * Our own messages of the current view not yet delivered here: how many other members
         * have delivered each (by message number). Entered when sent, left when delivered or
         * when the view changes; late acks find nothing and are ignored.
         */
        private final ConcurrentHashMap<Long, Acks> acks = new ConcurrentHashMap<>();
        private final Object ackSignal = new Object();
        /** Dispatcher thread only: members of the view delivered last. */
        private int deliveredViewSize = 1;
        /** Dispatcher thread only: the view delivered last, and messages stamped with a later view. */
        private ViewStamp deliveredView = ViewStamp.NONE;
        /**
         * Dispatcher thread only: a view in which we gave up one of our own messages (the view
         * changed before a majority acked it). Nothing more of that view is delivered here: the
         * others may have delivered the message, and a sequence with a hole where our own
         * message was would break the dfsm's protocol (an UPDATE after a STATE we never saw).
         * The next view's sync makes everyone agree again.
         */
        private ViewStamp abandonedView = ViewStamp.NONE;
        private final List<Event> early = new ArrayList<>();

        Connection(Listener listener) throws Exception {
            this.listener = listener;
            this.channel = new JChannel(stack());
            channel.addAddressGenerator(() -> {
                ExtendedUUID id = ExtendedUUID.randomUUID(self.toString());
                // decimal text: JGroups prints these in its log lines and thread names
                id.put(KEY_NODEID, ascii(self.nodeId()));
                id.put(KEY_PID, ascii(self.pid()));
                return id;
            });
            channel.setReceiver(new Receiver() {
                @Override
                public void receive(Message msg) {
                    onReceive(msg);
                }

                @Override
                public void viewAccepted(View view) {
                    onView(view);
                }
            });
            this.dispatcher = new Thread(this::dispatch, "cpg-" + config.group());
            dispatcher.setDaemon(true);
            this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(SEND_QUEUE), r -> {
                Thread t = new Thread(r, "cpg-send-" + config.group());
                t.setDaemon(true);
                return t;
            });
        }

        void connect() throws Exception {
            dispatcher.start();
            channel.connect(config.group());
        }

        void close() {
            running = false;
            sender.shutdownNow();
            synchronized (ackSignal) {
                ackSignal.notifyAll();
            }
            channel.close();
            dispatcher.interrupt();
            if (Thread.currentThread() != dispatcher) {
                try {
                    dispatcher.join(5_000); // "no more events after it returns"
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void onReceive(Message msg) {
            MemberId sender = memberOf(msg.getSrc());
            if (sender == null || msg.getLength() < HEADER_BYTES) {
                return;
            }
            ByteBuffer b = ByteBuffer.wrap(msg.getArray(), msg.getOffset(), msg.getLength());
            byte kind = b.get();
            ViewStamp stamp = ViewStamp.read(b);
            long seq = b.getLong();
            if (kind == ACK) {
                Acks a = acks.get(seq);
                if (a != null) {
                    a.count.incrementAndGet();
                }
                synchronized (ackSignal) {
                    ackSignal.notifyAll();
                }
                return;
            }
            byte[] body = new byte[b.remaining()];
            b.get(body);
            Address src = msg.getSrc();
            events.add(() -> dispatchMessage(stamp, () -> deliverData(sender, src, stamp, seq, body)));
        }

        private void onView(View view) {
            List<MemberId> members = new ArrayList<>();
            for (Address a : view.getMembers()) {
                MemberId m = memberOf(a);
                if (m != null) {
                    members.add(m);
                }
            }
            members.sort(null);
            ViewStamp id = ViewStamp.of(view);
            sendView = id;
            acks.values().removeIf(a -> !a.view.equals(id)); // their messages are dropped everywhere
            synchronized (ackSignal) {
                ackSignal.notifyAll(); // a dispatcher waiting for acks gives up: the view changed
            }
            int size = members.size();
            events.add(() -> {
                deliveredView = id;
                deliveredViewSize = size;
                listener.viewChanged(List.copyOf(members));
                List<Event> held = new ArrayList<>(early);
                early.clear();
                for (Event e : held) {
                    e.run();
                }
            });
        }

        private void dispatch() {
            while (running) {
                try {
                    events.take().run();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    log.error("event handler failed: {}", e.toString(), e);
                }
            }
        }

        /**
         * Our own message is delivered to us only once a majority of the view has delivered it
         * too: the JGroups coordinator orders messages and would otherwise apply (and acknowledge
         * to its writer) its own writes at once, even when it is the one cut off from the others,
         * and those writes would be lost when the majority's state wins at the heal. Every member
         * acks each foreign message once it delivered it; if the view changes first, the message
         * is dropped here like every other message of the old view (its writer's dfsm then finds
         * out in the next sync round whether it was applied elsewhere, or sends it again).
         */
        private void deliverData(MemberId sender, Address src, ViewStamp stamp, long seq, byte[] body)
                throws InterruptedException {
            if (!sender.equals(self)) {
                listener.deliver(sender, body);
                ByteBuffer ack = ByteBuffer.allocate(HEADER_BYTES).put(ACK);
                stamp.write(ack);
                byte[] ackBytes = ack.putLong(seq).array();
                // acks need no order and no flow control: out of band, straight to the waiting sender
                send(() -> channel.send(new BytesMessage(src, ackBytes).setFlag(Message.Flag.OOB, Message.Flag.NO_FC)));
                return;
            }
            int needed = deliveredViewSize / 2;
            synchronized (ackSignal) {
                Acks a;
                while ((a = acks.get(seq)) == null || a.count.get() < needed) {
                    if (a == null || !sendView.equals(stamp) || !running) {
                        acks.remove(seq);
                        abandonedView = stamp;
                        log.debug("own message {} of view {} not acknowledged by a majority before the view changed",
                                seq, stamp);
                        return;
                    }
                    ackSignal.wait(1000);
                }
            }
            acks.remove(seq);
            listener.deliver(sender, body);
        }

        /**
         * The dfsm relies on every member delivering one sequence per view. Without FLUSH,
         * JGroups may deliver a message sent in the old view after the new view at some members
         * only, or a message of the new view before this member installed it. So: drop messages
         * stamped with an older view (their sender's dfsm resolves them after its next sync), hold messages
         * of a newer view until it is installed here. A view is named by its number and its
         * creator: the two sides of a partition number their views independently, and a message
         * of the majority's view 5 must not be delivered in the minority's view 5.
         */
        private void dispatchMessage(ViewStamp stamp, Event deliver) throws InterruptedException {
            if (stamp.equals(deliveredView) && !stamp.equals(abandonedView)) {
                deliver.run();
            } else if (stamp.id() > deliveredView.id()) {
                early.add(() -> dispatchMessage(stamp, deliver));
            } else {
                log.debug("dropped a message of view {} in view {}", stamp, deliveredView);
            }
        }

        boolean multicast(byte[] message) {
            if (!running || !channel.isConnected()) {
                return false;
            }
            ViewStamp view = sendView;
            long seq = sendSeq.incrementAndGet();
            ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + message.length).put(DATA);
            view.write(b);
            byte[] stamped = b.putLong(seq).put(message).array();
            acks.put(seq, new Acks(view));
            // JChannel.send can block until the next view (SEQUENCER waits for an unreachable
            // coordinator): send from one thread of our own, in order, so callers keep their own
            // time limits and never hold each other up
            return send(() -> channel.send(new BytesMessage(null, stamped)));
        }

        /** A send on the sender thread; false if too many are waiting or the connection is closed. */
        private boolean send(SendAction action) {
            try {
                sender.execute(() -> {
                    try {
                        action.send();
                    } catch (Exception e) {
                        if (running) {
                            log.warn("send failed: {}", e.toString());
                        }
                    }
                });
                return true;
            } catch (RejectedExecutionException e) {
                if (running) {
                    log.warn("send refused: {} messages waiting to be sent", SEND_QUEUE);
                }
                return false;
            }
        }
    }

    /**
     * A view as stamped on messages: its number and a fingerprint of its creator. JGroups view
     * numbers grow at every member, but the two sides of a partition count independently.
     */
    record ViewStamp(long id, long creator) {
        static final int BYTES = 16;
        static final ViewStamp NONE = new ViewStamp(-1, 0);

        static ViewStamp of(View view) {
            Address c = view.getViewId().getCreator();
            long creator = c instanceof org.jgroups.util.UUID u ? u.getMostSignificantBits() ^ u.getLeastSignificantBits()
                    : c == null ? 0 : c.hashCode();
            return new ViewStamp(view.getViewId().getId(), creator);
        }

        static ViewStamp read(ByteBuffer b) {
            return new ViewStamp(b.getLong(), b.getLong());
        }

        void write(ByteBuffer b) {
            b.putLong(id).putLong(creator);
        }

        @Override
        public String toString() {
            return id + "/" + Long.toHexString(creator);
        }
    }

    private static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    /** A decimal number stored with {@link #ascii}. */
    static long number(byte[] b) {
        return Long.parseLong(new String(b, StandardCharsets.US_ASCII));
    }

    private static MemberId memberOf(Address a) {
        if (a instanceof ExtendedUUID id && id.keyExists(KEY_NODEID) && id.keyExists(KEY_PID)) {
            try {
                return new MemberId((int) number(id.get(KEY_NODEID)), number(id.get(KEY_PID)));
            } catch (NumberFormatException e) {
                return null; // not one of ours
            }
        }
        return null;
    }

    /**
     * The protocol stack, bottom first. Failure detection is scaled from corosync's token
     * timeout: a peer silent for a third of it is suspected (heartbeats every twelfth, so four
     * in a row must be lost), and a quick second opinion confirms it. Corosync needs about
     * token + consensus to re-form its ring; a majority that stops writing for that long behind
     * one vanished node is what the design must avoid (docs/ARCHITECTURE.md).
     */
    private List<Protocol> stack() throws Exception {
        long token = config.token().toMillis();
        long suspectAfter = Math.max(300, token / 3);
        long heartbeat = Math.max(50, suspectAfter / 4);
        List<Protocol> p = new ArrayList<>();
        // link pings twice per heartbeat: a lost link is left (after three missed pings) well
        // before the failure detector would suspect the peer
        SealedUdp udp = new SealedUdp(DatagramSeal.forGroup(config.authKey(), config.group()), config.links(),
                config.nodeId(), config.bind().getPort(), Math.max(25, heartbeat / 2));
        this.udp = udp;
        udp.setBindAddress(config.bind().getAddress());
        udp.setBindPort(config.bind().getPort());
        udp.setPortRange(0);
        // bursts (a 1 MiB file is 17 datagrams, a state transfer many more) must not overflow
        // the kernel's default receive queue; the kernel caps these at net.core.rmem_max/wmem_max
        udp.setUcastRecvBufSize(4 << 20).setUcastSendBufSize(1 << 20);
        // our sends come from one thread of our own already: a bundler thread would only add a
        // hand-off per message
        udp.setBundlerType("no-bundler");
        p.add(udp);
        p.add(new TCPPING().setInitialHosts(config.peers()).setPortRange(0));
        // views are compared every 1.6 × max interval (1.2 s): a healed partition merges within about that
        p.add(new MERGE3().setMinInterval(250).setMaxInterval(750));
        boolean redundant = config.links() != null && config.links().redundant();
        if (!redundant) {
            // on the ring address: unset, it listens on every interface, and all nodes on one host
            // share one port range. Not with several links: its TCP connection runs on link 0 only,
            // and the loss of link 0 would make it suspect a peer that is still there on link 1
            p.add(new BoundedFdSock((int) heartbeat).setBindAddress(config.bind().getAddress()));
        }
        p.add(new HeartbeatFd().setTimeout(suspectAfter).setInterval(heartbeat));
        // with several links, the check of a suspect must outlast a failover (a link is left after
        // 3.5 pings, pings every half heartbeat)
        p.add(new VERIFY_SUSPECT2().setTimeout(redundant ? 2 * heartbeat : heartbeat));
        SuspectLog suspectLog = new SuspectLog(JGroupsTransport::memberOf);
        this.suspects = suspectLog;
        p.add(suspectLog);
        p.add(new BARRIER());
        p.add(new NAKACK2().setXmitInterval(100).useMcastXmit(false));
        p.add(new UNICAST3().setXmitInterval(100));
        p.add(new STABLE().setDesiredAverageGossip(5000).setMaxBytes(4 << 20));
        // a coordinator waits for every member's ack of a view before it handles the next change;
        // with JGroups' 2 s, a coordinator cut off from both others spent 2 s in the view without
        // the first of them before it could drop the second (and go read-only)
        p.add(new GMS().setJoinTimeout(2000).setMaxJoinAttempts(3).setViewAckCollectionTimeout(2 * heartbeat)
                .printLocalAddress(false));
        // no MFC: SEQUENCER + MFC deadlocks under load (java-stack-notes 3); UFC still pushes back
        p.add(new UFC());
        p.add(new SEQUENCER());
        p.add(new FRAG2());
        return p;
    }
}
