package org.pmxcfs.qdevice;

import java.io.IOException;

/** A frame or an exchange that breaks the qnetd protocol; the connection is given up. */
public final class QnetdProtocolException extends IOException {

    public QnetdProtocolException(String message) {
        super(message);
    }
}
