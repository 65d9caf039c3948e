package org.pmxcfs.corosync;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * A {@code quorum.device} block (QDevice, reference section 4.7).
 *
 * @param model {@code model} ({@code net} for corosync-qnetd), if set
 * @param votes {@code votes}, if set; pvecm writes 1 for ffsplit and leaves it out for lms, where
 *              votequorum then gives the device (number of nodes - 1) votes
 * @param line  1-based line of the block
 */
public record QuorumDevice(Optional<String> model, OptionalInt votes, int line) {
}
