package org.pmxcfs.ipc.client;

import java.io.IOException;

/**
 * The daemon answered a request with an error ({@code "ok": false}); {@link #errno()} is its errno
 * name, e.g. {@code ENOENT}, and the message is the daemon's text.
 */
public class IpcException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String errno;

    public IpcException(String errno, String message) {
        super(message);
        this.errno = errno;
    }

    /** The errno name the daemon reported ({@code ENOENT}, {@code EPERM}, …). */
    public String errno() {
        return errno;
    }
}
