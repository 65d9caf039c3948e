package org.pmxcfs.join;

import java.util.Map;
import java.util.TreeMap;

/**
 * A refused join API request or cluster edit: the message the original prints, the HTTP status
 * the API answers with, and optional details ({@code errorN}/{@code warningN}, or parameter name
 * to problem), which clients print one per line.
 */
public final class JoinException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The original's status for an error without a code (a plain Perl {@code die}). */
    public static final int INTERNAL = 500;
    public static final int BAD_REQUEST = 400;

    private final int status;
    private final Map<String, String> details;

    public JoinException(String message) {
        this(INTERNAL, message, Map.of());
    }

    public JoinException(int status, String message, Map<String, String> details) {
        super(message);
        this.status = status;
        this.details = new TreeMap<>(details);
    }

    /** {@code 400 Parameter verification failed.} with one problem per parameter. */
    public static JoinException parameters(Map<String, String> problems) {
        return new JoinException(BAD_REQUEST, "Parameter verification failed.", problems);
    }

    public int status() {
        return status;
    }

    /** Details sorted by key. */
    public Map<String, String> details() {
        return details;
    }
}
