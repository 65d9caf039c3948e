package org.pmxcfs.dbstore;

/** The stored tree is not consistent; the message names the bad row and what to do about it. */
public final class LoadException extends Exception {
    public LoadException(String message) {
        super(message);
    }

    public LoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
