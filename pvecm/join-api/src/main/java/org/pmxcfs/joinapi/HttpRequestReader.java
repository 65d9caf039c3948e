package org.pmxcfs.joinapi;

import com.sun.net.httpserver.Headers;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;

/**
 * Reads one HTTP/1.x request (request line, headers, a body of {@code Content-Length} bytes) with
 * fixed bounds, so that nothing a client sends makes the server hold more than
 * {@link #MAX_HEADER_BYTES} + {@link HttpMessages#MAX_BODY} bytes for it. Chunked bodies are not
 * accepted: the join API's clients always send a length.
 */
final class HttpRequestReader {

    /** Request line and headers together. */
    static final int MAX_HEADER_BYTES = 16 * 1024;

    /** A request as read from the wire. */
    record Request(String method, URI uri, String protocol, Headers headers, byte[] body) {}

    private HttpRequestReader() {}

    /**
     * Reads one request.
     *
     * @throws HttpMessages.BadRequest with the status to answer if the request is malformed or too large
     * @throws IOException             if the connection fails or ends before the request is complete
     */
    static Request read(InputStream in) throws IOException, HttpMessages.BadRequest {
        String head = head(in);
        String[] lines = head.split("\r\n", -1);
        String[] start = lines[0].split(" ", -1);
        if (start.length != 3 || !start[0].matches("[A-Z]+") || !start[1].startsWith("/")) {
            throw new HttpMessages.BadRequest(400, "malformed request line");
        }
        if (!start[2].equals("HTTP/1.1") && !start[2].equals("HTTP/1.0")) {
            throw new HttpMessages.BadRequest(505, "HTTP version not supported (use HTTP/1.1)");
        }
        URI uri;
        try {
            uri = new URI(start[1]);
        } catch (URISyntaxException e) {
            throw new HttpMessages.BadRequest(400, "malformed request target");
        }
        Headers headers = new Headers();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0 || lines[i].charAt(0) == ' ' || lines[i].charAt(0) == '\t') {
                throw new HttpMessages.BadRequest(400, "malformed header line");
            }
            headers.add(lines[i].substring(0, colon), lines[i].substring(colon + 1).strip());
        }
        return new Request(start[0], uri, start[2], headers, body(in, headers));
    }

    /** Everything up to the empty line, without it; only CRLF line ends, as HTTP requires. */
    private static String head(InputStream in) throws IOException, HttpMessages.BadRequest {
        ByteArrayOutputStream b = new ByteArrayOutputStream(512);
        int matched = 0; // of "\r\n\r\n"
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed before the request headers ended");
            }
            if (b.size() >= MAX_HEADER_BYTES) {
                throw new HttpMessages.BadRequest(431, "request headers too large");
            }
            b.write(c);
            matched = c == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        byte[] bytes = b.toByteArray();
        return new String(bytes, 0, bytes.length - 4, StandardCharsets.ISO_8859_1);
    }

    private static byte[] body(InputStream in, Headers headers) throws IOException, HttpMessages.BadRequest {
        if (headers.containsKey("Transfer-Encoding")) {
            throw new HttpMessages.BadRequest(411, "chunked request bodies are not supported - send Content-Length");
        }
        String length = headers.getFirst("Content-Length");
        if (length == null) {
            return new byte[0];
        }
        long n;
        try {
            n = Long.parseLong(length);
        } catch (NumberFormatException e) {
            throw new HttpMessages.BadRequest(400, "malformed Content-Length");
        }
        if (n < 0) {
            throw new HttpMessages.BadRequest(400, "malformed Content-Length");
        }
        if (n > HttpMessages.MAX_BODY) {
            throw new HttpMessages.BadRequest(413, "request body too large");
        }
        byte[] body = in.readNBytes((int) n);
        if (body.length < n) {
            throw new EOFException("connection closed before the request body ended");
        }
        return body;
    }
}
