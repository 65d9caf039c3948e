package org.pmxcfs.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JoinPasswordTest {

    private static final byte[] SALT = new byte[16];

    @Test
    void hashVerifiesItsPasswordOnly() {
        String h = JoinPassword.hash("correct horse".toCharArray(), 1000, SALT);
        assertTrue(JoinPassword.verify(h, "correct horse"));
        assertFalse(JoinPassword.verify(h, "correct horsE"));
        assertFalse(JoinPassword.verify(h, ""));
    }

    @Test
    void formatIsOneLineWithSchemeIterationsSaltAndHash() {
        String h = JoinPassword.hash("secret-pw".toCharArray(), 1000, SALT);
        assertTrue(h.endsWith("\n"));
        String[] f = h.strip().split("\\$");
        assertEquals(4, f.length);
        assertEquals("pbkdf2-sha256", f[0]);
        assertEquals("1000", f[1]);
        assertEquals("AAAAAAAAAAAAAAAAAAAAAA", f[2]);
        assertEquals(43, f[3].length()); // 32 bytes, unpadded base64
    }

    @Test
    void defaultHashUsesFreshSaltAndDefaultIterations() {
        String a = JoinPassword.hash("secret-pw".toCharArray());
        String b = JoinPassword.hash("secret-pw".toCharArray());
        assertNotEquals(a, b);
        assertTrue(a.startsWith("pbkdf2-sha256$" + JoinPassword.DEFAULT_ITERATIONS + "$"));
        assertTrue(JoinPassword.verify(a, "secret-pw"));
    }

    @Test
    void knownVectorStaysStable() {
        // PBKDF2-HMAC-SHA256("password", 16 zero bytes, 1000 iterations), computed with Python's hashlib
        String h = JoinPassword.hash("password".toCharArray(), 1000, SALT);
        assertEquals("pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA$dGBRjrF0HXvnspFIKLlwEavbAfLm6U/5VEkKXHS+VVQ\n", h);
        assertTrue(JoinPassword.verify(h.strip() + "\n\n", "password"));
    }

    @Test
    void malformedHashesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> JoinPassword.verify("", "x"));
        assertThrows(IllegalArgumentException.class, () -> JoinPassword.verify("$6$salt$hash", "x"));
        assertThrows(IllegalArgumentException.class, () -> JoinPassword.verify("pbkdf2-sha256$x$AA$AA", "x"));
        assertThrows(IllegalArgumentException.class,
                () -> JoinPassword.verify("pbkdf2-sha256$99999999$AAAA$" + "A".repeat(43), "x"));
        assertThrows(IllegalArgumentException.class, () -> JoinPassword.verify("pbkdf2-sha256$1000$AAAA$AAAA", "x"));
    }

    @Test
    void passwordRules() {
        assertEquals("password too short (at least 8 characters)", JoinPassword.problem("short".toCharArray()).get());
        assertTrue(JoinPassword.problem("a".repeat(129).toCharArray()).isPresent());
        assertTrue(JoinPassword.problem("line\nbreak".toCharArray()).isPresent());
        assertTrue(JoinPassword.problem("long enough".toCharArray()).isEmpty());
        assertTrue(JoinPassword.problem("ünïcödé-pw".toCharArray()).isEmpty());
    }

    @Test
    void unicodePasswordsRoundTrip() {
        String h = JoinPassword.hash("ünïcödé-pw".toCharArray(), 1000, SALT);
        assertTrue(JoinPassword.verify(h, "ünïcödé-pw"));
        assertFalse(JoinPassword.verify(h, "unicode-pw"));
    }
}
