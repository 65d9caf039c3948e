package org.pmxcfs.status.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pmxcfs.status.ClusterLog;
import org.pmxcfs.status.ClusterLogEntry;

/** Reference 3.8 / 3.9: the kvstore wire formats, byte for byte, and their round trips. */
class StatusMessagesTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static final ClusterLogEntry ENTRY =
            new ClusterLogEntry(17, 1_716_543_300L, 6, "pvedaemon", 4711, "pmxa-n1", "root@pam", "starting task");

    // ---------------------------------------------------------------- UPDATE

    @Test
    void expectedVotesRoundTripAndRejectsWrongSizes() throws Exception {
        assertArrayEquals(new byte[] {2, 0, 0, 0}, StatusMessages.encodeExpected(2));
        assertEquals(2, StatusMessages.decodeExpected(StatusMessages.encodeExpected(2)));
        assertThrows(MalformedStatusMessageException.class, () -> StatusMessages.decodeExpected(new byte[3]));
        assertThrows(MalformedStatusMessageException.class, () -> StatusMessages.decodeExpected(new byte[5]));
    }

    @Test
    void updateIsANulPaddedKeyFieldThenTheValue() {
        byte[] m = StatusMessages.encodeUpdate("tasklist", b("[1,2]"));
        assertEquals(256 + 5, m.length);
        assertArrayEquals(b("tasklist"), Arrays.copyOfRange(m, 0, 8));
        assertArrayEquals(new byte[248], Arrays.copyOfRange(m, 8, 256));
        assertArrayEquals(b("[1,2]"), Arrays.copyOfRange(m, 256, m.length));

        StatusMessages.KvUpdate u = assertDoesNotThrowDecode(m);
        assertEquals("tasklist", u.key());
        assertArrayEquals(b("[1,2]"), u.value());
    }

    @Test
    void emptyValueTravelsAsADeletion() throws Exception {
        byte[] m = StatusMessages.encodeUpdate("kv/ceph-versions", new byte[0]);
        assertEquals(256, m.length);
        assertEquals(0, StatusMessages.decodeUpdate(m).value().length);
    }

    @Test
    void valuesKeepTheirBytesIncludingNuls() throws Exception {
        byte[] v = b("192.168.1.11\0");
        assertArrayEquals(v, StatusMessages.decodeUpdate(StatusMessages.encodeUpdate("nodeip", v)).value());
        byte[] big = new byte[32 * 1024];
        Arrays.fill(big, (byte) 0xAB);
        assertArrayEquals(big, StatusMessages.decodeUpdate(StatusMessages.encodeUpdate("k", big)).value());
    }

    @Test
    void keysUpTo255BytesFit() throws Exception {
        String k = "k".repeat(255);
        assertEquals(k, StatusMessages.decodeUpdate(StatusMessages.encodeUpdate(k, b("v"))).key());
        String utf8 = "é".repeat(127); // 254 bytes
        assertEquals(utf8, StatusMessages.decodeUpdate(StatusMessages.encodeUpdate(utf8, b("v"))).key());
        assertThrows(IllegalArgumentException.class, () -> StatusMessages.encodeUpdate("k".repeat(256), b("v")));
        assertThrows(IllegalArgumentException.class, () -> StatusMessages.encodeUpdate("", b("v")));
        assertThrows(IllegalArgumentException.class, () -> StatusMessages.encodeUpdate("a\0b", b("v")));
    }

    @Test
    void malformedUpdatesAreRefused() {
        assertThrows(MalformedStatusMessageException.class, () -> StatusMessages.decodeUpdate(new byte[255]));
        byte[] unterminated = new byte[300];
        Arrays.fill(unterminated, 0, 256, (byte) 'x');
        assertThrows(MalformedStatusMessageException.class, () -> StatusMessages.decodeUpdate(unterminated));
        assertThrows(MalformedStatusMessageException.class, () -> StatusMessages.decodeUpdate(new byte[256]));
    }

    private static StatusMessages.KvUpdate assertDoesNotThrowDecode(byte[] m) {
        try {
            return StatusMessages.decodeUpdate(m);
        } catch (MalformedStatusMessageException e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- LOG

    @Test
    void logEntryFollowsThePackedLayout() {
        byte[] m = StatusMessages.encodeLog(ENTRY);
        int strings = 8 + 9 + 10 + 14; // node, ident, tag, msg with their NULs
        assertEquals(48 + strings, m.length);
        ByteBuffer b = le(m);
        assertEquals(0, b.getInt(0)); // prev
        assertEquals(0, b.getInt(4)); // next
        assertEquals(17, b.getInt(8));
        assertEquals(1_716_543_300, b.getInt(12));
        assertEquals(0xdd74a03998cebee7L, b.getLong(16)); // FNV-1a of "pmxa-n1\0", as ClusterLog's digest
        assertEquals(PackedLogEntry.fnv1a(b("root@pam\0")), b.getLong(24));
        assertEquals(4711, b.getInt(32));
        assertEquals(6, b.get(36));
        assertEquals(8, b.get(37));
        assertEquals(9, b.get(38));
        assertEquals(10, b.get(39));
        assertEquals(14, b.getInt(40));
        assertEquals("pmxa-n1\0root@pam\0pvedaemon\0starting task\0",
                new String(m, 44, strings, StandardCharsets.UTF_8));
        assertArrayEquals(new byte[4], Arrays.copyOfRange(m, 44 + strings, m.length)); // struct padding
    }

    @Test
    void logEntryRoundTrips() throws Exception {
        assertEquals(ENTRY, StatusMessages.decodeLog(StatusMessages.encodeLog(ENTRY)));
        ClusterLogEntry extremes = new ClusterLogEntry(0xFFFF_FFFFL, 0xFFFF_FFFFL, 0, "t", 0xFFFF_FFFFL, "n", "", "");
        assertEquals(extremes, StatusMessages.decodeLog(StatusMessages.encodeLog(extremes)));
        ClusterLogEntry utf8 = new ClusterLogEntry(1, 2, 7, "tâg", 3, "nöde", "üser", "m\\u00e9ssage");
        assertEquals(utf8, StatusMessages.decodeLog(StatusMessages.encodeLog(utf8)));
    }

    @Test
    void entriesMadeByTheClusterLogRoundTripAtTheirLimits() throws Exception {
        ClusterLog log = new ClusterLog("n".repeat(300));
        ClusterLogEntry e = log.addLocal(3, "u".repeat(300), "t".repeat(300), 1, "x".repeat(10_000), 5);
        byte[] m = StatusMessages.encodeLog(e);
        assertTrue(m.length <= ClusterLog.MAX_ENTRY_SIZE && m.length > ClusterLog.MAX_ENTRY_SIZE - 8, "size " + m.length);
        assertEquals(e, StatusMessages.decodeLog(m));
    }

    @Test
    void malformedLogEntriesAreRefused() {
        byte[] good = StatusMessages.encodeLog(ENTRY);
        assertThrows(MalformedStatusMessageException.class, () -> StatusMessages.decodeLog(new byte[47]));
        assertThrows(MalformedStatusMessageException.class,
                () -> StatusMessages.decodeLog(Arrays.copyOf(good, good.length + 1)));
        assertThrows(MalformedStatusMessageException.class,
                () -> StatusMessages.decodeLog(Arrays.copyOf(good, good.length - 1)));
        byte[] unterminated = good.clone();
        unterminated[44 + 7] = 'x'; // the node's NUL
        assertThrows(MalformedStatusMessageException.class, () -> StatusMessages.decodeLog(unterminated));
        byte[] badPri = good.clone();
        badPri[36] = 8;
        assertThrows(MalformedStatusMessageException.class, () -> StatusMessages.decodeLog(badPri));
        byte[] hugeMsg = good.clone();
        le(hugeMsg).putInt(40, -1);
        assertThrows(MalformedStatusMessageException.class, () -> StatusMessages.decodeLog(hugeMsg));
    }

    // ---------------------------------------------------------------- STATE

    @Test
    void stateRoundTripsAClusterLogInOrder() throws Exception {
        ClusterLog log = new ClusterLog("pmxa-n1");
        for (int i = 0; i < 200; i++) {
            log.addLocal(i % 8, "root@pam", "tag" + i, 100 + i, "message " + "y".repeat(i), 1000 + i / 3);
        }
        List<ClusterLogEntry> entries = log.stateForSync();
        byte[] state = StatusMessages.encodeState(entries);
        assertEquals(state.length, le(state).getInt(0));
        assertEquals(entries.size(), le(state).getInt(4));
        assertEquals(entries, StatusMessages.decodeState(state));
    }

    @Test
    void stateEntriesStartOn8ByteBoundaries() throws Exception {
        ClusterLogEntry a = new ClusterLogEntry(1, 1, 6, "t", 1, "n1", "u", "odd"); // 48 + 3 + 2 + 2 + 4 = 59
        ClusterLogEntry c = new ClusterLogEntry(2, 2, 6, "t", 1, "n1", "u", "second");
        byte[] state = StatusMessages.encodeState(List.of(a, c));
        assertEquals(8 + 64 + 64, state.length);
        assertEquals(2, le(state).getInt(8 + 64 + 8)); // second entry's uid
        assertEquals(List.of(a, c), StatusMessages.decodeState(state));
    }

    @Test
    void emptyState() throws Exception {
        byte[] state = StatusMessages.encodeState(List.of());
        assertEquals(8, state.length);
        assertTrue(StatusMessages.decodeState(state).isEmpty());
    }

    @Test
    void malformedStatesAreRefused() {
        byte[] good = StatusMessages.encodeState(List.of(ENTRY, ENTRY));
        assertThrows(MalformedStatusMessageException.class, () -> StatusMessages.decodeState(new byte[4]));
        byte[] wrongSize = good.clone();
        le(wrongSize).putInt(0, good.length + 8);
        assertThrows(MalformedStatusMessageException.class, () -> StatusMessages.decodeState(wrongSize));
        byte[] tooMany = good.clone();
        le(tooMany).putInt(4, 3);
        assertThrows(MalformedStatusMessageException.class, () -> StatusMessages.decodeState(tooMany));
        byte[] tooFew = good.clone();
        le(tooFew).putInt(4, 1);
        assertThrows(MalformedStatusMessageException.class, () -> StatusMessages.decodeState(tooFew));
        byte[] lying = good.clone();
        le(lying).putInt(4, Integer.MAX_VALUE);
        assertThrows(MalformedStatusMessageException.class, () -> StatusMessages.decodeState(lying));
        byte[] truncated = Arrays.copyOf(good, good.length - 8);
        le(truncated).putInt(0, truncated.length);
        assertThrows(MalformedStatusMessageException.class, () -> StatusMessages.decodeState(truncated));
    }
}
