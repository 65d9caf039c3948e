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

    /**
     * @param connectTimeoutMs how long a connection to the next member to watch may take. It is
     *        made while a new view travels up the stack, so the view waits for it: after a heal
     *        the first SYN to a peer whose address is not resolved yet is often lost, and with
     *        JGroups' 1 s default every member saw the merged view a second late. A connection
     *        that fails only makes the member suspect, which the next layer verifies.
     */
    public BoundedFdSock(int connectTimeoutMs) {
        // headers are looked up by protocol id: the subclass speaks as FD_SOCK2
        setId(ClassConfigurator.getProtocolId(FD_SOCK2.class));
        connect_timeout = connectTimeoutMs;
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
