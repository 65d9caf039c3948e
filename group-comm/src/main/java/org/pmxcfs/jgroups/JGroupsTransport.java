package org.pmxcfs.jgroups;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.BARRIER;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG2;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.SEQUENCER;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCP;
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
 * {@link Transport} on a JGroups channel configured for corosync semantics: TCP with static
 * discovery from the nodelist, total order through SEQUENCER, failure detection from the token
 * timeout, partition merge, and (secauth) the payload encrypted with a key derived from the
 * cluster authkey, so a process without the key can neither join nor inject. The stack and the
 * reasons for each choice are in docs/ARCHITECTURE.md.
 *
 * <p>Views and messages are handed to the listener by one dispatcher thread, in the order the
 * channel produced them.
 */
public final class JGroupsTransport implements Transport {

    private static final Logger log = LoggerFactory.getLogger("cpg");
    static final String KEY_NODEID = "nodeid";
    /** Every message: kind (u8), the sender's view (u64), the sender's message number (u64). */
    private static final int HEADER_BYTES = 17;
    private static final byte DATA = 1;
    private static final byte ACK = 2;
    private static final String KEY_PID = "pid";

    private final GroupConfig config;
    private final MemberId self;
    private final PartitionSwitch partition;
    /** One event for the dispatcher thread. */
    private interface Event {
        void run() throws InterruptedException;
    }

    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private JChannel channel;
    private Thread dispatcher;
    private volatile boolean running;
    /** The view the sender had installed, stamped on every message (see {@link #dispatchMessage}). */
    private volatile long sendViewId = -1;
    private final java.util.concurrent.atomic.AtomicLong sendSeq = new java.util.concurrent.atomic.AtomicLong();
    /** Our own messages: how many other members have delivered each (by message number). */
    private final java.util.concurrent.ConcurrentHashMap<Long, Integer> acks = new java.util.concurrent.ConcurrentHashMap<>();
    private final Object ackSignal = new Object();
    /** Dispatcher thread only: members of the view delivered last. */
    private int deliveredViewSize = 1;
    /** Dispatcher thread only: the view delivered last, and messages stamped with a later view. */
    private long deliveredViewId = -1;
    private final List<Event> early = new ArrayList<>();
    private static final int SEND_QUEUE = 10_000;
    private final java.util.concurrent.ExecutorService sender;

    public JGroupsTransport(GroupConfig config, long incarnation) {
        this(config, incarnation, null);
    }

    /** With a {@link PartitionSwitch} in the stack (tests only). */
    public JGroupsTransport(GroupConfig config, long incarnation, PartitionSwitch partition) {
        this.config = config;
        this.self = new MemberId(config.nodeId(), incarnation);
        this.partition = partition;
        this.sender = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(SEND_QUEUE), r -> {
                    Thread t = new Thread(r, "cpg-send-" + config.group());
                    t.setDaemon(true);
                    return t;
                });
    }

    @Override
    public MemberId self() {
        return self;
    }

    @Override
    public void join(Listener listener) throws Exception {
        channel = new JChannel(stack());
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
                MemberId sender = memberOf(msg.getSrc());
                if (sender == null || msg.getLength() < HEADER_BYTES) {
                    return;
                }
                ByteBuffer b = ByteBuffer.wrap(msg.getArray(), msg.getOffset(), msg.getLength());
                byte kind = b.get();
                long stamp = b.getLong();
                long seq = b.getLong();
                if (kind == ACK) {
                    acks.merge(seq, 1, Integer::sum);
                    synchronized (ackSignal) {
                        ackSignal.notifyAll();
                    }
                    return;
                }
                byte[] body = new byte[b.remaining()];
                b.get(body);
                Address src = msg.getSrc();
                events.add(() -> dispatchMessage(stamp, () -> deliverData(listener, sender, src, stamp, seq, body)));
            }

            @Override
            public void viewAccepted(View view) {
                List<MemberId> members = new ArrayList<>();
                for (Address a : view.getMembers()) {
                    MemberId m = memberOf(a);
                    if (m != null) {
                        members.add(m);
                    }
                }
                members.sort(null);
                long id = view.getViewId().getId();
                sendViewId = id;
                synchronized (ackSignal) {
                    ackSignal.notifyAll(); // a dispatcher waiting for acks gives up: the view changed
                }
                int size = members.size();
                events.add(() -> {
                    deliveredViewId = id;
                    deliveredViewSize = size;
                    listener.viewChanged(List.copyOf(members));
                    List<Event> held = new ArrayList<>(early);
                    early.clear();
                    for (Event e : held) {
                        e.run();
                    }
                });
            }
        });
        running = true;
        dispatcher = new Thread(this::dispatch, "cpg-" + config.group());
        dispatcher.setDaemon(true);
        dispatcher.start();
        channel.connect(config.group());
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
     * Our own message is delivered to us only once a majority of the view has delivered it too:
     * the JGroups coordinator orders messages and would otherwise apply (and acknowledge to its
     * writer) its own writes at once, even when it is the one cut off from the others, and
     * those writes would be lost when the majority's state wins at the heal. Every member acks
     * each foreign message once it delivered it; if the view changes first, the message is
     * dropped here like every other message of the old view (its writer gets EBUSY).
     */
    private void deliverData(Listener listener, MemberId sender, Address src, long stamp, long seq, byte[] body)
            throws InterruptedException {
        if (!sender.equals(self)) {
            listener.deliver(sender, body);
            byte[] ack = ByteBuffer.allocate(HEADER_BYTES).put(ACK).putLong(stamp).putLong(seq).array();
            JChannel ch = channel;
            sender(() -> ch.send(new BytesMessage(src, ack)));
            return;
        }
        int needed = deliveredViewSize / 2;
        synchronized (ackSignal) {
            while (acks.getOrDefault(seq, 0) < needed) {
                if (sendViewId != stamp || !running) {
                    acks.remove(seq);
                    log.debug("own message {} of view {} not acknowledged by a majority before the view changed", seq, stamp);
                    return;
                }
                ackSignal.wait(1000);
            }
        }
        acks.remove(seq);
        listener.deliver(sender, body);
    }

    /**
     * The dfsm relies on every member delivering one sequence per view. Without FLUSH, JGroups
     * may deliver a message sent in the old view after the new view at some members only, or a
     * message of the new view before this member installed it. So: drop messages stamped with an
     * older view (their sender gets ABORTED from its own dfsm), hold messages of a newer view
     * until it is installed here.
     */
    private void dispatchMessage(long stamp, Event deliver) throws InterruptedException {
        if (stamp == deliveredViewId) {
            deliver.run();
        } else if (stamp > deliveredViewId) {
            early.add(() -> dispatchMessage(stamp, deliver));
        } else {
            log.debug("dropped a message of view {} in view {}", stamp, deliveredViewId);
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

    @Override
    public boolean multicast(byte[] message) {
        JChannel ch = channel;
        if (ch == null || !ch.isConnected()) {
            return false;
        }
        byte[] stamped = ByteBuffer.allocate(HEADER_BYTES + message.length).put(DATA).putLong(sendViewId)
                .putLong(sendSeq.incrementAndGet()).put(message).array();
        // JChannel.send can block until the next view (SEQUENCER waits for an unreachable
        // coordinator): send from one thread of our own, in order, so callers keep their own
        // time limits and never hold each other up
        return sender(() -> ch.send(new BytesMessage(null, stamped)));
    }

    /** A send on the sender thread; false if too many are waiting. */
    private boolean sender(SendAction action) {
        try {
            sender.execute(() -> {
                try {
                    action.send();
                } catch (Exception e) {
                    log.warn("send failed: {}", e.toString());
                }
            });
            return true;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.warn("send refused: {} messages waiting to be sent", SEND_QUEUE);
            return false;
        }
    }

    private interface SendAction {
        void send() throws Exception;
    }

    @Override
    public void leave() {
        running = false;
        sender.shutdownNow();
        if (channel != null) {
            channel.close();
        }
        if (dispatcher != null) {
            dispatcher.interrupt();
        }
    }

    /** The protocol stack, bottom first. */
    private List<Protocol> stack() throws Exception {
        long token = config.token().toMillis();
        List<Protocol> p = new ArrayList<>();
        TCP tcp = new TCP();
        tcp.setBindAddress(config.bind().getAddress());
        tcp.setBindPort(config.bind().getPort());
        tcp.setPortRange(0);
        tcp.setSockConnTimeout(300);
        // small messages (acks, one-chunk writes) must not wait for Nagle and delayed TCP acks
        tcp.tcpNodelay(true);
        p.add(tcp);
        if (partition != null) {
            p.add(partition);
        }
        p.add(new TCPPING().setInitialHosts(config.peers()).setPortRange(0));
        p.add(new MERGE3().setMinInterval(1000).setMaxInterval(3000));
        // on the ring address: unset, it listens on every interface, and all nodes on one host share one port range
        p.add(new FD_SOCK2().setBindAddress(config.bind().getAddress()));
        p.add(new FD_ALL3().setTimeout(token).setInterval(Math.max(100, token / 3)));
        p.add(new VERIFY_SUSPECT2().setTimeout(500));
        p.add(new BARRIER());
        if (config.authKey() != null) {
            SYM_ENCRYPT enc = new SYM_ENCRYPT();
            enc.symAlgorithm("AES/CBC/PKCS5Padding").symIvLength(16);
            enc.setSecretKey(new SecretKeySpec(deriveKey(config.authKey()), "AES"));
            p.add(enc);
        }
        p.add(new NAKACK2().setXmitInterval(200));
        p.add(new UNICAST3());
        p.add(new STABLE().setDesiredAverageGossip(5000).setMaxBytes(4 << 20));
        p.add(new GMS().setJoinTimeout(2000).setMaxJoinAttempts(3).printLocalAddress(false));
        // no MFC: SEQUENCER + MFC deadlocks under load (java-stack-notes 3); UFC still pushes back
        p.add(new UFC());
        p.add(new SEQUENCER());
        p.add(new FRAG2());
        return p;
    }

    /** AES-256 key from the authkey: only holders of the same 256-byte file get the same key. */
    static byte[] deriveKey(byte[] authKey) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update("pmxcfs-java group key v1".getBytes(StandardCharsets.US_ASCII));
            md.update(authKey);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
