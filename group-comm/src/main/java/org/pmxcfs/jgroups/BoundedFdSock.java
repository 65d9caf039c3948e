package org.pmxcfs.jgroups;

import org.jgroups.blocks.cs.NioServer;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.FD_SOCK2;

/**
 * {@link FD_SOCK2} (a crashed process is noticed when the kernel closes its sockets) with a cap
 * on what one frame on its TCP port may declare (its own messages are a few hundred bytes, and
 * without the cap a stranger could make the node allocate whatever length a frame header names
 * before anything is authenticated), and with its outgoing connections bound to the ring
 * address.
 */
public final class BoundedFdSock extends FD_SOCK2 {

    static final int MAX_FRAME = 4096;

    public BoundedFdSock() {
        // headers are looked up by protocol id: the subclass speaks as FD_SOCK2
        setId(ClassConfigurator.getProtocolId(FD_SOCK2.class));
    }

    @Override
    protected NioServer createServer(int[] bindPorts) {
        NioServer server = super.createServer(bindPorts);
        server.setMaxLength(MAX_FRAME);
        // outgoing connections leave from the ring address too, as every cluster socket must:
        // address-based firewall rules and routing then see the node where it is configured
        server.clientBindAddress(getBindAddress());
        return server;
    }
}
