package org.pmxcfs.pvecm.join;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pmxcfs.join.AddNode;
import org.pmxcfs.join.AddNodeRequest;
import org.pmxcfs.join.Fingerprint;
import org.pmxcfs.pvecm.PvecmException;

/**
 * The remote half of {@code pvecm add} (reference 4.3 steps 4-6): connect to a member's join
 * API, have the user confirm its certificate (or check {@code --fingerprint}), log in with the
 * member's root password (or the join password), check the API version and ask for this node to be added. Prints the original's
 * lines; the member's refusal is printed as {@code An error occurred on the cluster node: ...}
 * with one line per detail, then fails with {@code Cluster join aborted!}.
 */
public final class JoinRequester {

    /** Who logs in: root, with its password on the member or the cluster's join password. */
    static final String USER = "root@pam";
    static final int PROBE_TIMEOUT_MILLIS = 10_000;

    /**
     * What to ask for.
     *
     * @param host        the member to contact
     * @param port        its join API port (8006)
     * @param fingerprint {@code --fingerprint}, or empty to ask the user
     * @param nodename    this node's name
     * @param request     links, node id, votes, force as given; no fallback address yet
     * @param localIp     this node's IP, sent when no link is given
     */
    public record Target(String host, int port, Optional<String> fingerprint, String nodename, AddNodeRequest request,
                         String localIp) {}

    private final Prompter prompter;
    private final PrintStream out;
    private final PrintStream err;

    public JoinRequester(Prompter prompter, PrintStream out, PrintStream err) {
        this.prompter = prompter;
        this.out = out;
        this.err = err;
    }

    /** Runs the request; returns what the member sent (authkey, corosync.conf, warnings). */
    public AddNode.Result request(Target t, char[] password) throws IOException {
        out.print("Establishing API connection with host '" + t.host() + "'\n");
        out.flush();
        String presented = PeerCertificate.fingerprintOrFail(t.host(), t.port(), PROBE_TIMEOUT_MILLIS);
        verify(t, presented);
        JoinApiClient api = new JoinApiClient(t.host(), t.port(), presented);
        try {
            api.login(USER, password);
        } catch (ApiException e) {
            throw new PvecmException(e.status() + " " + e.getMessage()
                    + (e.status() == 401 ? " - wrong password? (the root password of '" + t.host()
                            + "', or the cluster's join password)" : ""));
        }
        out.print("Login succeeded.\n");

        out.print("check cluster join API version\n");
        long apiversion;
        try {
            apiversion = api.get("/cluster/config/apiversion").asLong(0);
        } catch (IOException e) {
            apiversion = 0; // the original treats a peer without the call as version 0
        }

        Map<String, String> params = new java.util.LinkedHashMap<>(t.request().toParams());
        if (t.request().links().isEmpty()) {
            params.put(apiversion >= 1 ? "new_node_ip" : "link0", t.localIp());
            out.print("No cluster network links passed explicitly, fallback to local node IP '" + t.localIp() + "'\n");
        }
        if (apiversion >= 1) {
            params.put("apiversion", "1");
        }
        out.print("Request addition of this node\n");
        out.flush();
        JsonNode data;
        try {
            data = api.post("/cluster/config/nodes/" + t.nodename(), params);
        } catch (ApiException e) {
            throw refused(e);
        }
        List<String> warnings = new ArrayList<>();
        data.path("warnings").forEach(w -> warnings.add(w.asText()));
        warnings.forEach(w -> out.print("cluster: " + w + "\n"));
        String authkey = data.path("corosync_authkey").asText("");
        String conf = data.path("corosync_conf").asText("");
        if (authkey.isEmpty() || conf.isEmpty()) {
            throw new PvecmException("the cluster node's answer lacks corosync_authkey or corosync_conf");
        }
        try {
            return new AddNode.Result(Base64.getDecoder().decode(authkey), conf.getBytes(StandardCharsets.UTF_8),
                    warnings);
        } catch (IllegalArgumentException e) {
            throw new PvecmException("the cluster node sent an authkey that is not base64");
        }
    }

    /** {@code --fingerprint} must match; otherwise the user has to say yes. */
    private void verify(Target t, String presented) throws IOException {
        if (t.fingerprint().isPresent()) {
            if (!Fingerprint.matches(presented, t.fingerprint().get())) {
                throw new PvecmException("500 Can't connect to " + t.host() + ":" + t.port()
                        + " (certificate verify failed: fingerprint " + presented + " does not match the given "
                        + t.fingerprint().get().toUpperCase(java.util.Locale.ROOT) + ")");
            }
            return;
        }
        out.print("The authenticity of host '" + t.host() + "' can't be established.\n");
        out.print("X509 SHA256 key fingerprint is " + presented + ".\n");
        String answer = prompter.line("Are you sure you want to continue connecting (yes/no)? ");
        if (answer == null || !answer.strip().equals("yes")) {
            throw new PvecmException("Fingerprint not verified, abort!");
        }
    }

    private PvecmException refused(ApiException e) {
        if (e.status() == 501) {
            err.print("Remote side is not able to use API for Cluster join!\n");
            return new PvecmException("Pass the 'use_ssh' switch or update the remote side.");
        }
        StringBuilder b = new StringBuilder("An error occurred on the cluster node: " + e.getMessage() + "\n");
        e.errors().forEach((k, v) -> b.append(k.startsWith("warning") ? "* " : "! ").append(v).append('\n'));
        err.print(b);
        err.flush();
        return new PvecmException("Cluster join aborted!");
    }
}
