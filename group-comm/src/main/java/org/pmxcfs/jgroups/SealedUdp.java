package org.pmxcfs.jgroups;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.UDP;
import org.slf4j.LoggerFactory;

/**
 * The cluster transport: JGroups' {@link UDP} without IP multicast (a datagram to each member,
 * as knet sends), every datagram sealed with {@link DatagramSeal}.
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
 */
public final class SealedUdp extends UDP {

    private final DatagramSeal seal;
    private final ThreadLocal<byte[]> opened = ThreadLocal.withInitial(() -> new byte[66_000]);
    private DropLog drops;

    public SealedUdp(DatagramSeal seal) {
        this.seal = seal;
        ipMcast(false);
        // headers are looked up by protocol id: the subclass speaks as UDP
        setId(ClassConfigurator.getProtocolId(UDP.class));
    }

    @Override
    public void start() throws Exception {
        super.start();
        drops = new DropLog(LoggerFactory.getLogger("cpg"),
                "datagrams that failed authentication on " + getPhysicalAddress());
        getTimer().scheduleWithFixedDelay(drops::flush, 60, 60, TimeUnit.SECONDS, false);
    }

    /** Nothing is multicast, so the multicast interface does not matter (127.0.0.k has none of its own). */
    @Override
    @SuppressWarnings("unchecked")
    protected <T extends UDP> T setNetworkInterface(InetAddress addr, java.net.MulticastSocket s) {
        return (T) this;
    }

    @Override
    protected void _send(InetAddress dest, int port, byte[] data, int offset, int length) throws Exception {
        byte[] sealed = seal.seal(data, offset, length);
        super._send(dest, port, sealed, 0, sealed.length);
    }

    @Override
    public void receive(Address sender, byte[] data, int offset, int length) {
        byte[] plain = opened.get();
        int n = seal.open(data, offset, length, plain);
        if (n < 0) {
            DropLog d = drops;
            if (d != null) {
                d.record(String.valueOf(sender));
            }
            return;
        }
        super.receive(sender, plain, 0, n);
    }
}
