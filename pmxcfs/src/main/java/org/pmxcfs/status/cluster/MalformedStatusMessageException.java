package org.pmxcfs.status.cluster;

/** A status group message or state that does not decode; the text says what is wrong. */
public final class MalformedStatusMessageException extends Exception {

    private static final long serialVersionUID = 1L;

    public MalformedStatusMessageException(String message) {
        super(message);
    }
}
