package org.pmxcfs.status;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import org.pmxcfs.dbstore.MemDb;

/**
 * The change counters shown in {@code .version}: one per tracked configuration path, plus the
 * {@code clinfo} counter (version of the {@code .members} data).
 *
 * <p>Clients (the Perl cluster code) compare these numbers to decide whether a cached parse of a
 * config file is stale, so every change of a tracked path must bump its counter. The memdb calls
 * {@link #changed(String)} from its apply path while holding its lock; renderers read from other
 * threads. Plain atomics keep both sides cheap and lock-free.
 */
public final class VersionCounters implements MemDb.ChangeListener {

    /** The tracked paths, in the exact order {@code .version} lists them (reference §2.2). */
    public static final List<String> TRACKED_PATHS = List.of(
            "corosync.conf",
            "corosync.conf.new",
            "storage.cfg",
            "user.cfg",
            "domains.cfg",
            "notifications.cfg",
            "priv/notifications.cfg",
            "priv/shadow.cfg",
            "priv/acme/plugins.cfg",
            "priv/tfa.cfg",
            "priv/token.cfg",
            "priv/wg-keys.cfg",
            "datacenter.cfg",
            "vzdump.cron",
            "vzdump.conf",
            "jobs.cfg",
            "ha/crm_commands",
            "ha/manager_status",
            "ha/resources.cfg",
            "ha/rules.cfg",
            "ha/groups.cfg",
            "ha/fence.cfg",
            "status.cfg",
            "replication.cfg",
            "ceph.conf",
            "sdn/vnets.cfg",
            "sdn/zones.cfg",
            "sdn/controllers.cfg",
            "sdn/subnets.cfg",
            "sdn/ipams.cfg",
            "sdn/mac-cache.json",
            "sdn/pve-ipam-state.json",
            "sdn/dns.cfg",
            "sdn/fabrics.cfg",
            "sdn/route-maps.cfg",
            "sdn/prefix-lists.cfg",
            "sdn/.running-config",
            "virtual-guest/cpu-models.conf",
            "virtual-guest/profiles.cfg",
            "firewall/cluster.fw",
            "mapping/directory.cfg",
            "mapping/pci.cfg",
            "mapping/usb.cfg");

    private static final Map<String, Integer> INDEX = indexOf(TRACKED_PATHS);

    private final AtomicLongArray counters = new AtomicLongArray(TRACKED_PATHS.size());
    private final AtomicLong clinfo = new AtomicLong();

    /**
     * Bumps the counter of {@code path} if it is tracked. Only the exact path counts: a change
     * below {@code priv/} or a temp file next to {@code datacenter.cfg} leaves all counters alone.
     */
    @Override
    public void changed(String path) {
        Integer i = INDEX.get(stripLeadingSlashes(path));
        if (i != null) {
            counters.incrementAndGet(i);
        }
    }

    /**
     * Bumps every counter. Called after each whole-tree (re)load (start-up, state transfer): the
     * content may have changed arbitrarily, so every cached parse must be invalidated. A fresh start
     * therefore shows 1 everywhere.
     */
    @Override
    public void reloaded() {
        for (int i = 0; i < counters.length(); i++) {
            counters.incrementAndGet(i);
        }
    }

    /** Bumps {@code clinfo}: the corosync node list, membership or a node IP changed. */
    public void bumpClinfo() {
        clinfo.incrementAndGet();
    }

    /** The current {@code clinfo} counter (also the {@code "version"} of {@code .members}). */
    public long clinfo() {
        return clinfo.get();
    }

    /**
     * The counter of one tracked path.
     *
     * @throws IllegalArgumentException if {@code path} is not in {@link #TRACKED_PATHS}
     */
    public long version(String path) {
        Integer i = INDEX.get(stripLeadingSlashes(path));
        if (i == null) {
            throw new IllegalArgumentException("not a tracked path: " + path);
        }
        return counters.get(i);
    }

    /** All path counters, in {@link #TRACKED_PATHS} order. */
    public long[] snapshot() {
        long[] out = new long[counters.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = counters.get(i);
        }
        return out;
    }

    private static String stripLeadingSlashes(String path) {
        int i = 0;
        while (i < path.length() && path.charAt(i) == '/') {
            i++;
        }
        return path.substring(i);
    }

    private static Map<String, Integer> indexOf(List<String> paths) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < paths.size(); i++) {
            m.put(paths.get(i), i);
        }
        return Map.copyOf(m);
    }
}
