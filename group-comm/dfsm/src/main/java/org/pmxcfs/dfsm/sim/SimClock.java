package org.pmxcfs.dfsm.sim;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Virtual time for simulations: moves only when {@link #advance} is called. */
public final class SimClock extends Clock {

    private long millis;

    /** A clock at {@code startMillis} since the Unix epoch. */
    public SimClock(long startMillis) {
        this.millis = startMillis;
    }

    /** Moves time forward by {@code deltaMillis} (not negative). */
    public void advance(long deltaMillis) {
        if (deltaMillis < 0) {
            throw new IllegalArgumentException("time only moves forward");
        }
        millis += deltaMillis;
    }

    @Override
    public long millis() {
        return millis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("simulated time has no zones");
    }
}
