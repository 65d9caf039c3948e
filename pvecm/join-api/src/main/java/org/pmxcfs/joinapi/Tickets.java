package org.pmxcfs.joinapi;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Login tickets of the join API: after a good password, {@code POST /access/ticket} hands out a
 * ticket (sent back as the {@code PVEAuthCookie} cookie) and a CSRF token (the
 * {@code CSRFPreventionToken} header, required on POST), as the original's API does. Unlike the
 * original's signed tickets, these are random strings held in memory: valid only on the node
 * that issued them, for {@link #LIFETIME}, and gone when the daemon restarts — a join needs
 * nothing more. At most {@link #MAX_TICKETS} are held; the oldest is dropped first.
 */
public final class Tickets {

    /** The original's ticket lifetime. */
    public static final Duration LIFETIME = Duration.ofHours(2);
    static final int MAX_TICKETS = 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** An issued ticket. */
    public record Ticket(String user, String ticket, String csrfToken, long expiresMillis) {}

    private final LongSupplier clockMillis;
    /** Insertion order = issue order, so the first entry is the oldest. */
    private final Map<String, Ticket> byTicket = new LinkedHashMap<>();

    public Tickets(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /** A new ticket for {@code user}. */
    public synchronized Ticket issue(String user) {
        long now = clockMillis.getAsLong();
        expire(now);
        while (byTicket.size() >= MAX_TICKETS) {
            Iterator<String> oldest = byTicket.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        String ticket = "PVE:" + user + ":" + Long.toHexString(now / 1000).toUpperCase() + "::" + random();
        Ticket t = new Ticket(user, ticket, Long.toHexString(now / 1000).toUpperCase() + ":" + random(),
                now + LIFETIME.toMillis());
        byTicket.put(ticket, t);
        return t;
    }

    /** The ticket, if it was issued here and has not expired. */
    public synchronized Optional<Ticket> check(String ticket) {
        if (ticket == null) {
            return Optional.empty();
        }
        expire(clockMillis.getAsLong());
        return Optional.ofNullable(byTicket.get(ticket));
    }

    /** Whether {@code token} is the ticket's CSRF token (constant-time compare). */
    public static boolean csrfMatches(Ticket t, String token) {
        return token != null && MessageDigest.isEqual(t.csrfToken().getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8));
    }

    private void expire(long now) {
        byTicket.values().removeIf(t -> t.expiresMillis() <= now);
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
