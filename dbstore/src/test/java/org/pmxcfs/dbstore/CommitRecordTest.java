package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommitRecordTest {

    static final TreeEntry VERSION_ROW = new TreeEntry(0, 7, 42, 3, 1_700_000_000L, TreeEntry.TYPE_FILE,
            Store.VERSION_ROW_NAME, null);

    static CommitRecord sample() {
        return new CommitRecord(List.of(5L, 1L << 40),
                List.of(new TreeEntry(9, 0, 41, 3, 1_700_000_001L, TreeEntry.TYPE_DIR, "nodes", null),
                        new TreeEntry(10, 9, 42, -2, 4_300_000_000L, TreeEntry.TYPE_FILE, "größe ✓.cfg",
                                "payload\0with nul".getBytes(StandardCharsets.UTF_8)),
                        new TreeEntry(11, 9, 42, 3, 1, TreeEntry.TYPE_FILE, "empty", null)),
                VERSION_ROW);
    }

    static void assertSame(CommitRecord expected, CommitRecord actual) {
        assertEquals(expected.deleted(), actual.deleted());
        assertEquals(expected.written().size(), actual.written().size());
        for (int i = 0; i < expected.written().size(); i++) {
            assertEntry(expected.written().get(i), actual.written().get(i));
        }
        assertEntry(expected.versionRow(), actual.versionRow());
    }

    static void assertEntry(TreeEntry e, TreeEntry a) {
        assertEquals(e.toString(), a.toString());
        assertArrayEquals(e.data(), a.data(), e.name());
    }

    @Test
    void everyColumnRoundTrips() throws Exception {
        CommitRecord r = sample();
        assertSame(r, CommitRecord.decode(r.encode()));
        CommitRecord empty = new CommitRecord(List.of(), List.of(), VERSION_ROW);
        assertSame(empty, CommitRecord.decode(empty.encode()));
    }

    @Test
    void encodedInPlaceItIsTheSameBytesAtAnyOffset() {
        CommitRecord r = sample();
        byte[] whole = r.encode();
        assertEquals(whole.length, r.encodedLength());
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(whole.length + 20);
        b.position(8);
        r.encodeTo(b);
        assertEquals(8 + whole.length, b.position());
        assertArrayEquals(whole, java.util.Arrays.copyOfRange(b.array(), 8, 8 + whole.length));
    }

    @Test
    void aRecordCutAnywhereOrWithBytesAfterItIsRefused() {
        byte[] bytes = sample().encode();
        for (int cut = 0; cut < bytes.length; cut++) {
            byte[] part = Arrays.copyOf(bytes, cut);
            assertThrows(WireFormatException.class, () -> CommitRecord.decode(part), "cut at " + cut);
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(WireFormatException.class, () -> CommitRecord.decode(longer));
    }

    @Test
    void applyToKeepsTheLastStateOfEveryRow() {
        java.util.Map<Long, TreeEntry> rows = new java.util.HashMap<>();
        java.util.Set<Long> deleted = new java.util.LinkedHashSet<>();
        sample().applyTo(rows, deleted);
        assertEquals(java.util.Set.of(9L, 10L, 11L), rows.keySet());
        assertEquals(java.util.Set.of(5L, 1L << 40), deleted);
        TreeEntry again = new TreeEntry(5, 9, 43, 3, 2, TreeEntry.TYPE_FILE, "back", null);
        new CommitRecord(List.of(10L), List.of(again), VERSION_ROW).applyTo(rows, deleted);
        assertEquals(java.util.Set.of(5L, 9L, 11L), rows.keySet());
        assertEquals(java.util.Set.of(1L << 40, 10L), deleted, "a row written again is no longer deleted");
    }

    @Test
    void aCommitThatRewritesEveryRowOfTheOneBeforeSupersedesIt() {
        TreeEntry v1 = new TreeEntry(10, 9, 43, 3, 2, TreeEntry.TYPE_FILE, "big", new byte[] {1});
        TreeEntry v2 = new TreeEntry(10, 9, 44, 3, 3, TreeEntry.TYPE_FILE, "big", new byte[] {1, 2});
        TreeEntry other = new TreeEntry(12, 9, 44, 3, 3, TreeEntry.TYPE_FILE, "other", null);
        CommitRecord first = new CommitRecord(List.of(), List.of(v1), VERSION_ROW);
        CommitRecord second = new CommitRecord(List.of(), List.of(v2, other), VERSION_ROW);
        assertTrue(second.supersedes(first));
        assertSame(second, CommitRecord.merge(List.of(first, second)));
        assertFalse(first.supersedes(second), "'other' would be lost");
        assertFalse(second.supersedes(new CommitRecord(List.of(7L), List.of(v1), VERSION_ROW)),
                "a deletion before would be lost");
    }
}
