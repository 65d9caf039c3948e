package org.pmxcfs.joinapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Request parameters and JSON responses of the join API, in the original's shape: parameters
 * from the query string and a form-encoded or JSON body; answers {@code {"data": ...}}, errors
 * {@code {"data": null, "message": "...", "errors": {...}}} with the HTTP status.
 */
public final class HttpMessages {

    public static final ObjectMapper JSON = new ObjectMapper();
    /** Join requests are small; a larger body is refused before it is read into memory. */
    static final int MAX_BODY = 64 * 1024;

    /** A request that cannot be read: status and message. */
    public static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private HttpMessages() {}

    /** Query and body parameters; a body value wins over a query value of the same name. */
    public static Map<String, String> params(HttpExchange ex) throws IOException, BadRequest {
        Map<String, String> out = new LinkedHashMap<>();
        String query = ex.getRequestURI().getRawQuery();
        if (query != null) {
            out.putAll(form(query));
        }
        byte[] body = body(ex.getRequestBody());
        if (body.length == 0) {
            return out;
        }
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        String text = new String(body, StandardCharsets.UTF_8);
        if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            JsonNode n;
            try {
                n = JSON.readTree(text);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new BadRequest(400, "malformed JSON body: " + e.getOriginalMessage());
            }
            if (!n.isObject()) {
                throw new BadRequest(400, "JSON body must be an object");
            }
            for (Map.Entry<String, JsonNode> f : (Iterable<Map.Entry<String, JsonNode>>) n::fields) {
                JsonNode v = f.getValue();
                if (!v.isValueNode() || v.isNull()) {
                    throw new BadRequest(400, "parameter '" + f.getKey() + "' must be a string, number or boolean");
                }
                out.put(f.getKey(), v.isBoolean() ? (v.booleanValue() ? "1" : "0") : v.asText());
            }
        } else {
            out.putAll(form(text));
        }
        return out;
    }

    private static byte[] body(InputStream in) throws IOException, BadRequest {
        byte[] b = in.readNBytes(MAX_BODY + 1);
        if (b.length > MAX_BODY) {
            throw new BadRequest(413, "request body too large");
        }
        return b;
    }

    /** {@code a=1&b=2}, URL-decoded; a repeated name keeps its last value. */
    static Map<String, String> form(String text) throws BadRequest {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.put(k, v);
            } catch (IllegalArgumentException e) {
                throw new BadRequest(400, "malformed form parameter '" + pair + "'");
            }
        }
        return out;
    }

    /** {@code {"data": data}} with status 200. */
    public static void ok(HttpExchange ex, JsonNode data) {
        ObjectNode o = JSON.createObjectNode();
        o.set("data", data);
        send(ex, 200, o);
    }

    /** An error answer. */
    public static void error(HttpExchange ex, int status, String message, Map<String, String> errors) {
        ObjectNode o = JSON.createObjectNode();
        o.putNull("data");
        o.put("message", message);
        if (!errors.isEmpty()) {
            ObjectNode e = o.putObject("errors");
            errors.forEach(e::put);
        }
        send(ex, status, o);
    }

    /** Sends and closes; a client that went away is no error of ours. */
    static void send(HttpExchange ex, int status, JsonNode body) {
        try (ex) {
            byte[] bytes = JSON.writeValueAsBytes(body);
            ex.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
            ex.getResponseHeaders().set("Cache-Control", "max-age=0");
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException ignored) {
            // the peer closed the connection
        }
    }
}
