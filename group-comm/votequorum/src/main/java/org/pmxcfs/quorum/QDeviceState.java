package org.pmxcfs.quorum;

/** Where the quorum device (corosync-qdevice) stands as seen by this node. */
public enum QDeviceState {
    /** No device registered with votequorum (none configured, or corosync-qdevice not running). */
    NOT_REGISTERED,
    /** Registered, but not casting its vote (e.g. qnetd unreachable or the other partition won). */
    REGISTERED,
    /** Registered and casting its vote for this partition. */
    CASTING_VOTE
}
