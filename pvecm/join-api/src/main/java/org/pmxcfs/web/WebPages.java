package org.pmxcfs.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import org.pmxcfs.joinapi.HttpMessages;

/**
 * The page itself: {@code /} and {@code /pve-web/<file>} from this package's resources in the
 * jar (nothing is fetched from elsewhere); everything under {@code /api2/} goes to the API.
 */
public final class WebPages implements HttpHandler {

    private static final Map<String, String> FILES = Map.of(
            "/", "index.html",
            "/pve-web/app.js", "app.js",
            "/pve-web/app.css", "app.css");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html;charset=UTF-8",
            "js", "text/javascript;charset=UTF-8",
            "css", "text/css;charset=UTF-8");

    private final HttpHandler api;

    public WebPages(HttpHandler api) {
        this.api = api;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (path.startsWith("/api2/")) {
            api.handle(ex);
            return;
        }
        String file = FILES.get(path);
        if (file == null || !ex.getRequestMethod().equals("GET")) {
            HttpMessages.error(ex, 404, "no such page '" + path + "'", Map.of());
            return;
        }
        byte[] body;
        try (InputStream in = WebPages.class.getResourceAsStream(file)) {
            if (in == null) {
                HttpMessages.error(ex, 500, "page '" + file + "' is missing from the jar - rebuild pmxcfs", Map.of());
                return;
            }
            body = in.readAllBytes();
        }
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", TYPES.get(file.substring(file.lastIndexOf('.') + 1)));
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            // the page loads its own files only; framing by other sites is refused
            ex.getResponseHeaders().set("Content-Security-Policy",
                    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
            ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException ignored) {
            // the browser went away
        }
    }
}
