package org.pmxcfs.joinapi;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One request and its answer on a join API connection, in the JDK's {@link HttpExchange} shape
 * so that {@link ApiHandler} does not depend on the server. The request was read completely
 * before the exchange exists; the answer always ends the connection ({@code Connection: close}),
 * and closing the exchange closes the connection.
 */
final class JoinExchange extends HttpExchange {

    private static final Map<Integer, String> REASONS = Map.ofEntries(Map.entry(200, "OK"),
            Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"), Map.entry(411, "Length Required"),
            Map.entry(413, "Payload Too Large"), Map.entry(429, "Too Many Requests"),
            Map.entry(431, "Request Header Fields Too Large"), Map.entry(500, "Internal Server Error"),
            Map.entry(501, "Not Implemented"), Map.entry(503, "Service Unavailable"),
            Map.entry(505, "HTTP Version Not Supported"));

    private final JoinConnection connection;
    private final HttpRequestReader.Request request;
    private final Headers responseHeaders = new Headers();
    private final Map<String, Object> attributes = new HashMap<>();
    private InputStream in;
    private OutputStream out;
    private int status = -1;

    JoinExchange(JoinConnection connection, HttpRequestReader.Request request) throws IOException {
        this.connection = connection;
        this.request = request;
        this.in = new ByteArrayInputStream(request.body());
        OutputStream sink = connection.output();
        // closing the response body ends the exchange, as with the JDK's server
        this.out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                sink.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                sink.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                sink.flush();
            }

            @Override
            public void close() {
                JoinExchange.this.close();
            }
        };
    }

    @Override
    public Headers getRequestHeaders() {
        return request.headers();
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        return request.uri();
    }

    @Override
    public String getRequestMethod() {
        return request.method();
    }

    /** There are no contexts: one handler serves every path. */
    @Override
    public HttpContext getHttpContext() {
        return null;
    }

    @Override
    public synchronized void close() {
        try {
            out.flush();
        } catch (IOException ignored) {
            // the peer went away; closing is all that is left
        }
        connection.close();
    }

    @Override
    public InputStream getRequestBody() {
        return in;
    }

    @Override
    public OutputStream getResponseBody() {
        return out;
    }

    /**
     * The status line and headers. {@code length} as the JDK's: &gt; 0 that many bytes follow,
     * -1 none, 0 an unknown number (the end of the connection ends the body).
     */
    @Override
    public synchronized void sendResponseHeaders(int code, long length) throws IOException {
        if (status != -1) {
            throw new IOException("response headers already sent");
        }
        status = code;
        StringBuilder b = new StringBuilder("HTTP/1.1 ").append(code).append(' ')
                .append(REASONS.getOrDefault(code, "Status")).append("\r\n");
        for (Map.Entry<String, List<String>> h : responseHeaders.entrySet()) {
            for (String v : h.getValue()) {
                b.append(h.getKey()).append(": ").append(v).append("\r\n");
            }
        }
        if (length != 0) {
            b.append("Content-Length: ").append(Math.max(0, length)).append("\r\n");
        }
        b.append("Connection: close\r\n\r\n");
        out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return connection.remote();
    }

    @Override
    public synchronized int getResponseCode() {
        return status;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return connection.local();
    }

    @Override
    public String getProtocol() {
        return request.protocol();
    }

    @Override
    public synchronized Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public synchronized void setAttribute(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public synchronized void setStreams(InputStream i, OutputStream o) {
        if (i != null) {
            in = i;
        }
        if (o != null) {
            out = o;
        }
    }

    /** No authentication at the HTTP level: tickets are checked by the handler. */
    @Override
    public HttpPrincipal getPrincipal() {
        return null;
    }
}
