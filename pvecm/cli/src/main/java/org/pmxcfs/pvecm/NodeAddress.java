package org.pmxcfs.pvecm;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A node's IP address the way the Perl tools find it: {@code PVE::Cluster::remote_node_ip} (the
 * IP the node announced, from {@code .members}) falling back to
 * {@code PVE::Network::get_ip_from_hostname} (the first non-loopback address the name resolves
 * to).
 */
public final class NodeAddress {

    private NodeAddress() {
    }

    /** A name lookup gave no usable address; the message is the original's. */
    public static final class LookupException extends Exception {
        private static final long serialVersionUID = 1L;

        LookupException(String message) {
            super(message);
        }
    }

    /**
     * {@code get_ip_from_hostname}: the first address of {@code hostname} that is not
     * {@code 127.*} or {@code ::1}.
     *
     * @throws LookupException {@code hostname lookup '<h>' failed - ...} if it does not resolve
     *                         or only to loopback addresses
     */
    public static String resolveNonLoopback(String hostname) throws LookupException {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(hostname);
        } catch (UnknownHostException e) {
            throw new LookupException("hostname lookup '" + hostname + "' failed - failed to get address info for: "
                    + e.getMessage());
        }
        for (InetAddress a : all) {
            String ip = a.getHostAddress();
            if (!a.isLoopbackAddress() && !ip.startsWith("127.")) {
                return ip;
            }
        }
        throw new LookupException("hostname lookup '" + hostname + "' failed - got local IP address '"
                + (all.length > 0 ? all[0].getHostAddress() : "") + "'");
    }

    /**
     * {@code remote_node_ip}: the {@code ip} of {@code node} in the {@code .members} data if the
     * node announced one (cluster mode), else {@link #resolveNonLoopback}.
     */
    public static String remoteNodeIp(Cfs cfs, String node) throws LookupException, IOException {
        JsonNode ip = cfs.clusterInfo().path("nodelist").path(node).path("ip");
        if (ip.isTextual() && !ip.asText().isEmpty()) {
            return ip.asText();
        }
        return resolveNonLoopback(node);
    }
}
