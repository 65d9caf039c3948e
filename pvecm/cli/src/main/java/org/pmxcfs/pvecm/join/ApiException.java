package org.pmxcfs.pvecm.join;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/** An error answer of the join API: HTTP status, message and details ({@code errors}). */
public final class ApiException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final Map<String, String> errors;

    public ApiException(int status, String message, Map<String, String> errors) {
        super(message);
        this.status = status;
        this.errors = new TreeMap<>(errors);
    }

    public int status() {
        return status;
    }

    /** Details sorted by key ({@code error0}, {@code warning0}, or parameter names). */
    public Map<String, String> errors() {
        return errors;
    }
}
