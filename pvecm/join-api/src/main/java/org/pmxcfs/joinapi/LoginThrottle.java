package org.pmxcfs.joinapi;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Slows down password guessing, per source address: a failed login is answered only after
 * {@link #FAILURE_DELAY} (as the original's API server does), and the next password check for the
 * same address does not start before that delay after the previous check — so parallel requests
 * do not multiply the guesses. A successful check lifts the wait at once.
 *
 * <p>Bounded: at most {@link #MAX_PENDING_PER_ADDRESS} attempts of one address and
 * {@link #MAX_PENDING} in all may wait (for their check or for their delayed answer); more are
 * refused at once, without checking the password. Entries of addresses with nothing pending and no wait left are dropped.
 *
 * <p>Pure bookkeeping over an injected clock: the caller runs the check at the time
 * {@link #admit} returns, then calls {@link #succeeded}, or {@link #failed} and answers after the
 * delay it returns and calls {@link #answered}.
 */
public final class LoginThrottle {

    public static final Duration FAILURE_DELAY = Duration.ofSeconds(3);
    static final int MAX_PENDING_PER_ADDRESS = 4;
    static final int MAX_PENDING = 256;

    private static final class State {
        long nextCheck;
        int pending;
    }

    private final LongSupplier clockMillis;
    private final long delayMillis;
    private final Map<String, State> byAddress = new HashMap<>();
    private int pending;

    public LoginThrottle(LongSupplier clockMillis) {
        this(clockMillis, FAILURE_DELAY);
    }

    LoginThrottle(LongSupplier clockMillis, Duration delay) {
        this.clockMillis = clockMillis;
        this.delayMillis = delay.toMillis();
    }

    /**
     * Registers an attempt from {@code address}.
     *
     * @return the clock time at which its password may be checked (now or later), or empty if
     *         too many attempts are waiting: refuse it without a check
     */
    public synchronized OptionalLong admit(String address) {
        long now = clockMillis.getAsLong();
        purge(now);
        State s = byAddress.get(address);
        if (pending >= MAX_PENDING || (s != null && s.pending >= MAX_PENDING_PER_ADDRESS)) {
            return OptionalLong.empty();
        }
        if (s == null) {
            s = new State();
            s.nextCheck = now;
            byAddress.put(address, s);
        }
        long at = Math.max(now, s.nextCheck);
        // reserve the window: a check running at 'at' may fail, so the next one waits behind it
        s.nextCheck = at + delayMillis;
        s.pending++;
        pending++;
        return OptionalLong.of(at);
    }

    /**
     * The check of an admitted attempt failed. The attempt stays pending until
     * {@link #answered}, so the delayed answers count towards the bounds too.
     *
     * @return milliseconds to wait before answering it
     */
    public synchronized long failed(String address) {
        State s = byAddress.get(address);
        if (s != null) {
            s.nextCheck = Math.max(s.nextCheck, clockMillis.getAsLong() + delayMillis);
        }
        return delayMillis;
    }

    /** The delayed answer of a failed attempt was sent. */
    public synchronized void answered(String address) {
        release(address);
    }

    /** The check of an admitted attempt succeeded: later attempts of this address need not wait. */
    public synchronized void succeeded(String address) {
        State s = release(address);
        if (s != null) {
            s.nextCheck = clockMillis.getAsLong();
        }
    }

    /** Attempts admitted and not yet answered (tests). */
    synchronized int pending() {
        return pending;
    }

    /** Addresses tracked (tests). */
    synchronized int tracked() {
        purge(clockMillis.getAsLong());
        return byAddress.size();
    }

    private State release(String address) {
        State s = byAddress.get(address);
        if (s != null && s.pending > 0) {
            s.pending--;
            pending--;
        }
        return s;
    }

    private void purge(long now) {
        for (Iterator<State> it = byAddress.values().iterator(); it.hasNext(); ) {
            State s = it.next();
            if (s.pending == 0 && s.nextCheck <= now) {
                it.remove();
            }
        }
    }
}
