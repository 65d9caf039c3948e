package org.pmxcfs.qdevice;

/**
 * {@code quorum.device.net.tie_breaker}: which half wins an even split, by the node id it
 * contains ({@code tlv_tie_breaker}).
 *
 * @param mode   1 lowest node id, 2 highest node id, 3 the given node id
 * @param nodeId the node id for mode 3, else 0
 */
public record TieBreaker(int mode, long nodeId) {

    public static final TieBreaker LOWEST = new TieBreaker(1, 0);
    public static final TieBreaker HIGHEST = new TieBreaker(2, 0);

    /** {@code lowest}, {@code highest} or a node id, as qdevice accepts them. */
    public static TieBreaker parse(String text) {
        switch (text) {
            case "lowest":
                return LOWEST;
            case "highest":
                return HIGHEST;
            default:
                try {
                    long id = Long.parseLong(text);
                    if (id >= 1 && id <= 0xffffffffL) {
                        return new TieBreaker(3, id);
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
                throw new IllegalArgumentException("quorum.device.net.tie_breaker '" + text
                        + "' is invalid - use lowest, highest or a node id");
        }
    }

    /** The node id as sent: only mode 3 carries one. */
    long wireNodeId() {
        return mode == 3 ? nodeId : 0;
    }
}
