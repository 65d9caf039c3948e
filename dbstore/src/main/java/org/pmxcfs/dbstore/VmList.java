package org.pmxcfs.dbstore;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/** A consistent copy of the VMID registry, as {@code .vmlist} shows it. */
public record VmList(long version, Map<Long, VmInfo> vms) {

    /** One registered guest; {@code version} changes whenever its config is (re)registered. */
    public record VmInfo(long vmid, String node, String type, long version) {}

    /** The guests ordered by VMID. */
    public Collection<VmInfo> sorted() {
        return new TreeMap<>(vms).values();
    }
}
