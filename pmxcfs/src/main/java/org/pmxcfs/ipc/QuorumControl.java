package org.pmxcfs.ipc;

import com.fasterxml.jackson.databind.JsonNode;

/** What pvecm needs from the quorum service: its state, and the expected-votes override. */
public interface QuorumControl {

    /** The votequorum state (cluster, membership, votes, flags) as JSON for {@code pvecm status}. */
    JsonNode quorumStatus();

    /**
     * {@code pvecm expected <votes>}: applied here at once and sent to the other members.
     *
     * @return null if accepted, else the original's error text plus the reason
     */
    String setExpected(long votes);
}
