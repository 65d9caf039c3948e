package org.pmxcfs.joinapi;

import org.pmxcfs.join.JoinException;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Map;

/**
 * More API requests behind the same login as the join API's (the web page's: cluster status,
 * create, join, tasks). {@link ApiHandler} checks the ticket, and the CSRF token of a POST,
 * before it hands a request over.
 */
public interface ApiRoutes {

    /** No more requests: the join API alone. */
    ApiRoutes NONE = new ApiRoutes() {
        @Override
        public boolean serves(String method, String route) {
            return false;
        }

        @Override
        public void handle(HttpExchange ex, String method, String route, Map<String, String> params, String user) {
            throw new IllegalStateException("no route " + method + " " + route);
        }
    };

    /** Whether {@code method route} (below {@code /api2/json}) is one of these. */
    boolean serves(String method, String route);

    /** Answers a request that {@link #serves} said yes to; {@code user} is the ticket's user. */
    void handle(HttpExchange ex, String method, String route, Map<String, String> params, String user)
            throws JoinException, IOException;
}
