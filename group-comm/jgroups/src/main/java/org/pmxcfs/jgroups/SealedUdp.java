package org.pmxcfs.jgroups;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.NoBundler;
import org.jgroups.protocols.UDP;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.stack.IpAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster transport: JGroups' {@link UDP} without IP multicast (a datagram to each member,
 * as knet sends), every datagram sealed with {@link DatagramSeal}, over up to eight links.
 *
 * <p>Why datagrams: a send never waits for one peer. Over TCP, one silently cut-off peer (link
 * down, no socket closed) filled its kernel send queue, the sender blocked in the socket write
 * and the group's timer blocked behind it, so failure detection never ran and the majority
 * stopped writing for as long as the cut lasted. A datagram to a lost peer is simply lost, and
 * NAKACK2/UNICAST3 retransmit to peers that are still there.
 *
 * <p>Why sealed: nothing from a sender without the cluster key reaches JGroups' parser, so a
 * stranger's datagram costs one tag check in a fixed receive buffer; it can neither make a
 * node allocate what a forged header declares nor fill the log (see {@link DropLog}).
 *
 * <p>Links (corosync's {@code ringX_addr}, knet): JGroups knows each member by its link 0
 * address; with more links, this node also listens on its address of every other link, pings
 * every peer on every link (the pings tell which links are up, {@link LinkTable}), and sends
 * each datagram on the link(s) {@link LinkTable#route} picks. Losing one link of several is then
 * no membership change: traffic moves to the next link within a few pings, and what was lost
 * meanwhile is retransmitted. Duplicates (active mode) are dropped by NAKACK2/UNICAST3.
 */
public final class SealedUdp extends UDP {

    private static final Logger knet = LoggerFactory.getLogger("knet");
    /**
     * (node, link) → the state last logged, shared by the groups of this process: both see the
     * same links go down and up, and the admin wants one line per change, as knet writes.
     */
    private static final Map<Long, Boolean> LOGGED = new java.util.concurrent.ConcurrentHashMap<>();

    /** The header of VERIFY_SUSPECT2's questions and answers, which go out on every link. */
    private static final short CHECK_ID = ClassConfigurator.getProtocolId(VERIFY_SUSPECT2.class);

    private final DatagramSeal seal;
    /**
     * True while this thread sends a suspect check. The transport runs without a bundler, so
     * the datagram leaves in the thread that sent the message.
     */
    private final ThreadLocal<Boolean> everyLink = ThreadLocal.withInitial(() -> false);
    private final ThreadLocal<byte[]> opened = ThreadLocal.withInitial(() -> new byte[66_000]);
    private final Links links;
    private final int self;
    private final int port;
    private final long pingMillis;
    private final LinkTable table;
    /** Every node's (address, port) on every link → its node id. */
    private final Map<InetSocketAddress, Integer> nodeAt = new HashMap<>();
    /** Link number → this node's socket on it, for links other than 0 (link 0 is UDP's own socket). */
    private final Map<Integer, DatagramSocket> linkSockets = new TreeMap<>();
    private final List<Thread> receivers = new ArrayList<>();
    private DropLog drops;

    /** One link: link 0 only, no pings. */
    public SealedUdp(DatagramSeal seal) {
        this(seal, null, 0, 0, 0);
    }

    /**
     * @param links      the links of the group, or null for link 0 only
     * @param self       this node's id
     * @param port       the group's port (the same on every node and link)
     * @param pingMillis how often every link to every peer is pinged; a link is down after three
     *                   pings were missed
     */
    public SealedUdp(DatagramSeal seal, Links links, int self, int port, long pingMillis) {
        this.seal = seal;
        this.links = links != null && links.redundant() ? links : null;
        this.self = self;
        this.port = port;
        this.pingMillis = pingMillis;
        this.table = this.links == null ? null
                : new LinkTable(this.links, self, TimeUnit.MILLISECONDS.toNanos(3 * pingMillis + pingMillis / 2));
        if (this.links != null) {
            this.links.nodes().forEach((id, l) -> l.values().forEach(a -> nodeAt.put(new InetSocketAddress(a, port), id)));
        }
        ipMcast(false);
        // headers are looked up by protocol id: the subclass speaks as UDP
        setId(ClassConfigurator.getProtocolId(UDP.class));
    }

    /**
     * Refuses a bundler with several links: a bundler sends from a thread of its own, where
     * {@link #everyLink} is unset, so suspect checks would silently go out on one link only.
     */
    @Override
    public void init() throws Exception {
        super.init();
        if (links != null && !(getBundler() instanceof NoBundler)) {
            throw new IllegalStateException("with several links the transport must run without a bundler"
                    + " (suspect checks go out on every link from the sending thread), not " + getBundlerClass());
        }
    }

    @Override
    public void start() throws Exception {
        super.start();
        drops = new DropLog(LoggerFactory.getLogger("cpg"),
                "datagrams that failed authentication on " + getPhysicalAddress());
        getTimer().scheduleWithFixedDelay(drops::flush, 60, 60, TimeUnit.SECONDS, false);
        if (links != null) {
            openLinks();
            getTimer().scheduleWithFixedDelay(this::pingAndExpire, pingMillis, pingMillis, TimeUnit.MILLISECONDS, false);
        }
    }

    @Override
    public void stop() {
        super.stop();
        linkSockets.values().forEach(DatagramSocket::close);
        for (Thread t : receivers) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void openLinks() throws SocketException {
        SortedMap<Integer, InetAddress> mine = links.nodes().get(self);
        for (Map.Entry<Integer, InetAddress> e : mine.entrySet()) {
            int link = e.getKey();
            if (link == 0) {
                continue;
            }
            DatagramSocket s = new DatagramSocket(new InetSocketAddress(e.getValue(), port));
            s.setReceiveBufferSize(4 << 20);
            linkSockets.put(link, s);
            Thread t = new Thread(() -> receiveLoop(link, s), "knet-" + link + "-" + port);
            t.setDaemon(true);
            receivers.add(t);
            t.start();
        }
    }

    private void receiveLoop(int link, DatagramSocket s) {
        byte[] buf = new byte[66_000];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!s.isClosed()) {
            try {
                p.setLength(buf.length);
                s.receive(p);
                received(link, new IpAddress(p.getAddress(), p.getPort()), buf, p.getOffset(), p.getLength());
            } catch (IOException e) {
                if (!s.isClosed()) {
                    knet.debug("link {}: receive failed: {}", link, e.toString());
                }
            }
        }
    }

    /** Pings every peer on every link both have; links whose pings stopped go down. */
    private void pingAndExpire() {
        // the same sealed ping for every peer and link (the link is the socket it arrives on)
        byte[] self4 = ByteBuffer.allocate(4).putInt(self).array();
        byte[] ping = seal.seal(DatagramSeal.PING, self4, 0, self4.length);
        for (int node : links.nodes().keySet()) {
            if (node == self) {
                continue;
            }
            for (int link : links.linksOf(node)) {
                if (links.nodes().get(self).containsKey(link)) {
                    sendOn(link, node, ping);
                }
            }
        }
        for (LinkTable.Change c : table.expire(System.nanoTime())) {
            logChange(c);
        }
    }

    /** Nothing is multicast, so the multicast interface does not matter (127.0.0.k has none of its own). */
    @Override
    @SuppressWarnings("unchecked")
    protected <T extends UDP> T setNetworkInterface(InetAddress addr, java.net.MulticastSocket s) {
        return (T) this;
    }

    /**
     * A suspect check (and its answer) goes out on every link this node shares with the peer: on
     * the route's link alone, a check sent while that link is lost but not yet known lost would
     * be lost too, so the check would have to outlast a link failover, which delays every real
     * failure by as much.
     */
    @Override
    public Object down(Message msg) {
        if (table == null || msg.getHeader(CHECK_ID) == null) {
            return super.down(msg);
        }
        everyLink.set(true);
        try {
            return super.down(msg);
        } finally {
            everyLink.set(false);
        }
    }

    @Override
    protected void _send(InetAddress dest, int destPort, byte[] data, int offset, int length) throws Exception {
        byte[] sealed = seal.seal(data, offset, length);
        Integer node = links == null || destPort != port ? null : nodeAt.get(new InetSocketAddress(dest, destPort));
        if (node == null) {
            super._send(dest, destPort, sealed, 0, sealed.length);
            return;
        }
        for (int link : everyLink.get() ? table.common(node) : table.route(node)) {
            sendOn(link, node, sealed);
        }
    }

    private void sendOn(int link, int node, byte[] sealed) {
        InetAddress to = links.nodes().get(node).get(link);
        try {
            if (link == 0) {
                super._send(to, port, sealed, 0, sealed.length);
            } else {
                linkSockets.get(link).send(new DatagramPacket(sealed, sealed.length, to, port));
            }
        } catch (Exception e) {
            knet.debug("link {} to host {}: send failed: {}", link, node, e.toString());
        }
    }

    @Override
    public void receive(Address sender, byte[] data, int offset, int length) {
        received(0, sender, data, offset, length);
    }

    private void received(int link, Address sender, byte[] data, int offset, int length) {
        byte[] plain = opened.get();
        int n = seal.open(data, offset, length, plain);
        if (n < 0) {
            DropLog d = drops;
            if (d != null) {
                d.record(String.valueOf(sender));
            }
            return;
        }
        if (data[offset] == DatagramSeal.PING) {
            if (table != null && n == 4) {
                LinkTable.Change c = table.heard(ByteBuffer.wrap(plain, 0, 4).getInt(), link, System.nanoTime());
                if (c != null) {
                    logChange(c);
                }
            }
            return;
        }
        if (link != 0 && sender instanceof IpAddress ip) {
            // JGroups knows members by their link 0 address
            Integer node = nodeAt.get(new InetSocketAddress(ip.getIpAddress(), ip.getPort()));
            if (node != null) {
                sender = new IpAddress(links.nodes().get(node).get(0), port);
            }
        }
        super.receive(sender, plain, 0, n);
    }

    private static void logChange(LinkTable.Change c) {
        Boolean before = LOGGED.put(((long) c.node() << 8) | c.link(), c.up());
        if (before == null || before != c.up()) {
            if (c.up()) {
                knet.info("link: host: {} link: {} is up", c.node(), c.link());
            } else {
                knet.warn("link: host: {} link: {} is down", c.node(), c.link());
            }
        }
    }

    /** Node id → link number → up, as the pings tell; empty with one link. */
    Map<Integer, Map<Integer, Boolean>> linkStatus() {
        Map<Integer, Map<Integer, Boolean>> out = new TreeMap<>();
        if (links == null) {
            return out;
        }
        for (int node : links.nodes().keySet()) {
            if (node != self) {
                Map<Integer, Boolean> l = new TreeMap<>();
                for (int link : links.linksOf(node)) {
                    l.put(link, table.up(node, link));
                }
                out.put(node, l);
            }
        }
        return out;
    }
}
