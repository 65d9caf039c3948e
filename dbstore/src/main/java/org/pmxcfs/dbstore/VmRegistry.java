package org.pmxcfs.dbstore;

import java.util.Map;
import org.pmxcfs.dbstore.VmList.VmInfo;
import java.util.TreeMap;

/**
 * Which node and guest type owns each VMID, derived from the tree and kept current by the memdb.
 * Not thread-safe: it lives under the memdb lock.
 */
final class VmRegistry {

    private final TreeMap<Long, VmInfo> vms = new TreeMap<>();
    private long listVersion;
    private long infoCounter;

    /** True if {@code g.vmid} is registered for another node or another type. */
    boolean conflicts(GuestPath g) {
        VmInfo v = vms.get(g.vmid());
        return v != null && !(v.node().equals(g.node()) && v.type().equals(g.type()));
    }

    boolean contains(long vmid) {
        return vms.containsKey(vmid);
    }

    /** (Re-)registers the guest; every registration is a new version for caches keyed on it. */
    void register(GuestPath g) {
        listVersion++;
        vms.put(g.vmid(), new VmInfo(g.vmid(), g.node(), g.type(), ++infoCounter));
    }

    void unregister(GuestPath g) {
        if (!conflicts(g) && vms.remove(g.vmid()) != null) {
            listVersion++;
        }
    }

    /**
     * Takes over the registrations of {@code other}, built from a tree that replaced ours (state
     * transfer). Versions keep increasing, so caches keyed on them see the change.
     */
    void reloadFrom(VmRegistry other) {
        vms.clear();
        for (VmInfo v : other.vms.values()) {
            register(new GuestPath(v.vmid(), v.node(), v.type()));
        }
        listVersion++;
    }

    VmList snapshot() {
        return new VmList(listVersion, Map.copyOf(vms));
    }
}
