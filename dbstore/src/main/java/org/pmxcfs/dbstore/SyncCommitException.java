package org.pmxcfs.dbstore;

/**
 * A state transfer could not be committed: the leader's tree did not verify or the store failed.
 * Nothing was changed, in RAM or in the store; the caller decides what follows (the original
 * sets its sticky error flag and leaves the group).
 */
public final class SyncCommitException extends Exception {
    public SyncCommitException(String message) {
        super(message);
    }

    public SyncCommitException(String message, Throwable cause) {
        super(message, cause);
    }
}
