package org.pmxcfs.pvecm.join;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The web page's "Join Information" (the original's format): base64 of a JSON object with
 * {@code ipAddress}, {@code fingerprint}, {@code peerLinks}, {@code ring_addr} and {@code totem}.
 * {@code pvecm add} takes it in place of a host name; the address and fingerprint are what it needs.
 */
record JoinInformation(String ipAddress, String fingerprint) {

    /** The information in {@code text}, or empty if it is none (a host name, say). */
    static Optional<JoinInformation> decode(String text) {
        // a host name or address never has these characters and is never this long
        if (text == null || text.length() < 64 || !text.strip().matches("[A-Za-z0-9+/=\\s]+")) {
            return Optional.empty();
        }
        try {
            byte[] json = Base64.getMimeDecoder().decode(text.strip());
            JsonNode n = new ObjectMapper().readTree(new String(json, StandardCharsets.UTF_8));
            if (n == null || !n.path("ipAddress").isTextual() || !n.path("fingerprint").isTextual()) {
                return Optional.empty();
            }
            return Optional.of(new JoinInformation(n.get("ipAddress").asText(), n.get("fingerprint").asText()));
        } catch (IllegalArgumentException | IOException e) {
            return Optional.empty();
        }
    }
}
