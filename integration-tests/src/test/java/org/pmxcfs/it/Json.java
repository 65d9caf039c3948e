package org.pmxcfs.it;

import java.io.IOException;

/**
 * Proves that status files are valid JSON, with the protocol's strict mapper (no duplicate keys,
 * nothing after the value, no NaN; Jackson's defaults refuse comments, single quotes, leading
 * zeros and raw control characters).
 */
final class Json {
    private Json() {}

    /** Parses a complete document into maps, lists, strings, numbers, booleans and nulls. */
    static Object parse(String text) {
        try {
            return org.pmxcfs.ipc.client.Json.MAPPER.readValue(text, Object.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid JSON: " + e.getMessage(), e);
        }
    }
}
