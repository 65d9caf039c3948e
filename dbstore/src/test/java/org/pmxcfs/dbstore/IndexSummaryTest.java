package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.dbstore.TestSupport.ok;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sync round's compact STATE: same tree, same summary; the differing buckets cover every diff. */
class IndexSummaryTest {

    @Test
    void roundTripsAndHasAFixedSizeWhateverTheTree() throws Exception {
        IndexSummary s = IndexSummary.of(IndexTest.smallTree().index());
        byte[] bytes = s.encode();
        assertEquals(IndexSummary.BYTES, bytes.length);
        assertEquals(8220, bytes.length, "28 bytes of header, 256 digests of 32 bytes");
        IndexSummary back = IndexSummary.decode(bytes);
        assertEquals(s, back);
        assertEquals(s.version(), back.version());
        assertEquals(s.count(), back.count());
        List<Index.Entry> many = new ArrayList<>();
        for (long i = 0; i < 10_000; i++) {
            many.add(new Index.Entry(i, new byte[32]));
        }
        assertEquals(IndexSummary.BYTES, IndexSummary.of(new Index(1, 9_999, 0, 0, many)).encode().length,
                "10,000 entries: 8 KiB instead of an index of 400 KB");
    }

    @Test
    void refusesAnythingButItsSize() {
        byte[] bytes = IndexSummary.of(IndexTest.smallTree().index()).encode();
        assertThrows(WireFormatException.class, () -> IndexSummary.decode(java.util.Arrays.copyOf(bytes, 20)));
        assertThrows(WireFormatException.class, () -> IndexSummary.decode(java.util.Arrays.copyOf(bytes, bytes.length + 1)));
    }

    @Test
    void theSameTreeGivesTheSameSummaryAndAnyChangeAnother() {
        MemDb a = IndexTest.smallTree();
        MemDb b = IndexTest.smallTree();
        assertTrue(IndexSummary.of(a.index()).sameTree(IndexSummary.of(b.index())));
        ok(b.apply(new Operation.Write("nodes/n1/a.cfg", 0, "H".getBytes(StandardCharsets.UTF_8)), 1, 2000));
        assertFalse(IndexSummary.of(a.index()).sameTree(IndexSummary.of(b.index())));
    }

    /** Whatever the leader has to send by the exact diff lies in a bucket the summaries tell apart. */
    @Test
    void differingBucketsCoverEveryInodeTheMemberNeeds() {
        MemDb leader = IndexTest.smallTree();
        MemDb member = IndexTest.smallTree();
        for (int i = 0; i < 600; i++) { // more inodes than buckets, so buckets hold several
            ok(leader.apply(new Operation.Create("f" + i), 1, 2000));
            ok(member.apply(new Operation.Create("f" + i), 1, 2000));
        }
        ok(leader.apply(new Operation.Write("nodes/n1/a.cfg", 0, "H".getBytes(StandardCharsets.UTF_8)), 1, 2000));
        ok(leader.apply(new Operation.Write("f17", 0, "H".getBytes(StandardCharsets.UTF_8)), 1, 2000));
        ok(member.apply(new Operation.Delete("empty"), 2, 2000));
        ok(member.apply(new Operation.Mkdir("mine"), 2, 2000));
        BitSet differ = IndexSummary.of(leader.index()).differingBuckets(IndexSummary.of(member.index()));
        IndexDiff exact = IndexDiff.between(leader.index(), member.index());
        assertFalse(exact.send().isEmpty());
        for (long inode : exact.send()) {
            assertTrue(differ.get(IndexSummary.bucketOf(inode)), "inode " + inode + " would not be sent");
        }
        for (long inode : exact.delete()) {
            assertTrue(differ.get(IndexSummary.bucketOf(inode)), "inode " + inode + " only the member has");
        }
        assertTrue(differ.cardinality() < IndexSummary.BUCKETS / 4, "a few buckets, not the tree: " + differ.cardinality());
    }

    @Test
    void leaderRuleIsTheIndexs() {
        Index older = new Index(5, 0, 0, 100, List.of());
        Index newer = new Index(6, 0, 0, 50, List.of());
        Index later = new Index(5, 0, 0, 101, List.of());
        assertTrue(IndexSummary.of(newer).newerThan(IndexSummary.of(older)));
        assertTrue(IndexSummary.of(later).newerThan(IndexSummary.of(older)));
        assertFalse(IndexSummary.of(older).newerThan(IndexSummary.of(older)));
    }
}
