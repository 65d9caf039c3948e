package org.pmxcfs.joinapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final LoginThrottle t = new LoginThrottle(now::get);

    @Test
    void firstAttemptIsCheckedAtOnceAndAFailureIsAnsweredAfterThreeSeconds() {
        assertEquals(now.get(), t.admit("10.0.0.9").getAsLong());
        assertEquals(3000, t.failed("10.0.0.9"));
    }

    @Test
    void nextAttemptOfTheSameAddressWaitsBehindTheFailure() {
        long t0 = now.get();
        t.admit("10.0.0.9");
        t.failed("10.0.0.9");
        now.addAndGet(500);
        // still within the delay: checked only 3 s after the failure
        assertEquals(t0 + 3000, t.admit("10.0.0.9").getAsLong());
    }

    @Test
    void parallelAttemptsAreCheckedOnePerDelay() {
        long t0 = now.get();
        assertEquals(t0, t.admit("a").getAsLong());
        assertEquals(t0 + 3000, t.admit("a").getAsLong());
        assertEquals(t0 + 6000, t.admit("a").getAsLong());
    }

    @Test
    void otherAddressesAreNotSlowedDown() {
        t.admit("a");
        t.failed("a");
        assertEquals(now.get(), t.admit("b").getAsLong());
    }

    @Test
    void successLiftsTheWait() {
        t.admit("a");
        t.succeeded("a");
        assertEquals(now.get(), t.admit("a").getAsLong());
    }

    @Test
    void pendingAttemptsPerAddressAreBounded() {
        for (int i = 0; i < LoginThrottle.MAX_PENDING_PER_ADDRESS; i++) {
            assertTrue(t.admit("a").isPresent());
        }
        assertTrue(t.admit("a").isEmpty());
        assertTrue(t.admit("b").isPresent());
    }

    @Test
    void delayedAnswersCountUntilSent() {
        for (int i = 0; i < LoginThrottle.MAX_PENDING_PER_ADDRESS; i++) {
            t.admit("a");
            t.failed("a");
        }
        assertTrue(t.admit("a").isEmpty());
        t.answered("a");
        assertTrue(t.admit("a").isPresent());
    }

    @Test
    void pendingAttemptsInAllAreBounded() {
        for (int i = 0; i < LoginThrottle.MAX_PENDING; i++) {
            assertTrue(t.admit("10.1." + (i / 256) + "." + (i % 256)).isPresent());
        }
        assertTrue(t.admit("10.9.9.9").isEmpty());
    }

    @Test
    void forgottenOnceTheDelayIsOver() {
        t.admit("a");
        t.failed("a");
        t.answered("a");
        assertEquals(1, t.tracked());
        now.addAndGet(3000);
        assertEquals(0, t.tracked());
        assertEquals(0, t.pending());
        assertEquals(now.get(), t.admit("a").getAsLong());
    }
}
