package org.pmxcfs.corosync;

import java.util.Objects;

/**
 * One {@code --linkN} argument of pvecm: {@code [address=]<IP>[,priority=<0-255>]}.
 *
 * @param address  the node's address on this link (written as {@code ringN_addr})
 * @param priority knet link priority, 0..255, default 0; written as {@code knet_link_priority}
 *                 only when non-zero, and only honoured by {@code pvecm create}
 */
public record CorosyncLink(String address, int priority) {

    public CorosyncLink {
        Objects.requireNonNull(address, "address");
        if (priority < 0 || priority > 255) {
            throw new IllegalArgumentException("priority: value must be 0..255, got " + priority);
        }
    }

    /** A link with the default priority 0. */
    public static CorosyncLink of(String address) {
        return new CorosyncLink(address, 0);
    }
}
