package org.pmxcfs.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pmxcfs.corosync.NodeEntry;
import org.pmxcfs.joinapi.ApiRoutes;
import org.pmxcfs.joinapi.HttpMessages;
import org.pmxcfs.join.JoinException;
import org.pmxcfs.join.LinkArg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web page's API requests, in the original's shapes:
 * <ul>
 * <li>{@code GET /cluster/status} ({@link ClusterStatus});</li>
 * <li>{@code POST /cluster/config} ({@code clustername}, {@code link0..7}, {@code nodeid},
 *     {@code votes}): {@code pvecm create} as a task, answers its UPID;</li>
 * <li>{@code POST /cluster/config/join} ({@code hostname}, {@code fingerprint}, {@code password}
 *     of that node, {@code link0..7}, {@code nodeid}, {@code votes}, {@code force}):
 *     {@code pvecm add} as a task, the password on its standard input;</li>
 * <li>{@code GET /nodes/<node>/tasks/<upid>/status} and {@code .../log?start=&limit=}.</li>
 * </ul>
 * The tasks run this daemon's pvecm ({@code --pvecm}) against this daemon's run directory, and
 * join with the peer's API on this node's own API port (every node of a cluster uses the same).
 */
public final class ClusterRoutes implements ApiRoutes {

    /** What the tasks need to know about this daemon. */
    public record Settings(Path mountpoint, String nodename, Path runDir, int apiPort, String pvecm) {}

    private static final Logger log = LoggerFactory.getLogger("web");
    private static final Pattern TASK = Pattern.compile("/nodes/([^/]+)/tasks/([^/]+)/(status|log)");
    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,13}[A-Za-z0-9])?");
    private static final Pattern FINGERPRINT = Pattern.compile("([A-Fa-f0-9]{2}:){31}[A-Fa-f0-9]{2}");

    private final Settings settings;
    private final Tasks tasks;

    public ClusterRoutes(Settings settings, Tasks tasks) {
        this.settings = settings;
        this.tasks = tasks;
    }

    @Override
    public boolean serves(String method, String route) {
        return switch (method) {
            case "GET" -> route.equals("/cluster/status") || TASK.matcher(route).matches();
            case "POST" -> route.equals("/cluster/config") || route.equals("/cluster/config/join");
            default -> false;
        };
    }

    @Override
    public void handle(HttpExchange ex, String method, String route, Map<String, String> params, String user)
            throws JoinException, IOException {
        if (route.equals("/cluster/status")) {
            HttpMessages.ok(ex, ClusterStatus.build(settings.mountpoint(), settings.nodename()));
        } else if (route.equals("/cluster/config")) {
            HttpMessages.ok(ex, TextNode.valueOf(create(params, user).upid()));
        } else if (route.equals("/cluster/config/join")) {
            HttpMessages.ok(ex, TextNode.valueOf(join(params, user).upid()));
        } else {
            Matcher m = TASK.matcher(route);
            if (!m.matches()) {
                throw new JoinException(501, "Method '" + method + " " + route + "' not implemented", Map.of());
            }
            Task t = tasks.get(m.group(2))
                    .orElseThrow(() -> new JoinException(404, "no such task '" + m.group(2) + "'", Map.of()));
            HttpMessages.ok(ex, m.group(3).equals("status") ? status(t) : log(t, params));
        }
    }

    private Task create(Map<String, String> params, String user) throws JoinException {
        Map<String, String> problems = new LinkedHashMap<>();
        String name = params.getOrDefault("clustername", "");
        if (!CLUSTER_NAME.matcher(name).matches()) {
            problems.put("clustername", name.isEmpty() ? "property is missing and it is not optional"
                    : "value must be 1 to 15 letters, digits or '-', not starting or ending with '-'");
        }
        List<String> command = pvecm("create", name);
        nodeOptions(params, command, problems);
        check(problems);
        return run("clustercreate", name, user, command, null);
    }

    private Task join(Map<String, String> params, String user) throws JoinException {
        Map<String, String> problems = new LinkedHashMap<>();
        String host = params.getOrDefault("hostname", "");
        if (!LinkArg.isAddress(host)) {
            problems.put("hostname", host.isEmpty() ? "property is missing and it is not optional"
                    : "value does not look like a valid address: " + host);
        }
        String fp = params.getOrDefault("fingerprint", "");
        if (!FINGERPRINT.matcher(fp).matches()) {
            problems.put("fingerprint", fp.isEmpty() ? "property is missing and it is not optional"
                    : "value does not match the regex pattern");
        }
        String password = params.getOrDefault("password", "");
        if (password.isEmpty() || password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0) {
            problems.put("password", password.isEmpty() ? "property is missing and it is not optional"
                    : "a password must be one line");
        }
        List<String> command = pvecm("add", host, "--fingerprint", fp, "--api-port",
                Integer.toString(settings.apiPort()));
        nodeOptions(params, command, problems);
        if (params.containsKey("force") && !params.get("force").equals("0")) {
            command.add("--force");
        }
        check(problems);
        return run("clusterjoin", "", user, command, password);
    }

    /** {@code link0..7}, {@code nodeid}, {@code votes}: checked here so the page can mark the field. */
    private static void nodeOptions(Map<String, String> params, List<String> command, Map<String, String> problems) {
        for (int i = 0; i <= NodeEntry.MAX_LINK; i++) {
            String v = params.get("link" + i);
            if (v == null || v.isEmpty()) {
                continue;
            }
            try {
                LinkArg.parse(v);
                command.add("--link" + i);
                command.add(v);
            } catch (IllegalArgumentException e) {
                problems.put("link" + i, e.getMessage());
            }
        }
        for (String key : List.of("nodeid", "votes")) {
            String v = params.get(key);
            if (v == null || v.isEmpty()) {
                continue;
            }
            if (!v.matches("[1-9][0-9]{0,9}")) {
                problems.put(key, "value must be a positive integer");
            } else {
                command.add("--" + key);
                command.add(v);
            }
        }
    }

    private static void check(Map<String, String> problems) throws JoinException {
        if (!problems.isEmpty()) {
            throw JoinException.parameters(problems);
        }
    }

    private List<String> pvecm(String... args) {
        List<String> c = new ArrayList<>(List.of(settings.pvecm(), "--run-dir", settings.runDir().toString()));
        c.addAll(List.of(args));
        return c;
    }

    private Task run(String type, String id, String user, List<String> command, String input) throws JoinException {
        try {
            return tasks.start(type, id, user, command, input);
        } catch (Tasks.StartException e) {
            log.warn("{}", e.getMessage());
            throw new JoinException(e.getMessage());
        }
    }

    private ObjectNode status(Task t) {
        ObjectNode o = HttpMessages.JSON.createObjectNode();
        o.put("upid", t.upid()).put("node", settings.nodename());
        String exit = t.exitStatus();
        o.put("status", exit == null ? "running" : "stopped");
        if (exit != null) {
            o.put("exitstatus", exit);
        }
        return o;
    }

    private static ArrayNode log(Task t, Map<String, String> params) throws JoinException {
        int start = intParam(params, "start", 0);
        int limit = intParam(params, "limit", 500);
        ArrayNode a = HttpMessages.JSON.createArrayNode();
        int n = start;
        for (String line : t.lines(start, limit)) {
            a.addObject().put("n", ++n).put("t", line);
        }
        return a;
    }

    private static int intParam(Map<String, String> params, String key, int dflt) throws JoinException {
        String v = params.get(key);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        if (!v.matches("[0-9]{1,9}")) {
            throw JoinException.parameters(Map.of(key, "value must be a non-negative integer"));
        }
        return Integer.parseInt(v);
    }
}
