package org.pmxcfs.quorum;

import java.util.Objects;

/** The answer to {@link VoteQuorum#setExpected(long)} ({@code pvecm expected <n>}). */
public sealed interface SetExpectedResult permits SetExpectedResult.Accepted, SetExpectedResult.Rejected {

    /**
     * votequorum took the new value.
     *
     * @param quorum the calculator with the override in place; {@code quorum.status()} is the new state
     */
    record Accepted(VoteQuorum quorum) implements SetExpectedResult {

        public Accepted {
            Objects.requireNonNull(quorum, "quorum");
        }
    }

    /**
     * The value was refused; nothing changed.
     *
     * @param message the original's error text, e.g.
     *                {@code Unable to set expected votes: CS_ERR_INVALID_PARAM}
     * @param reason  which rule refused it and why, for a human (the original gives no reason)
     */
    record Rejected(String message, String reason) implements SetExpectedResult {

        public Rejected {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
