package org.pmxcfs.dfsm;

/** A received dfsm message that cannot be decoded: too short, wrong size, unknown type. */
public final class MalformedMessageException extends Exception {

    public MalformedMessageException(String message) {
        super(message);
    }
}
