package org.pmxcfs.pvecm;

/**
 * A pvecm command failed with a message for the user (the original's {@code die "...\n"}):
 * {@link Pvecm} prints the message to stderr and exits with {@link #exitCode()}.
 */
public class PvecmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    /** Fails with exit code 1. */
    public PvecmException(String message) {
        this(message, 1);
    }

    public PvecmException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public PvecmException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = 1;
    }

    public int exitCode() {
        return exitCode;
    }
}
