package org.pmxcfs.dfsm.sim;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The replicated state of the toy: an append-only log of successful operations, plus the
 * owner of each claimed key. It plays the memdb's part: it survives a crash of its node (it is
 * "on disk"), every successful operation raises the version by one (failed ones change nothing),
 * and the state bytes exchanged in a sync round are (version, mtime, digest), so the leader is
 * chosen by version, then mtime, then member order, as dcdb chooses.
 *
 * <p>Operations: {@code ADD id} always succeeds; {@code CLAIM id key} succeeds if nobody has
 * claimed {@code key} yet and otherwise fails with {@code -EEXIST} (like a lock {@code mkdir}),
 * so the first claim in total order wins.
 */
final class ToyStore {

    static final int ADD = 1;
    static final int CLAIM = 2;
    static final int EEXIST = 17;

    /** One applied operation; writer and mtime come from the message, as in memdb. */
    record Entry(long id, int kind, String key, int writer, long mtime) {}

    /** Commits that threw away part of this node's history (a fork resolved by the leader rule); not replicated. */
    int discards;

    private List<Entry> log = new ArrayList<>();
    private Map<String, Long> owners = new HashMap<>();
    private long mtime;
    private byte[] digest;

    /** Applies an operation; returns 0 or {@code -EEXIST}. Deterministic. */
    int apply(int kind, long id, String key, int writer, long msgTime) {
        if (kind == CLAIM) {
            if (owners.containsKey(key)) {
                return -EEXIST;
            }
            owners.put(key, id);
        }
        log.add(new Entry(id, kind, key, writer, msgTime));
        mtime = msgTime;
        digest = null;
        return 0;
    }

    long version() {
        return log.size();
    }

    long mtime() {
        return mtime;
    }

    List<Entry> log() {
        return List.copyOf(log);
    }

    Map<String, Long> owners() {
        return Map.copyOf(owners);
    }

    /** SHA-256 over the whole log: the VERIFY checksum and part of the state bytes. */
    byte[] digest() {
        if (digest == null) {
            digest = digestOf(log);
        }
        return digest.clone();
    }

    /** What this member sends in STATE: u64 version, u64 mtime, digest. */
    byte[] stateBytes() {
        return ByteBuffer.allocate(48).putLong(version()).putLong(mtime).put(digest()).array();
    }

    static long versionOf(byte[] state) {
        return ByteBuffer.wrap(state).getLong(0);
    }

    static long mtimeOf(byte[] state) {
        return ByteBuffer.wrap(state).getLong(8);
    }

    /** The log in pieces of at most {@code per} entries, one per UPDATE message. */
    List<byte[]> encodeChunks(int per) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < log.size(); i += per) {
            out.add(encode(log.subList(i, Math.min(log.size(), i + per))));
        }
        return out;
    }

    static List<Entry> decodeChunk(byte[] chunk) {
        ByteBuffer b = ByteBuffer.wrap(chunk);
        int n = b.getInt();
        List<Entry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long id = b.getLong();
            int kind = b.get();
            int writer = b.getInt();
            long time = b.getLong();
            byte[] key = new byte[b.getShort()];
            b.get(key);
            out.add(new Entry(id, kind, new String(key, StandardCharsets.UTF_8), writer, time));
        }
        return out;
    }

    /** Replaces the whole state (a commit of the leader's state). */
    void replace(List<Entry> entries, long newMtime) {
        log = new ArrayList<>(entries);
        owners = new HashMap<>();
        for (Entry e : entries) {
            if (e.kind() == CLAIM) {
                owners.put(e.key(), e.id());
            }
        }
        mtime = newMtime;
        digest = null;
    }

    /** Test hook: change one entry without changing version or mtime (a silent divergence). */
    void corrupt() {
        Entry e = log.get(0);
        log.set(0, new Entry(e.id(), e.kind(), e.key(), e.writer() + 1000, e.mtime()));
        digest = null;
    }

    static byte[] digestOf(List<Entry> entries) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(encode(entries));
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encode(List<Entry> entries) {
        int size = 4;
        List<byte[]> keys = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            byte[] k = e.key().getBytes(StandardCharsets.UTF_8);
            keys.add(k);
            size += 8 + 1 + 4 + 8 + 2 + k.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            b.putLong(e.id()).put((byte) e.kind()).putInt(e.writer()).putLong(e.mtime());
            b.putShort((short) keys.get(i).length).put(keys.get(i));
        }
        return b.array();
    }
}
