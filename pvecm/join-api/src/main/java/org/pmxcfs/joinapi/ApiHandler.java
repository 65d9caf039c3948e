package org.pmxcfs.joinapi;

import org.pmxcfs.join.AddNode;
import org.pmxcfs.join.AddNodeRequest;
import org.pmxcfs.join.ClusterAccess;
import org.pmxcfs.join.JoinException;
import org.pmxcfs.join.JoinInfo;
import org.pmxcfs.join.JoinPassword;
import org.pmxcfs.join.NodeName;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The join API's requests, under {@code /api2/json} as in the original:
 * <ul>
 * <li>{@code POST /access/ticket} ({@code username=root@pam}, {@code password=<root password or
 *     join password>}, {@link Credentials}): a ticket and CSRF token; a wrong password answers 401
 *     after {@link LoginThrottle}'s delay and logs
 *     {@code authentication failure; rhost=<ip> user=<user>};</li>
 * <li>{@code GET /cluster/config/join[?node=]} ({@link JoinInfo});</li>
 * <li>{@code GET /cluster/config/apiversion}: {@value #API_VERSION};</li>
 * <li>{@code POST /cluster/config/nodes/{node}} ({@link AddNode}): {@code corosync_authkey}
 *     (base64), {@code corosync_conf}, {@code warnings}.</li>
 * <li>the requests of {@link ApiRoutes} (the web page's), behind the same checks.</li>
 * </ul>
 * All but the login need the ticket ({@code PVEAuthCookie} cookie), and POSTs its CSRF token;
 * anything else is 501 {@code Method '<M> <path>' not implemented}, which is what tells a joining
 * node that the peer cannot do an API join.
 */
public final class ApiHandler implements HttpHandler {

    /** The join API version ({@code pvecm apiver}). */
    public static final int API_VERSION = 1;
    static final String PREFIX = "/api2/json";

    private static final Logger log = LoggerFactory.getLogger("join");

    private final ClusterAccess access;
    private final Credentials credentials;
    private final ApiRoutes more;
    private final AddNode addNode;
    private final LoginThrottle throttle;
    private final Tickets tickets;
    private final Delayer delayer;
    private final LongSupplier clockMillis;

    public ApiHandler(ClusterAccess access, Credentials credentials, ApiRoutes more, AddNode addNode,
                      LoginThrottle throttle, Tickets tickets, Delayer delayer,
                      LongSupplier clockMillis) {
        this.access = access;
        this.credentials = credentials;
        this.more = more;
        this.addNode = addNode;
        this.throttle = throttle;
        this.tickets = tickets;
        this.delayer = delayer;
        this.clockMillis = clockMillis;
    }

    @Override
    public void handle(HttpExchange ex) {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        String route = path.startsWith(PREFIX + "/") ? path.substring(PREFIX.length()) : path;
        try {
            Map<String, String> params = HttpMessages.params(ex);
            if (method.equals("POST") && route.equals("/access/ticket")) {
                login(ex, params);
                return;
            }
            boolean known = route.equals("/cluster/config/join") || route.equals("/cluster/config/apiversion")
                    || route.startsWith("/cluster/config/nodes/");
            boolean extra = more.serves(method, route);
            if (!extra && (!known || !(method.equals("GET") || method.equals("POST")))) {
                notImplemented(ex, method, route);
                return;
            }
            Optional<Tickets.Ticket> ticket = tickets.check(ticketOf(ex));
            if (ticket.isEmpty()) {
                HttpMessages.error(ex, 401, "No ticket", Map.of());
                return;
            }
            if (method.equals("POST")
                    && !Tickets.csrfMatches(ticket.get(), ex.getRequestHeaders().getFirst("CSRFPreventionToken"))) {
                HttpMessages.error(ex, 401, "Permission denied - invalid csrf token", Map.of());
                return;
            }
            if (extra) {
                more.handle(ex, method, route, params, ticket.get().user());
            } else {
                dispatch(ex, method, route, params);
            }
        } catch (HttpMessages.BadRequest e) {
            HttpMessages.error(ex, e.status, e.getMessage(), Map.of());
        } catch (JoinException e) {
            HttpMessages.error(ex, e.status(), e.getMessage(), e.details());
        } catch (IOException | RuntimeException e) {
            log.error("{} {} failed: {}", method, route, e.toString());
            HttpMessages.error(ex, 500, e.getMessage() == null ? e.toString() : e.getMessage(), Map.of());
        }
    }

    private void dispatch(HttpExchange ex, String method, String route, Map<String, String> params)
            throws JoinException, IOException {
        if (method.equals("GET") && route.equals("/cluster/config/join")) {
            String node = params.get("node");
            if (node != null && !NodeName.valid(node)) {
                throw JoinException.parameters(Map.of("node", NodeName.PROBLEM));
            }
            HttpMessages.ok(ex, JoinInfo.build(access, node));
        } else if (method.equals("GET") && route.equals("/cluster/config/apiversion")) {
            HttpMessages.ok(ex, IntNode.valueOf(API_VERSION));
        } else if (method.equals("POST") && route.startsWith("/cluster/config/nodes/")
                && route.indexOf('/', "/cluster/config/nodes/".length()) < 0) {
            addNode(ex, route.substring("/cluster/config/nodes/".length()), params);
        } else {
            notImplemented(ex, method, route);
        }
    }

    private void addNode(HttpExchange ex, String node, Map<String, String> params) throws JoinException, IOException {
        AddNodeRequest req = AddNodeRequest.fromParams(node, params);
        log.info("join request of node '{}' from {}", req.node(), remote(ex));
        AddNode.Result r = addNode.run(req, note -> log.info("{}", note));
        ObjectNode data = HttpMessages.JSON.createObjectNode();
        data.put("corosync_authkey", Base64.getEncoder().encodeToString(r.corosyncAuthkey()));
        data.put("corosync_conf", new String(r.corosyncConf(), StandardCharsets.UTF_8));
        com.fasterxml.jackson.databind.node.ArrayNode warnings = data.putArray("warnings");
        r.warnings().forEach(warnings::add);
        log.info("added node '{}' to the cluster", req.node());
        HttpMessages.ok(ex, data);
    }

    private void login(HttpExchange ex, Map<String, String> params) {
        String ip = remote(ex);
        String user = printable(params.getOrDefault("username", ""));
        String password = params.get("password");
        OptionalLong at = throttle.admit(ip);
        if (at.isEmpty()) {
            log.warn("authentication failure; rhost={} user={} msg=too many login attempts", ip, user);
            HttpMessages.error(ex, 429, "too many failed logins - try again later", Map.of());
            return;
        }
        long wait = at.getAsLong() - clockMillis.getAsLong();
        Runnable check = () -> checkLogin(ex, ip, user, password);
        if (wait > 0) {
            delayer.after(wait, check);
        } else {
            check.run();
        }
    }

    private void checkLogin(HttpExchange ex, String ip, String user, String password) {
        boolean ok = false;
        try {
            ok = credentials.check(user, password);
        } catch (RuntimeException e) {
            log.error("password check failed: {}", e.toString());
        }
        if (ok) {
            throttle.succeeded(ip);
            Tickets.Ticket t = tickets.issue(user);
            ObjectNode data = HttpMessages.JSON.createObjectNode();
            data.put("username", user);
            data.put("ticket", t.ticket());
            data.put("CSRFPreventionToken", t.csrfToken());
            data.putObject("cap");
            log.info("successful auth for user '{}' from {}", user, ip);
            HttpMessages.ok(ex, data);
            return;
        }
        log.warn("authentication failure; rhost={} user={}", ip, user);
        long delay = throttle.failed(ip);
        delayer.after(delay, () -> {
            try {
                HttpMessages.error(ex, 401, "authentication failure", Map.of());
            } finally {
                throttle.answered(ip);
            }
        });
    }

    private static void notImplemented(HttpExchange ex, String method, String route) {
        HttpMessages.error(ex, 501, "Method '" + method + " " + route + "' not implemented", Map.of());
    }

    /** The ticket from the {@code PVEAuthCookie} cookie, or the same in an Authorization header. */
    static String ticketOf(HttpExchange ex) {
        for (String header : new String[] {"Cookie", "Authorization"}) {
            for (String value : ex.getRequestHeaders().getOrDefault(header, java.util.List.of())) {
                for (String part : value.split(";")) {
                    String p = part.strip();
                    if (p.startsWith("PVEAuthCookie=")) {
                        return java.net.URLDecoder.decode(p.substring("PVEAuthCookie=".length()), StandardCharsets.UTF_8);
                    }
                }
            }
        }
        return null;
    }

    private static String remote(HttpExchange ex) {
        return ex.getRemoteAddress().getAddress().getHostAddress();
    }

    /** A user name as it may appear in a log line: printable ASCII, at most 64 characters. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x21 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
