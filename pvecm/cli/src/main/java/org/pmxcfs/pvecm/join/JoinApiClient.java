package org.pmxcfs.pvecm.join;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;

/**
 * The joining node's client of a member's join API ({@code https://<host>:<port>/api2/json}),
 * pinned to one certificate fingerprint: login with {@code root@pam} and its password, then
 * GET and POST with the ticket cookie and CSRF token, as the original's API client does.
 */
public final class JoinApiClient {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** addnode may wait 10 s for the cluster lock and 30 s for a cluster write. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String host;
    private final int port;
    private String ticket;
    private String csrf;

    /** A client that only talks to a server presenting the certificate with {@code fingerprint}. */
    public JoinApiClient(String host, int port, String fingerprint) throws IOException {
        this.host = host;
        this.port = port;
        SSLContext ctx;
        try {
            ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new PinnedTrustManager(fingerprint)}, null);
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS is not available: " + e.getMessage(), e);
        }
        this.http = HttpClient.newBuilder().sslContext(ctx).connectTimeout(CONNECT_TIMEOUT).build();
    }

    /**
     * {@code POST /access/ticket}.
     *
     * @throws ApiException 401 {@code authentication failure} for a wrong password
     */
    public void login(String user, char[] password) throws IOException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("username", user);
        form.put("password", new String(password));
        JsonNode data = post("/access/ticket", form);
        ticket = data.path("ticket").asText(null);
        csrf = data.path("CSRFPreventionToken").asText(null);
        if (ticket == null || csrf == null) {
            throw new IOException("login answer without ticket");
        }
    }

    /** GET; returns {@code data}. */
    public JsonNode get(String path) throws IOException {
        return send(request(path).GET());
    }

    /** POST with form parameters; returns {@code data}. */
    public JsonNode post(String path, Map<String, String> params) throws IOException {
        String body = params.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder b = request(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (csrf != null) {
            b.header("CSRFPreventionToken", csrf);
        }
        return send(b);
    }

    private HttpRequest.Builder request(String path) throws IOException {
        URI uri;
        try {
            uri = new URI("https", null, host, port, "/api2/json" + path, null, null);
        } catch (URISyntaxException e) {
            throw new IOException("invalid host '" + host + "': " + e.getMessage(), e);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT);
        if (ticket != null) {
            b.header("Cookie", "PVEAuthCookie=" + enc(ticket));
        }
        return b;
    }

    private JsonNode send(HttpRequest.Builder b) throws IOException {
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (SSLHandshakeException e) {
            throw new IOException("500 Can't connect to " + host + ":" + port + " (" + rootMessage(e) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            throw new IOException("500 Can't connect to " + host + ":" + port + " (" + rootMessage(e) + ")", e);
        }
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            body = null;
        }
        if (r.statusCode() != 200) {
            String msg = body != null && body.path("message").isTextual() ? body.get("message").asText()
                    : "HTTP status " + r.statusCode();
            Map<String, String> errors = new LinkedHashMap<>();
            if (body != null && body.path("errors").isObject()) {
                body.get("errors").fields().forEachRemaining(f -> errors.put(f.getKey(), f.getValue().asText()));
            }
            throw new ApiException(r.statusCode(), msg, errors);
        }
        if (body == null || !body.has("data")) {
            throw new IOException("malformed answer from " + host + ": no data");
        }
        return body.get("data");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
