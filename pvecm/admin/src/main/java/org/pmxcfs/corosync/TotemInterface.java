package org.pmxcfs.corosync;

import java.util.OptionalInt;

/**
 * A {@code totem.interface} block: one corosync (knet) link.
 *
 * @param linknumber       {@code linknumber} (or the old {@code ringnumber}), 0..7, default 0
 * @param knetLinkPriority {@code knet_link_priority} (0..255) if set; pvecm writes it only when
 *                         non-zero
 * @param line             1-based line of the block, 0 if not parsed
 */
public record TotemInterface(int linknumber, OptionalInt knetLinkPriority, int line) {

    public TotemInterface {
        if (linknumber < 0 || linknumber > NodeEntry.MAX_LINK) {
            throw new IllegalArgumentException("linknumber must be 0.." + NodeEntry.MAX_LINK + ", got " + linknumber);
        }
    }
}
