package org.pmxcfs.jgroups;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.BARRIER;
import org.jgroups.protocols.FRAG2;
import org.jgroups.protocols.MERGE3;
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
import org.pmxcfs.dfsm.RawGroup;
import org.pmxcfs.dfsm.ViewStamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RawGroup} on a JGroups channel configured for corosync semantics: datagrams, static
 * discovery from the nodelist, total order through SEQUENCER, failure detection from the token
 * timeout, partition merge, and every datagram sealed with a key derived from the
 * cluster authkey, so a process without the key can neither join nor inject. The stack and the
 * reasons for each choice are in docs/ARCHITECTURE.md. The dfsm runs on it through
 * {@link org.pmxcfs.dfsm.ViewSyncedDelivery}, which adds view stamps and acks.
 *
 * <p>Dispatched tasks run on one dispatcher thread per join, in the order they were handed over.
 */
public final class JGroupsTransport implements RawGroup {

    private static final Logger log = LoggerFactory.getLogger("cpg");
    static final String KEY_NODEID = "nodeid";
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

    /** The nodelist's nodes: the static discovery contacts every one of them. */
    @Override
    public int configuredNodes() {
        return config.peers().size();
    }

    /**
     * Joins with a new channel. Everything tied to a membership (the dispatcher, the sender,
     * the members' addresses) belongs to that channel, so a dfsm that left after an error
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

    @Override
    public boolean unicast(MemberId to, byte[] message) {
        Connection c = connection;
        return c != null && c.unicast(to, message);
    }

    @Override
    public void dispatch(Runnable task) {
        Connection c = connection;
        if (c != null) {
            c.events.add(task);
        }
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
        return c == null ? 0 : Math.max(0, c.viewNumber);
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

    private interface SendAction {
        void send() throws Exception;
    }

    /** One join: a channel, the thread that runs the dispatched tasks, and the one that sends. */
    private final class Connection {
        private static final int SEND_QUEUE = 10_000;

        private final Listener listener;
        private final JChannel channel;
        private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
        private final Thread dispatcher;
        private final ExecutorService sender;
        private volatile boolean running = true;
        private volatile long viewNumber = -1;
        /** The members of the installed view by their channel address, for unicasts. */
        private volatile Map<MemberId, Address> addresses = Map.of();

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
            if (sender != null) {
                listener.received(sender, Arrays.copyOfRange(msg.getArray(), msg.getOffset(),
                        msg.getOffset() + msg.getLength()));
            }
        }

        private void onView(View view) {
            List<MemberId> members = new ArrayList<>();
            Map<MemberId, Address> byMember = new HashMap<>();
            for (Address a : view.getMembers()) {
                MemberId m = memberOf(a);
                if (m != null) {
                    members.add(m);
                    byMember.put(m, a);
                }
            }
            members.sort(null);
            addresses = Map.copyOf(byMember);
            viewNumber = view.getViewId().getId();
            listener.viewInstalled(stampOf(view), members);
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

        boolean multicast(byte[] message) {
            if (!running || !channel.isConnected()) {
                return false;
            }
            // JChannel.send can block until the next view (SEQUENCER waits for an unreachable
            // coordinator): send from one thread of our own, in order, so callers keep their own
            // time limits and never hold each other up
            return send(() -> channel.send(new BytesMessage(null, message)));
        }

        boolean unicast(MemberId to, byte[] message) {
            Address a = addresses.get(to);
            if (!running || a == null) {
                return false;
            }
            // acks need no order and no flow control: out of band, straight to the waiting sender
            return send(() -> channel.send(new BytesMessage(a, message).setFlag(Message.Flag.OOB, Message.Flag.NO_FC)));
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
     * JGroups' view id as stamped on messages: the number, and a fingerprint of the creator's
     * address (the two sides of a partition number their views independently).
     */
    static ViewStamp stampOf(View view) {
        Address c = view.getViewId().getCreator();
        long creator = c instanceof org.jgroups.util.UUID u ? u.getMostSignificantBits() ^ u.getLeastSignificantBits()
                : c == null ? 0 : c.hashCode();
        return new ViewStamp(view.getViewId().getId(), creator);
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
        long token = config.timings().token().toMillis();
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
        // views are compared every 1.6 × max interval (1.2 s at 3 nodes): a healed partition
        // merges within about that. Without IP multicast each round asks every node of the
        // nodelist, so its traffic grows with the square of the nodes; the interval grows with
        // the token, as corosync's own time to re-form the ring does (docs/BENCHMARKS.md, scale)
        p.add(new MERGE3().setMinInterval(250).setMaxInterval(Math.max(750, token / 4)));
        // on the ring address: unset, it listens on every interface, and all nodes on one host
        // share one port range. Its TCP connection runs on link 0 only, also with several links:
        // a silent loss of link 0 closes no socket, so it suspects nobody; what it does suspect
        // (a connection refused or timed out on link 0) goes to the check below, whose question
        // travels on the links that are up. A killed process is then noticed when its socket
        // closes, not a third of the token later
        p.add(new BoundedFdSock((int) heartbeat).setBindAddress(config.bind().getAddress()));
        p.add(new HeartbeatFd().setTimeout(suspectAfter).setInterval(heartbeat));
        // the second opinion: a suspect that answers within the timeout stays. It only runs after
        // four heartbeats in a row went missing, and its check loop runs once per timeout, so a
        // suspicion waits between one and two timeouts here: half a heartbeat (up to a third of
        // the time from a silent cut to the new view was this wait at one heartbeat). With several
        // links the check goes out on all of them (SealedUdp), so it need not outlast a failover
        p.add(new VERIFY_SUSPECT2().setTimeout(Math.max(50, heartbeat / 2)));
        SuspectLog suspectLog = new SuspectLog(JGroupsTransport::memberOf);
        this.suspects = suspectLog;
        p.add(suspectLog);
        p.add(new BARRIER());
        p.add(new NAKACK2().setXmitInterval(100).useMcastXmit(false));
        p.add(new UNICAST3().setXmitInterval(100));
        p.add(new STABLE().setDesiredAverageGossip(5000).setMaxBytes(4 << 20));
        // a coordinator waits for every member's ack of a view before it handles the next change;
        // with JGroups' 2 s, a coordinator cut off from both others spent 2 s in the view without
        // the first of them before it could drop the second (and go read-only); one heartbeat
        // is enough for a member that is there. A merge waits for the other side's coordinators
        // as corosync's consensus waits for the members' agreement, scaled as the token is
        GMS gms = new GMS().setJoinTimeout(config.timings().joinTimeout().toMillis()).setMaxJoinAttempts(3).setViewAckCollectionTimeout(heartbeat)
                .printLocalAddress(false);
        gms.setMergeTimeout(Math.max(500, config.timings().consensus().toMillis() / 3));
        p.add(gms);
        // no MFC: SEQUENCER + MFC deadlocks under load (java-stack-notes 3); UFC still pushes back
        p.add(new UFC());
        p.add(new ViewFirstSequencer());
        p.add(new FRAG2());
        return p;
    }
}
