package org.pmxcfs.corosync;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A {@code quorum.device} block (QDevice, reference section 4.7).
 *
 * @param model {@code model} ({@code net} for corosync-qnetd), if set
 * @param votes {@code votes}, if set; pvecm writes 1 for ffsplit and leaves it out for lms, where
 *              votequorum then gives the device (number of nodes - 1) votes
 * @param keys  every key of the block itself (e.g. {@code timeout}), last one wins
 * @param net   every key of its {@code net} block ({@code host}, {@code algorithm},
 *              {@code tie_breaker}, {@code tls}, ...), empty without one
 * @param line  1-based line of the block
 */
public record QuorumDevice(Optional<String> model, OptionalInt votes, Map<String, String> keys,
                           Map<String, String> net, int line) {

    public QuorumDevice {
        keys = Map.copyOf(keys);
        net = Map.copyOf(net);
    }

    /** The same settings without the position in the file, to compare two files' devices. */
    public QuorumDevice withoutLine() {
        return new QuorumDevice(model, votes, keys, net, 0);
    }
}
