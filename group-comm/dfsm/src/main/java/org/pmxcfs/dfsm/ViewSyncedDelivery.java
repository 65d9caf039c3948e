package org.pmxcfs.dfsm;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Transport} guarantees the dfsm relies on, built on a {@link RawGroup}: one sequence
 * of messages per view, and no own message delivered before enough members have it.
 * Real clusters run it on JGroups, the simulation on its seeded network: both exercise this
 * class.
 *
 * <ul>
 *   <li>Every message is stamped with the sender's view. Without FLUSH, a message sent in the
 *       old view may arrive after the new view at some members only, or a message of the new
 *       view before this member installed it. So messages of any view but the one delivered
 *       here are dropped (their senders' dfsm resolves them after the next sync), and messages
 *       of a later view are held until it is installed here.</li>
 *   <li>Each member acks every foreign message it delivered (unicast, out of band), and
 *       delivers its own message only once a majority of the view has acked it, and at least
 *       half the configured nodes (rounded up) hold it: the JGroups coordinator orders messages
 *       and would otherwise apply (and acknowledge to its writer) its own writes at once, even
 *       when it is the one cut off, and those writes would be lost when the majority's state
 *       wins at the heal; and two of a five-node cluster's view of three may be all that hold a
 *       write, and the other three a quorate view without it (the simulation found this).
 *       Without the number of nodes, every member of the view must have it. Everything after
 *       an own message waits with it.</li>
 *   <li>If the view changes before enough members acked, the own message is given up, and
 *       nothing more of that view is delivered here: the others may have delivered the message,
 *       and a sequence with a hole where it was would break the dfsm's protocol (an UPDATE after
 *       a STATE never seen). The next view's sync makes everyone agree again.</li>
 * </ul>
 *
 * <p>Everything tied to a membership (stamps, acks, held messages) belongs to one join.
 */
public final class ViewSyncedDelivery implements Transport {

    private static final Logger log = LoggerFactory.getLogger("cpg");
    /** Every message: kind (u8), the sender's view ({@link ViewStamp}), the sender's message number (u64). */
    static final int HEADER_BYTES = 1 + ViewStamp.BYTES + 8;
    private static final byte DATA = 1;
    private static final byte ACK = 2;

    private final RawGroup group;
    /** The current join; null before the first and after leave. */
    private volatile Session session;

    public ViewSyncedDelivery(RawGroup group) {
        this.group = Objects.requireNonNull(group);
    }

    @Override
    public MemberId self() {
        return group.self();
    }

    @Override
    public synchronized void join(Listener listener) throws Exception {
        if (session != null) {
            throw new IllegalStateException("already joined");
        }
        Session s = new Session(Objects.requireNonNull(listener));
        session = s;
        try {
            group.join(s);
        } catch (Exception e) {
            session = null;
            s.running = false;
            group.leave();
            throw e;
        }
    }

    @Override
    public boolean multicast(byte[] message) {
        Session s = session;
        return s != null && s.multicast(message);
    }

    @Override
    public synchronized void leave() {
        Session s = session;
        session = null;
        if (s != null) {
            s.running = false;
            group.leave();
        }
    }

    /** Acks counted for one of our own messages, sent in {@code view}. */
    private record Acks(ViewStamp view, Set<MemberId> from) {
        Acks(ViewStamp view) {
            this(view, ConcurrentHashMap.newKeySet());
        }
    }

    /** What waits on the delivery thread: a view or a message, in arrival order. */
    private sealed interface Event {}

    private record ViewEvent(ViewStamp view, List<MemberId> members) implements Event {}

    private record Data(MemberId sender, ViewStamp view, long seq, byte[] body) implements Event {}

    /** One join. Fields marked "delivery thread" are only touched by dispatched tasks. */
    private final class Session implements RawGroup.Listener {
        private final Listener listener;
        private volatile boolean running = true;
        /** The view installed by the group, stamped on every message sent. */
        private volatile ViewStamp sendView = ViewStamp.NONE;
        private final AtomicLong sendSeq = new AtomicLong();
        /**
         * Our own messages of the current view not yet delivered here, by message number.
         * Entered when sent, left when delivered or when the view changes; late acks find
         * nothing and are ignored.
         */
        private final ConcurrentHashMap<Long, Acks> acks = new ConcurrentHashMap<>();
        /** Delivery thread: what arrived and was not handled yet (behind an own message waiting for acks). */
        private final ArrayDeque<Event> backlog = new ArrayDeque<>();
        /** Delivery thread: messages stamped with a later view than the one delivered. */
        private final List<Event> early = new ArrayList<>();
        /** Delivery thread: the view delivered last, and its size. */
        private ViewStamp deliveredView = ViewStamp.NONE;
        private int deliveredViewSize = 1;
        /** Delivery thread: a view in which we gave up one of our own messages (see the class comment). */
        private ViewStamp abandonedView = ViewStamp.NONE;

        Session(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void viewInstalled(ViewStamp view, List<MemberId> members) {
            List<MemberId> sorted = new ArrayList<>(members);
            sorted.sort(null);
            sendView = view;
            acks.values().removeIf(a -> !a.view().equals(view)); // their messages are dropped everywhere
            group.dispatch(() -> arrived(new ViewEvent(view, List.copyOf(sorted))));
        }

        @Override
        public void received(MemberId sender, byte[] message) {
            if (message.length < HEADER_BYTES) {
                return;
            }
            ByteBuffer b = ByteBuffer.wrap(message);
            byte kind = b.get();
            ViewStamp view = ViewStamp.read(b);
            long seq = b.getLong();
            if (kind == ACK) {
                Acks a = acks.get(seq);
                if (a != null && a.view().equals(view)) {
                    a.from().add(sender);
                    group.dispatch(this::pump); // an own message may be waiting for this ack
                }
            } else if (kind == DATA) {
                byte[] body = new byte[b.remaining()];
                b.get(body);
                group.dispatch(() -> arrived(new Data(sender, view, seq, body)));
            }
        }

        boolean multicast(byte[] message) {
            if (!running) {
                return false;
            }
            ViewStamp view = sendView;
            long seq = sendSeq.incrementAndGet();
            ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + message.length).put(DATA);
            view.write(b);
            byte[] stamped = b.putLong(seq).put(message).array();
            acks.put(seq, new Acks(view));
            return group.multicast(stamped);
        }

        private void arrived(Event e) {
            backlog.addLast(e);
            pump();
        }

        /** Handles the backlog in order until it is empty or an own message waits for acks. */
        private void pump() {
            Event e;
            while (running && (e = backlog.peekFirst()) != null) {
                if (e instanceof Data d && waitsForAcks(d)) {
                    return;
                }
                backlog.removeFirst();
                if (e instanceof ViewEvent v) {
                    install(v);
                } else {
                    filter((Data) e);
                }
            }
        }

        private void install(ViewEvent v) {
            deliveredView = v.view();
            deliveredViewSize = v.members().size();
            listener.viewChanged(v.members());
            // the held messages of this view come next, before anything that arrived after the view
            for (int i = early.size() - 1; i >= 0; i--) {
                backlog.addFirst(early.get(i));
            }
            early.clear();
        }

        /** Delivers a message of the view delivered here; holds one of a later view; drops the rest. */
        private void filter(Data d) {
            if (d.view().equals(deliveredView) && !d.view().equals(abandonedView)) {
                deliver(d);
            } else if (d.view().id() > deliveredView.id()) {
                early.add(d);
            } else {
                log.debug("dropped a message of view {} in view {}", d.view(), deliveredView);
            }
        }

        /**
         * Whether {@code d}, first in line, is our own message of the delivered view and still
         * waits for acks. Gives it up (and its view: see the class comment) once
         * the view changed under it.
         */
        private boolean waitsForAcks(Data d) {
            if (!d.sender().equals(group.self()) || !d.view().equals(deliveredView) || d.view().equals(abandonedView)) {
                return false;
            }
            Acks a = acks.get(d.seq());
            if (a != null && a.from().size() >= acksNeeded()) {
                return false;
            }
            if (a != null && sendView.equals(d.view())) {
                return true;
            }
            acks.remove(d.seq());
            abandonedView = d.view();
            log.debug("own message {} of view {} not acknowledged by enough members before the view changed", d.seq(),
                    d.view());
            return false;
        }

        /**
         * Acks from others before our own message is delivered: a majority of the view, and at
         * least half the configured nodes (rounded up) must hold it, so that every view with a
         * majority of the nodes has a member holding it; the whole view if the nodes are not
         * known.
         */
        private int acksNeeded() {
            int nodes = group.configuredNodes();
            if (nodes <= 0) {
                return deliveredViewSize - 1;
            }
            return Math.min(deliveredViewSize - 1, Math.max(deliveredViewSize / 2, (nodes + 1) / 2 - 1));
        }

        private void deliver(Data d) {
            if (d.sender().equals(group.self())) {
                acks.remove(d.seq());
                listener.deliver(d.sender(), d.body());
                return;
            }
            listener.deliver(d.sender(), d.body());
            ByteBuffer ack = ByteBuffer.allocate(HEADER_BYTES).put(ACK);
            d.view().write(ack);
            group.unicast(d.sender(), ack.putLong(d.seq()).array());
        }
    }
}
