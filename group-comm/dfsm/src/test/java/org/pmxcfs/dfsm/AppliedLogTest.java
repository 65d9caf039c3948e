package org.pmxcfs.dfsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The applied log: bounds, union, trimming, and its codec. */
class AppliedLogTest {

    private static final MemberId A = new MemberId(1, 10);
    private static final MemberId B = new MemberId(2, 20);

    private static byte[] encode(AppliedLog log) {
        ByteBuffer b = ByteBuffer.allocate(log.encodedSize());
        log.writeTo(b);
        return b.array();
    }

    @Test
    void keepsTheNewestEntriesOfEachSender() {
        AppliedLog log = new AppliedLog();
        for (long c = 1; c <= AppliedLog.PER_SENDER + 10; c++) {
            log.record(A, c, (int) c);
        }
        log.record(B, 1, -1);
        assertNull(log.result(A, 10), "the oldest of A are gone");
        assertEquals(11, log.result(A, 11));
        assertEquals(AppliedLog.PER_SENDER + 10, log.result(A, AppliedLog.PER_SENDER + 10));
        assertEquals(-1, log.result(B, 1), "another sender is bounded on its own");
        assertNull(log.result(B, 2));
    }

    @Test
    void aUnionHoldsWhatEitherHeld() {
        AppliedLog x = new AppliedLog();
        x.record(A, 1, 0);
        AppliedLog y = new AppliedLog();
        y.record(A, 2, 3);
        y.record(B, 1, 4);
        x.addAll(y);
        assertEquals(0, x.result(A, 1));
        assertEquals(3, x.result(A, 2));
        assertEquals(4, x.result(B, 1));
        AppliedLog z = new AppliedLog();
        z.replaceWith(x);
        assertEquals(x, z);
    }

    @Test
    void trimDropsTheLowestSendersOutsideTheViewOnly() {
        AppliedLog log = new AppliedLog();
        for (int n = 1; n <= AppliedLog.MAX_SENDERS + 3; n++) {
            log.record(new MemberId(n, 1), 1, 0);
        }
        List<MemberId> view = List.of(new MemberId(1, 1), new MemberId(2, 1));
        log.trim(view);
        assertEquals(AppliedLog.MAX_SENDERS, log.size());
        assertEquals(0, log.result(new MemberId(1, 1), 1), "members stay");
        assertEquals(0, log.result(new MemberId(2, 1), 1), "members stay");
        assertNull(log.result(new MemberId(3, 1), 1), "the lowest non-members go first");
        assertEquals(0, log.result(new MemberId(AppliedLog.MAX_SENDERS + 3, 1), 1));
    }

    /** Simulation seed 37973: node 1's running process, cut off, lost its log to node 3's dead ones. */
    @Test
    void trimDropsEarlierIncarnationsOfMembersBeforeAnyNodeCutOff() {
        AppliedLog log = new AppliedLog();
        MemberId cutOff = new MemberId(1, 50);
        log.record(cutOff, 1, 0);
        for (int pid = 1; pid <= AppliedLog.MAX_SENDERS; pid++) {
            log.record(new MemberId(3, pid), 1, 0); // node 3's earlier incarnations, and its current one
        }
        log.trim(List.of(new MemberId(3, AppliedLog.MAX_SENDERS)));
        assertEquals(0, log.result(cutOff, 1), "a node outside the view keeps its log");
        assertNull(log.result(new MemberId(3, 1), 1), "an earlier incarnation of a member goes first");
        assertEquals(AppliedLog.MAX_SENDERS, log.size());
    }

    @Test
    void roundTripsAndRefusesWhatIsCutShortOrTrailing() throws Exception {
        AppliedLog log = new AppliedLog();
        log.record(A, 5, 0);
        log.record(A, 6, -2);
        log.record(B, Long.MAX_VALUE, 7);
        byte[] bytes = encode(log);
        assertEquals(log, AppliedLog.readFrom(ByteBuffer.wrap(bytes)));
        assertEquals(new AppliedLog(), AppliedLog.readFrom(ByteBuffer.wrap(encode(new AppliedLog()))));
        for (int n = 0; n < bytes.length; n++) {
            byte[] cut = Arrays.copyOf(bytes, n);
            assertThrows(MalformedMessageException.class, () -> AppliedLog.readFrom(ByteBuffer.wrap(cut)), "length " + n);
        }
        byte[] trailing = Arrays.copyOf(bytes, bytes.length + 1);
        assertTrue(assertThrows(MalformedMessageException.class, () -> AppliedLog.readFrom(ByteBuffer.wrap(trailing)))
                .getMessage().contains("after the applied log"));
        ByteBuffer huge = ByteBuffer.allocate(20).putInt(1).putInt(1).putLong(1).putInt(0x7FFF_FFFF);
        assertThrows(MalformedMessageException.class, () -> AppliedLog.readFrom(ByteBuffer.wrap(huge.array())));
    }
}
