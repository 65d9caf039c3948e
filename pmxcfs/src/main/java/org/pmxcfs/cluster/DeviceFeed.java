package org.pmxcfs.cluster;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.pmxcfs.qdevice.QnetdClient;
import org.pmxcfs.status.KvStore;
import org.pmxcfs.status.StatusListener;

/**
 * Tells the QDevice about each new membership or quorum, and the other nodes about this node's
 * device flags (status key {@value #QDEVICE_KEY}, for their {@code pvecm status}). Called on one
 * thread (the cluster tick).
 */
final class DeviceFeed {

    /** Status key with a node's device flags ({@code A,V,NMW}). */
    static final String QDEVICE_KEY = "qdevice";

    private final QDeviceLink qdevice;
    private final Supplier<QnetdClient.Membership> membership;
    private final KvStore kv;
    private final StatusListener others;
    /** What the device was last told (ring, members, quorate) and the flags last published. */
    private List<Object> lastInput = List.of();
    private String lastFlags = "";

    /** @param membership the device's input now: ring id of the installed view, its members in the nodelist, quorate */
    DeviceFeed(QDeviceLink qdevice, Supplier<QnetdClient.Membership> membership, KvStore kv, StatusListener others) {
        this.qdevice = qdevice;
        this.membership = membership;
        this.kv = kv;
        this.others = others;
    }

    void tick() {
        QnetdClient.Membership m = membership.get();
        List<Object> input = List.of(m.ring(), m.members(), m.quorate());
        if (!input.equals(lastInput)) {
            lastInput = input;
            qdevice.update(m.ring(), m.members(), m.quorate());
        }
        String flags = qdevice.flags(m.ring());
        if (!flags.equals(lastFlags)) {
            lastFlags = flags;
            byte[] value = flags.getBytes(StandardCharsets.UTF_8);
            kv.set(QDEVICE_KEY, value);
            others.statusSet(QDEVICE_KEY, value);
        }
    }
}
