package org.pmxcfs.dbstore;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.BitSet;

/**
 * What a member tells the others of its tree in a sync round: the {@link Index} header and one
 * SHA-256 digest per bucket of index entries (an entry's bucket is its inode's low
 * {@link #BUCKET_BITS} bits; a bucket's digest covers its entries' inodes and digests in inode
 * order). Two trees are identical exactly when their summaries are (up to SHA-256 collisions,
 * as for the index itself), and the buckets that differ bound what a leader has to send.
 *
 * <p>Why not the whole index, as the original sends: every member's state goes to every member,
 * so a round moves members² × index bytes; at 16 members with 10,000 files that is 16 indexes of
 * 400 KB to 16 receivers (about 100 MB through the sequencer for every view change), which a
 * cluster sharing two cores did not finish within a minute. A summary is 8 KiB whatever the
 * tree; the leader sends its one index with the updates, to the members that need it.
 *
 * <p>Layout, little-endian: {@code u64 version, u64 last_inode, u32 writer, u32 mtime, u32 count}
 * (28 bytes), then {@link #BUCKETS} × {@code u8 digest[32]}.
 *
 * @param mtime unsigned 32-bit seconds, as in the index
 * @param count the number of index entries, root included
 */
public record IndexSummary(long version, long lastInode, int writer, long mtime, long count, byte[] buckets) {

    public static final int BUCKET_BITS = 8;
    public static final int BUCKETS = 1 << BUCKET_BITS;
    public static final int HEADER_BYTES = 28;
    public static final int BYTES = HEADER_BYTES + BUCKETS * Index.DIGEST_BYTES;

    public IndexSummary {
        if (buckets.length != BUCKETS * Index.DIGEST_BYTES) {
            throw new IllegalArgumentException("expected " + BUCKETS + " bucket digests");
        }
        buckets = buckets.clone();
    }

    /** The bucket of an inode. */
    public static int bucketOf(long inode) {
        return (int) (inode & (BUCKETS - 1));
    }

    /** The summary of {@code index}. */
    public static IndexSummary of(Index index) {
        MessageDigest[] digests = new MessageDigest[BUCKETS];
        ByteBuffer inode = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (Index.Entry e : index.entries()) {
            int b = bucketOf(e.inode());
            if (digests[b] == null) {
                digests[b] = sha256();
            }
            digests[b].update(inode.clear().putLong(e.inode()).array());
            digests[b].update(e.digest());
        }
        byte[] out = new byte[BUCKETS * Index.DIGEST_BYTES];
        for (int b = 0; b < BUCKETS; b++) {
            // an empty bucket's digest is that of no bytes, as for any bucket
            byte[] d = (digests[b] == null ? sha256() : digests[b]).digest();
            System.arraycopy(d, 0, out, b * Index.DIGEST_BYTES, Index.DIGEST_BYTES);
        }
        return new IndexSummary(index.version(), index.lastInode(), index.writer(), index.mtime(),
                index.entries().size(), out);
    }

    @Override
    public byte[] buckets() {
        return buckets.clone();
    }

    public byte[] encode() {
        return ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(version).putLong(lastInode)
                .putInt(writer).putInt((int) mtime).putInt((int) count).put(buckets).array();
    }

    /** Decodes a received summary; anything but exactly {@link #BYTES} bytes is refused. */
    public static IndexSummary decode(byte[] bytes) throws WireFormatException {
        WireReader r = WireReader.withHeader(bytes, "index summary", HEADER_BYTES);
        long version = r.u64("version");
        long lastInode = r.u64("last_inode");
        int writer = r.i32("writer");
        long mtime = r.u32("mtime");
        long count = r.u32("count");
        byte[] buckets = r.bytes(BUCKETS * Index.DIGEST_BYTES, "bucket digests");
        r.end();
        return new IndexSummary(version, lastInode, writer, mtime, count, buckets);
    }

    /** The buckets whose entries differ between the two trees. */
    public BitSet differingBuckets(IndexSummary other) {
        BitSet out = new BitSet(BUCKETS);
        for (int b = 0; b < BUCKETS; b++) {
            int from = b * Index.DIGEST_BYTES;
            if (!Arrays.equals(buckets, from, from + Index.DIGEST_BYTES, other.buckets, from,
                    from + Index.DIGEST_BYTES)) {
                out.set(b);
            }
        }
        return out;
    }

    /** The same rule as {@link Index#newerThan}: a higher version, then a later root mtime. */
    public boolean newerThan(IndexSummary other) {
        return Index.newer(version, mtime, other.version, other.mtime);
    }

    /** Whether both summarise the same tree. */
    public boolean sameTree(IndexSummary other) {
        return version == other.version && lastInode == other.lastInode && writer == other.writer
                && mtime == other.mtime && count == other.count && Arrays.equals(buckets, other.buckets);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndexSummary s && sameTree(s);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(version) * 31 + Arrays.hashCode(buckets);
    }

    @Override
    public String toString() {
        return "IndexSummary[version=" + version + ", lastInode=" + lastInode + ", writer="
                + Integer.toUnsignedString(writer) + ", mtime=" + mtime + ", entries=" + count + "]";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
