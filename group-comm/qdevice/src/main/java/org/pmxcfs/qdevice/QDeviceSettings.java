package org.pmxcfs.qdevice;

import java.util.Map;
import java.util.Optional;
import org.pmxcfs.corosync.QuorumDevice;

/**
 * The {@code quorum.device} settings the node side of a QDevice uses, with corosync-qdevice's
 * defaults ({@code qdevice-net-instance.c}, {@code qnet-config.h}).
 *
 * @param clusterName   {@code totem.cluster_name}: qnetd groups clients by it, and checks it
 *                      against the client certificate's CN
 * @param host          {@code net.host}
 * @param port          {@code net.port} (5403)
 * @param algorithm     {@code net.algorithm} (ffsplit)
 * @param tieBreaker    {@code net.tie_breaker} (lowest)
 * @param tls           {@code net.tls}: {@code on} (use TLS when the server offers it),
 *                      {@code off} or {@code required}
 * @param timeoutMs     {@code timeout} (10 s): the device's vote expires this long after its
 *                      last confirmation; echo requests go out every 0.8 × this
 */
public record QDeviceSettings(String clusterName, String host, int port, Algorithm algorithm,
                              TieBreaker tieBreaker, String tls, long timeoutMs) {

    public static final int DEFAULT_PORT = 5403;
    public static final long DEFAULT_TIMEOUT_MS = 10_000;

    /**
     * The settings of a {@code device} block with {@code model: net}.
     *
     * @throws IllegalArgumentException naming the key to fix
     */
    public static QDeviceSettings from(String clusterName, QuorumDevice device) {
        if (!device.model().map("net"::equals).orElse(false)) {
            throw new IllegalArgumentException("quorum.device.model must be 'net' (got '"
                    + device.model().orElse("") + "')");
        }
        Map<String, String> net = device.net();
        String host = Optional.ofNullable(net.get("host")).filter(h -> !h.isEmpty()).orElseThrow(
                () -> new IllegalArgumentException("quorum.device.net.host is missing - set the qnetd server's address"));
        int port = (int) number(net.get("port"), "quorum.device.net.port", DEFAULT_PORT, 1, 65535);
        Algorithm algorithm = Algorithm.parse(net.getOrDefault("algorithm", "ffsplit"));
        TieBreaker tb = TieBreaker.parse(net.getOrDefault("tie_breaker", "lowest"));
        String tls = net.getOrDefault("tls", "on");
        if (!tls.equals("on") && !tls.equals("off") && !tls.equals("required")) {
            throw new IllegalArgumentException("quorum.device.net.tls '" + tls + "' is invalid - use on, off or required");
        }
        long timeout = number(device.keys().get("timeout"), "quorum.device.timeout", DEFAULT_TIMEOUT_MS, 1000, 3_600_000);
        return new QDeviceSettings(clusterName, host, port, algorithm, tb, tls, timeout);
    }

    private static long number(String text, String key, long dflt, long min, long max) {
        if (text == null) {
            return dflt;
        }
        try {
            long v = Long.parseLong(text);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + " '" + text + "' must be a number from " + min + " to " + max);
    }

    /** Whether TLS is used with a server that offers it. */
    public boolean usesTls() {
        return !tls.equals("off");
    }

    /** Echo requests: 0.8 × timeout, at least 1 s, as qdevice. */
    public long heartbeatMs() {
        return Math.max(1000, timeoutMs * 8 / 10);
    }

    /** {@code tlv_tls_supported} of this client. */
    int tlsWire() {
        return switch (tls) {
            case "off" -> 0;
            case "required" -> 2;
            default -> 1;
        };
    }
}
