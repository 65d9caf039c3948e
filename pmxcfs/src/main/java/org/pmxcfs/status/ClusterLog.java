package org.pmxcfs.status;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The in-RAM cluster log of this node (reference §3.9): a ring buffer of 131 072 bytes in which
 * each entry costs its packed size, so the number of entries kept matches the original.
 *
 * <p>Entries come from local writers ({@link #addLocal}), from other nodes one by one
 * ({@link #insert}) and from whole-buffer exchanges after a membership change ({@link #merge}).
 * All methods are thread-safe (one lock).
 */
public final class ClusterLog {

    /** Ring buffer size in bytes ({@code CLOG_DEFAULT_SIZE}). */
    public static final int DEFAULT_SIZE = 131072;
    /** Largest packed entry ({@code CLOG_MAX_ENTRY_SIZE}); longer messages are truncated. */
    public static final int MAX_ENTRY_SIZE = 4096;
    /** Entries shown by {@code .clusterlog} and the default of the IPC query. */
    public static final int DEFAULT_MAX_ENTRIES = 50;

    /** {@code sizeof(clog_entry_t)}: fixed header counted in every entry's size. */
    static final int HEADER_SIZE = 48;
    /** Offset of the string data in the packed entry (the header has 4 spare bytes). */
    static final int DATA_OFFSET = 44;
    /** node, ident and tag keep at most this many bytes (255 with their NUL). */
    static final int MAX_NAME_BYTES = 254;

    private static final long FNV1A_64_INIT = 0xcbf29ce484222325L;
    private static final long FNV1A_64_PRIME = 0x100000001b3L;

    /** The order the original stores merged/sorted buffers in: (time, node digest, uid). */
    static final Comparator<ClusterLogEntry> STORAGE_ORDER = Comparator
            .comparingLong(ClusterLogEntry::time)
            .thenComparing((a, b) -> Long.compareUnsigned(nodeDigest(a.node()), nodeDigest(b.node())))
            .thenComparingLong(ClusterLogEntry::uid);

    /** Identity of an entry cluster-wide, for de-duplication while merging. */
    private record Key(long time, String node, long uid) {
        static Key of(ClusterLogEntry e) {
            return new Key(e.time(), e.node(), e.uid());
        }
    }

    /** Newest (time, uid) seen from one origin node. */
    private record Seen(long time, long uid) {
        boolean olderThan(ClusterLogEntry e) {
            return e.time() > time || (e.time() == time && e.uid() > uid);
        }
    }

    private final Object lock = new Object();
    private final String nodename;
    private final int size;
    private LogRing ring;
    private Map<String, Seen> seen = new HashMap<>();
    private long uidCounter;

    /** A log for the local node {@code nodename} with the original's buffer size. */
    public ClusterLog(String nodename) {
        this(nodename, DEFAULT_SIZE);
    }

    /**
     * A log with a custom buffer size (at least 10 maximum entries, as the original demands);
     * meant for tests.
     */
    public ClusterLog(String nodename, int sizeBytes) {
        this.nodename = truncateUtf8(Objects.requireNonNull(nodename, "nodename"), MAX_NAME_BYTES);
        this.ring = new LogRing(sizeBytes);
        this.size = sizeBytes;
    }

    /**
     * Logs an entry written on this node (IPC LOG_CLUSTER_MSG or pmxcfs itself). The uid comes
     * from this log's counter (the daemon has exactly one log, so it is the per-process counter
     * of the original); the message is converted to wire form and truncated so the entry fits in
     * {@value #MAX_ENTRY_SIZE} bytes.
     *
     * <p>Unlike the original, the entry is stored even if this node's clock went backwards since
     * an earlier entry (the original silently drops it as a "duplicate").
     *
     * @param time epoch seconds
     * @return the stored entry, e.g. to send it to the other nodes
     * @throws IllegalArgumentException if {@code pri} is not 0..7
     */
    public ClusterLogEntry addLocal(int pri, String user, String tag, long pid, String msg, long time) {
        String u = truncateUtf8(Objects.requireNonNull(user, "user"), MAX_NAME_BYTES);
        String t = truncateUtf8(Objects.requireNonNull(tag, "tag"), MAX_NAME_BYTES);
        int names = nameBytes(nodename) + nameBytes(u) + nameBytes(t);
        int bufSize = MAX_ENTRY_SIZE - DATA_OFFSET - names;
        int maxMsg = MAX_ENTRY_SIZE - HEADER_SIZE - names - 1;
        String wire = JsonText.toWireMessage(Objects.requireNonNull(msg, "msg"), bufSize, maxMsg);
        synchronized (lock) {
            uidCounter = (uidCounter + 1) & 0xffffffffL; // u32 like the original
            ClusterLogEntry e = new ClusterLogEntry(uidCounter, time, pri, t, pid, nodename, u, wire);
            Seen s = seen.get(nodename);
            if (s == null || s.olderThan(e)) {
                seen.put(nodename, new Seen(time, e.uid()));
            }
            ring.append(e, packedSize(e));
            return e;
        }
    }

    /**
     * Stores an entry received from another node, unless an entry of the same origin node with
     * an equal or newer (time, uid) was already seen (the original's duplicate rule). Over-long
     * names and messages are truncated like the original's packing would.
     *
     * @return whether the entry was stored
     */
    public boolean insert(ClusterLogEntry entry) {
        ClusterLogEntry e = normalize(entry);
        synchronized (lock) {
            Seen s = seen.get(e.node());
            if (s != null && !s.olderThan(e)) {
                return false;
            }
            seen.put(e.node(), new Seen(e.time(), e.uid()));
            ring.append(e, packedSize(e));
            return true;
        }
    }

    /** Up to {@code max} entries, newest first. */
    public List<ClusterLogEntry> newest(int max) {
        return newest(max, null);
    }

    /**
     * Up to {@code max} entries whose {@code user} (ident) equals {@code user}, newest first;
     * all entries when {@code user} is null or empty (the IPC GET_CLUSTER_LOG filter).
     */
    public List<ClusterLogEntry> newest(int max, String user) {
        boolean all = user == null || user.isEmpty();
        synchronized (lock) {
            return List.copyOf(ring.newestFirst(max, e -> all || e.user().equals(user)));
        }
    }

    /**
     * Rebuilds the log from the union of the local entries and {@code remote} (the buffers of the
     * other members after a membership change), like the original's {@code clusterlog_merge}:
     * entries are taken newest first, de-duplicated by (time, node, uid), until the buffer is
     * (almost) full, then stored in (time, node digest, uid) order. The duplicate-detection state
     * is rebuilt from the kept entries.
     */
    public void merge(Collection<ClusterLogEntry> remote) {
        List<ClusterLogEntry> incoming = new ArrayList<>(remote.size());
        for (ClusterLogEntry e : remote) {
            incoming.add(normalize(e));
        }
        synchronized (lock) {
            List<ClusterLogEntry> all = new ArrayList<>(ring.newestFirst(Integer.MAX_VALUE, e -> true));
            all.addAll(incoming);
            all.sort(STORAGE_ORDER.reversed());

            // The original stops once the kept slots reach size - header - one maximum entry.
            long budget = (long) size - LogRing.BASE_HEADER - MAX_ENTRY_SIZE;
            long used = 0;
            Set<Key> keys = new HashSet<>();
            List<ClusterLogEntry> kept = new ArrayList<>();
            for (ClusterLogEntry e : all) {
                if (!keys.add(Key.of(e))) {
                    continue;
                }
                kept.add(e);
                used += LogRing.slotSize(packedSize(e));
                if (used >= budget) {
                    break;
                }
            }
            kept.sort(STORAGE_ORDER);

            LogRing fresh = new LogRing(size);
            Map<String, Seen> freshSeen = new HashMap<>();
            for (ClusterLogEntry e : kept) {
                fresh.append(e, packedSize(e));
                Seen s = freshSeen.get(e.node());
                if (s == null || s.olderThan(e)) {
                    freshSeen.put(e.node(), new Seen(e.time(), e.uid()));
                }
            }
            ring = fresh;
            seen = freshSeen;
        }
    }

    /**
     * Sorts the buffer into (time, node digest, uid) order, dropping exact duplicates, and
     * returns its entries oldest first: what the original does before sending its log in a state
     * transfer ({@code clusterlog_get_state}). Afterwards {@link #newest} follows that order.
     */
    public List<ClusterLogEntry> stateForSync() {
        synchronized (lock) {
            List<ClusterLogEntry> all = new ArrayList<>(ring.newestFirst(Integer.MAX_VALUE, e -> true));
            all.sort(STORAGE_ORDER);
            LogRing fresh = new LogRing(size);
            List<ClusterLogEntry> out = new ArrayList<>(all.size());
            Set<Key> keys = new HashSet<>();
            for (ClusterLogEntry e : all) {
                if (keys.add(Key.of(e))) {
                    fresh.append(e, packedSize(e));
                    out.add(e);
                }
            }
            ring = fresh;
            return List.copyOf(out);
        }
    }

    /**
     * The entry's size in the original's packed layout: 48-byte header plus node, ident, tag and
     * message, each with its NUL (UTF-8 bytes).
     */
    static int packedSize(ClusterLogEntry e) {
        return HEADER_SIZE + nameBytes(e.node()) + nameBytes(e.user()) + nameBytes(e.tag()) + utf8Length(e.msg()) + 1;
    }

    /** 64-bit FNV-1a of the node name including its NUL, as the original's {@code node_digest}. */
    static long nodeDigest(String node) {
        long h = FNV1A_64_INIT;
        for (byte b : node.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= FNV1A_64_PRIME;
        }
        h *= FNV1A_64_PRIME; // the NUL byte: xor with 0 is a no-op
        return h;
    }

    /** Applies the packing limits to an entry from elsewhere. */
    private static ClusterLogEntry normalize(ClusterLogEntry e) {
        String node = truncateUtf8(e.node(), MAX_NAME_BYTES);
        String user = truncateUtf8(e.user(), MAX_NAME_BYTES);
        String tag = truncateUtf8(e.tag(), MAX_NAME_BYTES);
        int maxMsg = MAX_ENTRY_SIZE - HEADER_SIZE - nameBytes(node) - nameBytes(user) - nameBytes(tag) - 1;
        String msg = truncateUtf8(e.msg(), maxMsg);
        // truncateUtf8 returns its argument itself when nothing was cut.
        if (node == e.node() && user == e.user() && tag == e.tag() && msg == e.msg()) {
            return e;
        }
        return new ClusterLogEntry(e.uid(), e.time(), e.pri(), tag, e.pid(), node, user, msg);
    }

    private static int nameBytes(String s) {
        return utf8Length(s) + 1;
    }

    /** UTF-8 length as {@code String.getBytes(UTF_8)} produces it (unpaired surrogates → 1). */
    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            n += cpBytes(cp);
            i += Character.charCount(cp);
        }
        return n;
    }

    /** {@code s} cut to at most {@code maxBytes} UTF-8 bytes, never inside a character. */
    static String truncateUtf8(String s, int maxBytes) {
        if (s.length() * 3 <= maxBytes) {
            return s; // cannot exceed: fast path for the usual short ASCII strings
        }
        int n = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int b = cpBytes(cp);
            if (n + b > maxBytes) {
                return s.substring(0, i);
            }
            n += b;
            i += Character.charCount(cp);
        }
        return s;
    }

    private static int cpBytes(int cp) {
        if (cp < 0x80) {
            return 1;
        } else if (cp < 0x800) {
            return 2;
        } else if (Character.isSurrogate((char) cp) && cp < 0x10000) {
            return 1; // unpaired surrogate: encoded as '?'
        } else if (cp < 0x10000) {
            return 3;
        }
        return 4;
    }
}
