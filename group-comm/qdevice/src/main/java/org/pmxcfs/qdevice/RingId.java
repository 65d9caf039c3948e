package org.pmxcfs.qdevice;

/**
 * A membership's identity as qnetd compares them ({@code tlv_ring_id}): every member of one
 * partition reports the same one, and a new membership gets a new one.
 *
 * @param nodeId the representative node id
 * @param seq    the membership's sequence number
 */
public record RingId(long nodeId, long seq) {

    /** corosync's text form, {@code <nodeid hex>.<seq hex>}. */
    @Override
    public String toString() {
        return Long.toHexString(nodeId) + "." + Long.toHexString(seq);
    }
}
