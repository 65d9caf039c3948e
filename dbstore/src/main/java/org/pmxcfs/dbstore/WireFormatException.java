package org.pmxcfs.dbstore;

/**
 * Bytes received from another node do not have the layout their message type requires. The
 * message says which field is wrong; the decoders never throw anything else on bad input.
 */
public final class WireFormatException extends Exception {
    public WireFormatException(String message) {
        super(message);
    }
}
