package org.pmxcfs.dbstore;

/** The durable store failed to read or write. */
public final class StoreException extends Exception {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
