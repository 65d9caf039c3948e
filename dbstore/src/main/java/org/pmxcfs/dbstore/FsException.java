package org.pmxcfs.dbstore;

/** A filesystem operation failed with an errno; the message is for logs, the errno for the caller. */
public final class FsException extends RuntimeException {
    private final Errno errno;

    public FsException(Errno errno) {
        this(errno, errno.name());
    }

    public FsException(Errno errno, String message) {
        super(message, null, false, false);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
