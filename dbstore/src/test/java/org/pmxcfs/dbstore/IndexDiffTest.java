package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.dbstore.TestSupport.ok;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reference 3.2 step 2: which inodes the leader sends, which the member deletes. */
class IndexDiffTest {

    private static Index.Entry entry(long inode, int fill) {
        byte[] d = new byte[32];
        d[0] = (byte) fill;
        return new Index.Entry(inode, d);
    }

    private static Index index(Index.Entry... entries) {
        return new Index(1, 0, 0, 0, List.of(entries));
    }

    @Test
    void identicalIndexesNeedNothing() {
        MemDb a = IndexTest.smallTree();
        assertTrue(IndexDiff.between(a.index(), IndexTest.smallTree().index()).isEmpty());
    }

    @Test
    void missingChangedAndExtraInodes() {
        Index leader = index(entry(0, 1), entry(2, 1), entry(4, 1), entry(9, 1));
        Index member = index(entry(0, 2), entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 3), entry(10, 1), entry(11, 1));
        IndexDiff d = IndexDiff.between(leader, member);
        assertEquals(List.of(0L, 4L, 9L), d.send());
        assertEquals(List.of(1L, 3L, 10L, 11L), d.delete());
        assertFalse(d.isEmpty());
    }

    @Test
    void emptySides() {
        Index leader = index(entry(0, 1), entry(5, 1));
        assertEquals(new IndexDiff(List.of(0L, 5L), List.of()), IndexDiff.between(leader, index()));
        assertEquals(new IndexDiff(List.of(), List.of(0L, 5L)), IndexDiff.between(index(), leader));
    }

    @Test
    void divergedTrees() {
        MemDb leader = IndexTest.smallTree();
        MemDb member = IndexTest.smallTree();
        ok(leader.apply(new Operation.Write("nodes/n1/a.cfg", 0, "H".getBytes(StandardCharsets.UTF_8)), 1, 2000)); // v7
        ok(member.apply(new Operation.Delete("empty"), 2, 2000)); // v7
        ok(member.apply(new Operation.Mkdir("mine"), 2, 2000)); // inode 8
        IndexDiff d = IndexDiff.between(leader.index(), member.index());
        assertEquals(List.of(0L, 4L, 6L), d.send(), "root, the rewritten file, the file the member deleted");
        assertEquals(List.of(8L), d.delete());
    }
}
