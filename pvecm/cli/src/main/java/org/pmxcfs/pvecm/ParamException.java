package org.pmxcfs.pvecm;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A schema violation in pvecm's parameters, printed the original's way (PVE::JSONSchema /
 * PVE::Exception):
 *
 * <pre>
 * 400 Parameter verification failed.
 * clustername: value may only be 15 characters long
 * pvecm create &lt;clustername&gt; [OPTIONS]
 * </pre>
 *
 * The last line is the command's short usage, added by {@link Pvecm} when it prints the error.
 */
public final class ParamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Map<String, String> errors;

    /** One error per parameter, in the order they are to be printed. */
    public ParamException(Map<String, String> errors) {
        super("Parameter verification failed.");
        this.errors = Collections.unmodifiableMap(new LinkedHashMap<>(errors));
    }

    public static ParamException of(String param, String reason) {
        return new ParamException(Map.of(param, reason));
    }

    /** Parameter name → reason, in print order. */
    public Map<String, String> errors() {
        return errors;
    }

    /** {@code 400 Parameter verification failed.} and one {@code <param>: <reason>} line per error. */
    public String text() {
        StringBuilder sb = new StringBuilder("400 Parameter verification failed.\n");
        errors.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
        return sb.toString();
    }
}
