package org.pmxcfs.status;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.FsException;

/**
 * The node status store behind IPC {@code set_status} / {@code get_status} (reference §3.8):
 * per node, key → (value, version). Kept in RAM only, like the original.
 *
 * <p>Keys fall in three classes, as in the original:
 * <ul>
 *   <li>{@code rrd/<key>}: an RRD update; kept (text up to the first NUL, with its arrival time) for
 *       the RRD dump, which lists updates not older than {@value #RRD_MAX_AGE_SECONDS} s; not
 *       readable with {@link #get};</li>
 *   <li>{@code nodeip}: the node's IP address (for {@code .members}); not readable with
 *       {@link #get};</li>
 *   <li>anything else: the node's kv table with a per-key version, shown in the {@code kvstore}
 *       block of {@code .version}. A new key starts at version 0, every update adds 1.</li>
 * </ul>
 * An empty value deletes the key. The local node's values come from {@link #set}; in cluster mode
 * other nodes' values arrive through {@link #applyRemote}, each node in its own table.
 * Thread-safe.
 */
public final class KvStore {

    /** Longest key in UTF-8 bytes (the original's {@code char name[256]} with its NUL). */
    public static final int MAX_KEY_BYTES = 255;
    /** Largest value ({@code CFS_MAX_STATUS_SIZE}, 32 KiB). */
    public static final int MAX_VALUE_BYTES = 32 * 1024;
    /** Largest RRD update, its trailing NUL included. */
    public static final int MAX_RRD_BYTES = 4096;
    /** RRD updates older than this are left out of the dump (and dropped). */
    public static final long RRD_MAX_AGE_SECONDS = 300;

    /** One stored value and how often its key was updated. */
    private record Entry(byte[] value, long version) {}

    private record RrdEntry(String data, long time) {}

    private final String localNode;
    private final LongSupplier nowSeconds;
    /** node → key → entry, nodes and keys in insertion order. */
    private final Map<String, Map<String, Entry>> kv = new LinkedHashMap<>();
    private final Map<String, String> nodeIps = new LinkedHashMap<>();
    private final Map<String, RrdEntry> rrd = new TreeMap<>();

    /**
     * @param localNode  this node's name
     * @param nowSeconds the clock (epoch seconds) that stamps RRD updates
     */
    public KvStore(String localNode, LongSupplier nowSeconds) {
        this.localNode = Objects.requireNonNull(localNode, "localNode");
        this.nowSeconds = Objects.requireNonNull(nowSeconds, "nowSeconds");
    }

    public String localNode() {
        return localNode;
    }

    /**
     * Sets (or, with an empty value, deletes) a key of the local node.
     *
     * @throws FsException ENAMETOOLONG / EINVAL for a bad key, EFBIG for a value over 32 KiB (or an RRD
     *                  update over 4 KiB)
     */
    public void set(String key, byte[] value) {
        checkKey(key);
        Objects.requireNonNull(value, "value");
        if (value.length > MAX_VALUE_BYTES) {
            throw new FsException(Errno.EFBIG, "status value of " + value.length + " bytes is larger than "
                    + MAX_VALUE_BYTES + " bytes");
        }
        if (key.startsWith("rrd/")) {
            setRrd(key.substring(4), value);
            return;
        }
        put(localNode, key, value);
    }

    /**
     * Stores a value that {@code node} sent (or, empty, its deletion), by the same key classes as
     * {@link #set}. The first message of a node creates its table, so {@code .version} lists every
     * node that sent data. RRD updates that are empty of key or too large are dropped, as the
     * original drops them.
     *
     * @return whether the node's announced IP changed (the {@code .members} data changed)
     */
    public boolean applyRemote(String node, String key, byte[] value) {
        Objects.requireNonNull(node, "node");
        if (key.startsWith("rrd/")) {
            if (key.length() > 4 && value.length <= MAX_RRD_BYTES) {
                setRrd(key.substring(4), value);
            }
            return false;
        }
        return put(node, key, value);
    }

    /** Stores a kv or nodeip value of {@code node}; returns whether its IP changed. */
    private synchronized boolean put(String node, String key, byte[] value) {
        if (key.equals("nodeip")) {
            String ip = value.length == 0 ? null : cString(value);
            String old = ip == null ? nodeIps.remove(node) : nodeIps.put(node, ip);
            return !Objects.equals(old, ip);
        }
        Map<String, Entry> table = kv.computeIfAbsent(node, n -> new LinkedHashMap<>());
        if (value.length == 0) {
            table.remove(key);
            return false;
        }
        Entry old = table.get(key);
        table.put(key, new Entry(value.clone(), old == null ? 0 : old.version() + 1));
        return false;
    }

    /**
     * The keys this node announces to the others after each sync: its kv keys and {@code nodeip}
     * if set (RRD updates are not repeated).
     */
    public synchronized List<String> localKeys() {
        List<String> keys = new ArrayList<>(kv.getOrDefault(localNode, Map.of()).keySet());
        if (nodeIps.containsKey(localNode)) {
            keys.add("nodeip");
        }
        return keys;
    }

    /**
     * The current local value of a kv key or {@code nodeip} (the IP with its NUL, as the original
     * sends it), as it is to be sent to the other nodes; empty when unset, i.e. deleted.
     */
    public synchronized Optional<byte[]> localValue(String key) {
        if (key.equals("nodeip")) {
            String ip = nodeIps.get(localNode);
            return ip == null ? Optional.empty() : Optional.of((ip + "\0").getBytes(StandardCharsets.UTF_8));
        }
        return get(localNode, key);
    }

    private void setRrd(String rrdKey, byte[] value) {
        if (rrdKey.isEmpty()) {
            throw new FsException(Errno.EINVAL, "empty RRD key");
        }
        if (value.length > MAX_RRD_BYTES) {
            throw new FsException(Errno.EFBIG, "RRD update of " + value.length + " bytes is larger than "
                    + MAX_RRD_BYTES + " bytes");
        }
        synchronized (this) {
            if (value.length == 0) {
                rrd.remove(rrdKey);
            } else {
                rrd.put(rrdKey, new RrdEntry(cString(value), nowSeconds.getAsLong()));
            }
        }
    }

    /**
     * The value of {@code key} on {@code node} (null or empty: the local node). RRD and
     * {@code nodeip} keys are never found here, as in the original.
     */
    public synchronized Optional<byte[]> get(String node, String key) {
        String n = node == null || node.isEmpty() ? localNode : node;
        Map<String, Entry> table = kv.get(n);
        Entry e = table == null ? null : table.get(key);
        return e == null ? Optional.empty() : Optional.of(e.value().clone());
    }

    /** node → (key → version) for the {@code kvstore} block of {@code .version}; a copy. */
    public synchronized Map<String, Map<String, Long>> versions() {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Entry>> node : kv.entrySet()) {
            Map<String, Long> keys = new LinkedHashMap<>();
            node.getValue().forEach((k, e) -> keys.put(k, e.version()));
            out.put(node.getKey(), keys);
        }
        return out;
    }

    /** The IP address {@code node} announced with {@code nodeip}, if any. */
    public synchronized Optional<String> nodeIp(String node) {
        return Optional.ofNullable(nodeIps.get(node));
    }

    /**
     * The RRD dump ({@code .rrd}, IPC {@code get_rrd_dump}): one line {@code <key>:<data>\n} per
     * update not older than {@value #RRD_MAX_AGE_SECONDS} s, ordered by key; older ones are dropped.
     */
    public synchronized String rrdDump() {
        long now = nowSeconds.getAsLong();
        StringBuilder sb = new StringBuilder();
        var it = rrd.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, RrdEntry> e = it.next();
            if (now - e.getValue().time() > RRD_MAX_AGE_SECONDS) {
                it.remove();
                continue;
            }
            sb.append(e.getKey()).append(':').append(e.getValue().data()).append('\n');
        }
        return sb.toString();
    }

    /** Key rules shared by set and get: non-empty, at most 255 UTF-8 bytes, no NUL. */
    public static void checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new FsException(Errno.EINVAL, "empty status name");
        }
        if (key.indexOf('\0') >= 0) {
            throw new FsException(Errno.EINVAL, "status name contains a NUL character");
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            throw new FsException(Errno.ENAMETOOLONG, "status name of " + bytes + " bytes is longer than "
                    + MAX_KEY_BYTES + " bytes");
        }
    }

    /** The bytes up to the first NUL as text, as C code would read them. */
    private static String cString(byte[] value) {
        int end = 0;
        while (end < value.length && value[end] != 0) {
            end++;
        }
        return new String(Arrays.copyOf(value, end), StandardCharsets.UTF_8);
    }
}
