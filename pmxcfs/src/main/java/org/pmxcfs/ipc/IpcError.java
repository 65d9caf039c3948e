package org.pmxcfs.ipc;

import org.pmxcfs.dbstore.Errno;

/**
 * A request failed with an errno name and a message; the server turns it into an
 * {@code "ok": false} response.
 */
public final class IpcError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String errno;

    public IpcError(String errno, String message) {
        super(message, null, false, false);
        this.errno = errno;
    }

    public IpcError(Errno errno, String message) {
        this(errno.name(), message);
    }

    public String errno() {
        return errno;
    }
}
