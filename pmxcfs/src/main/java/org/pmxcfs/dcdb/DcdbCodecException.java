package org.pmxcfs.dcdb;

/**
 * A dcdb message cannot be decoded (received bytes with the wrong layout, an unknown type), or an
 * operation cannot be encoded (a value outside its 32-bit wire field). The message says what.
 */
public final class DcdbCodecException extends Exception {
    public DcdbCodecException(String message) {
        super(message);
    }
}
