package org.pmxcfs.dfsm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SyncRoundsTest {

    @Test
    void aRoundCutShortCountsOnceWithItsWholeDuration() {
        SyncRounds r = new SyncRounds();
        r.started(100);
        r.started(150); // another view change before the round completed
        r.completed(400);
        r.completed(500); // no round open: ignored
        assertEquals(new SyncRounds.Snapshot(1, 1, 300, 300), r.snapshot());
        r.started(1000);
        r.abandoned(); // an error mode: the restart is a new round
        r.started(2000);
        r.completed(2100);
        assertEquals(new SyncRounds.Snapshot(3, 2, 400, 100), r.snapshot());
    }
}
