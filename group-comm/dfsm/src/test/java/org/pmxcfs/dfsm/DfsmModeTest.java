package org.pmxcfs.dfsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DfsmModeTest {

    @Test
    void codesAreTheOriginals() {
        assertEquals(0, DfsmMode.START.code());
        assertEquals(1, DfsmMode.START_SYNC.code());
        assertEquals(2, DfsmMode.SYNCED.code());
        assertEquals(3, DfsmMode.UPDATE.code());
        assertEquals(253, DfsmMode.LEAVE.code());
        assertEquals(254, DfsmMode.VERSION_ERROR.code());
        assertEquals(255, DfsmMode.ERROR.code());
        for (MessageType t : MessageType.values()) {
            assertEquals(t, MessageType.of(t.code()));
        }
        assertEquals(null, MessageType.of(7));
    }

    @Test
    void errorModesOnlyEscalate() {
        for (DfsmMode from : DfsmMode.values()) {
            for (DfsmMode to : DfsmMode.values()) {
                boolean expected = !from.isError() || (to.isError() && to.code() >= from.code());
                assertEquals(expected, from.accepts(to), from + " -> " + to);
            }
        }
        assertTrue(DfsmMode.LEAVE.accepts(DfsmMode.ERROR));
        assertFalse(DfsmMode.ERROR.accepts(DfsmMode.LEAVE));
        assertFalse(DfsmMode.VERSION_ERROR.accepts(DfsmMode.SYNCED));
    }
}
