package org.pmxcfs.dbstore;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The memdb index, the dcdb STATE payload (the original's memdb_index_t): the root's version,
 * writer and mtime, the highest inode, and one SHA-256 digest per entry (root included), sorted
 * by inode. Two trees are identical exactly when their encoded indexes are byte-identical, which
 * is how the sync elects a leader, finds what to send, and checks the result of a state transfer.
 *
 * <p>Layout, little-endian: header {@code u64 version, u64 last_inode, u32 writer, u32 mtime,
 * u32 count, u32 total_bytes} (32 bytes), then {@code count} × {@code u64 inode, u8 digest[32]}.
 *
 * @param mtime unsigned 32-bit seconds, as on the wire
 */
public record Index(long version, long lastInode, int writer, long mtime, List<Entry> entries) {

    public static final int HEADER_BYTES = 32;
    public static final int ENTRY_BYTES = 40;
    public static final int DIGEST_BYTES = 32;

    /** One entry's inode and digest; compared by content. */
    public record Entry(long inode, byte[] digest) {
        public Entry {
            if (digest.length != DIGEST_BYTES) {
                throw new IllegalArgumentException("digest must be " + DIGEST_BYTES + " bytes");
            }
            digest = digest.clone();
        }

        @Override
        public byte[] digest() {
            return digest.clone();
        }

        boolean sameDigest(Entry o) {
            return Arrays.equals(digest, o.digest);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && e.inode == inode && Arrays.equals(e.digest, digest);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(inode) * 31 + Arrays.hashCode(digest);
        }

        @Override
        public String toString() {
            return inode + ":" + HexFormat.of().formatHex(digest, 0, 8);
        }
    }

    /** Checks what the encoding cannot express and what every user of an index relies on. */
    public Index {
        if (mtime < 0 || mtime > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("mtime " + mtime + " does not fit 32 bits");
        }
        entries = List.copyOf(entries);
        for (int i = 1; i < entries.size(); i++) {
            if (Long.compareUnsigned(entries.get(i - 1).inode(), entries.get(i).inode()) >= 0) {
                throw new IllegalArgumentException("index entries not strictly sorted by inode at position " + i);
            }
        }
    }

    /** The index of a tree: {@code all} holds every entry, {@code root} included, in any order. */
    static Index of(TreeEntry root, Collection<TreeEntry> all) {
        List<TreeEntry> sorted = new ArrayList<>(all);
        sorted.sort((a, b) -> Long.compareUnsigned(a.inode(), b.inode()));
        List<Entry> out = new ArrayList<>(sorted.size());
        for (TreeEntry e : sorted) {
            out.add(new Entry(e.inode(), EntryDigest.indexDigest(e)));
        }
        long last = sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1).inode();
        return new Index(root.version(), last, root.writer(), root.mtime() & 0xFFFF_FFFFL, out);
    }

    /** The number of bytes of the encoding ({@code total_bytes}). */
    public int totalBytes() {
        return HEADER_BYTES + ENTRY_BYTES * entries.size();
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(totalBytes()).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(version).putLong(lastInode).putInt(writer).putInt((int) mtime).putInt(entries.size())
                .putInt(totalBytes());
        for (Entry e : entries) {
            b.putLong(e.inode()).put(e.digest);
        }
        return b.array();
    }

    /**
     * Decodes a received index. Refused, as by the original: shorter than the header, or a
     * length other than {@code total_bytes}. Refused in addition: a count that does not match
     * {@code total_bytes}, and entries out of inode order (every comparison walks both indexes
     * in order, so an unsorted index would give wrong answers silently).
     */
    public static Index decode(byte[] bytes) throws WireFormatException {
        WireReader r = WireReader.withHeader(bytes, "memdb index", HEADER_BYTES);
        long version = r.u64("version");
        long lastInode = r.u64("last_inode");
        int writer = r.i32("writer");
        long mtime = r.u32("mtime");
        long count = r.u32("count");
        long total = r.u32("total_bytes");
        if (total != bytes.length) {
            throw r.error("total_bytes " + total + " but " + bytes.length + " bytes received");
        }
        if (HEADER_BYTES + ENTRY_BYTES * count != total) {
            throw r.error("count " + count + " does not match total_bytes " + total);
        }
        List<Entry> entries = new ArrayList<>((int) count);
        long previous = 0;
        for (int i = 0; i < count; i++) {
            long inode = r.u64("inode");
            if (i > 0 && Long.compareUnsigned(previous, inode) >= 0) {
                throw r.error("entry " + i + " (inode " + Long.toUnsignedString(inode) + ") is not in ascending"
                        + " inode order");
            }
            previous = inode;
            entries.add(new Entry(inode, r.bytes(DIGEST_BYTES, "digest")));
        }
        r.end();
        return new Index(version, lastInode, writer, mtime, entries);
    }

    /** The entry for {@code inode}, if this index has one. */
    public Optional<Entry> find(long inode) {
        int lo = 0;
        int hi = entries.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compareUnsigned(entries.get(mid).inode(), inode);
            if (c == 0) {
                return Optional.of(entries.get(mid));
            } else if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return Optional.empty();
    }

    /**
     * True if this index should be the sync leader rather than {@code other}: a higher version,
     * or on equal version a later root mtime (dcdb_select_leader). A full tie is left to member
     * order, which the caller knows.
     */
    public boolean newerThan(Index other) {
        return newer(version, mtime, other.version, other.mtime);
    }

    /** dcdb_select_leader's rule on a root's version and mtime, for an index or its summary. */
    static boolean newer(long version, long mtime, long otherVersion, long otherMtime) {
        if (version != otherVersion) {
            return Long.compareUnsigned(version, otherVersion) > 0;
        }
        return mtime > otherMtime;
    }

    @Override
    public String toString() {
        return "Index[version=" + version + ", lastInode=" + lastInode + ", writer=" + Integer.toUnsignedString(writer)
                + ", mtime=" + mtime + ", entries=" + entries.size() + "]";
    }
}
