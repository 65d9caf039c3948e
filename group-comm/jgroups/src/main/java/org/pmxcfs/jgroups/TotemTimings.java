package org.pmxcfs.jgroups;

import java.time.Duration;

/**
 * Corosync's membership timings, as the group transport honours them.
 *
 * @param token     the token timeout: {@code token} grown by {@code token_coefficient} for every
 *                  node beyond two; a silent member is suspected after a third of it
 * @param consensus how long a membership round waits for members that do not answer before it
 *                  gives up on them and starts anew; corosync's default is 1.2 × token. Here: how
 *                  long a merge of partitions waits for the other side's coordinators (a third of
 *                  it, scaled as the token is)
 */
public record TotemTimings(Duration token, Duration consensus) {

    public TotemTimings {
        if (token.isNegative() || token.isZero() || consensus.isNegative() || consensus.isZero()) {
            throw new IllegalArgumentException("token and consensus must be positive, got " + token + " and " + consensus);
        }
    }

    /** {@code token} with corosync's default consensus, 1.2 × token. */
    public static TotemTimings of(Duration token) {
        return new TotemTimings(token, defaultConsensus(token));
    }

    /**
     * How long a joining node waits for the coordinator's answer before it asks again (it gives
     * up after three attempts and starts a group of its own): twice the time after which a
     * silent coordinator is suspected (a third of the token), never less than JGroups' 2 s. A
     * fixed 2 s was too short for a coordinator busy with many members (the 27th node of a
     * 32-node cluster on one machine did not get in). Not longer: a node alone waits this long
     * for answers to its discovery before it forms a group of its own, so it delays the start
     * of a node whose peers are down.
     */
    public Duration joinTimeout() {
        return Duration.ofMillis(Math.max(2000, token.toMillis() * 2 / 3));
    }

    /** Corosync's consensus when none is configured (also its minimum): 1.2 × token. */
    public static Duration defaultConsensus(Duration token) {
        return Duration.ofMillis(token.toMillis() * 6 / 5);
    }
}
