package org.pmxcfs.join;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The cluster join password, which authenticates {@code root@pam} on the join API instead of the
 * node's root password. Only a hash is kept, in the cluster filesystem at {@link #FILE} (private,
 * replicated, so every member can check it), as one line
 * {@code pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>} (PBKDF2-HMAC-SHA256, 16-byte
 * random salt, 32-byte hash).
 */
public final class JoinPassword {

    /** Path of the hash inside the cluster filesystem. */
    public static final String FILE = "priv/join-password";
    public static final int MIN_LENGTH = 8;
    /** The original's limit for a join password ({@code POST /cluster/config/join}). */
    public static final int MAX_LENGTH = 128;
    /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256 is 600 000; half of it keeps a login under 0.3 s on a slow node. */
    public static final int DEFAULT_ITERATIONS = 310_000;
    /** A hash file is root-only, but a corrupt one must still not make a login spin for minutes. */
    static final int MAX_ITERATIONS = 5_000_000;
    private static final String SCHEME = "pbkdf2-sha256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private JoinPassword() {}

    /** Why {@code password} cannot be a join password, or empty if it can. */
    public static Optional<String> problem(char[] password) {
        if (password.length < MIN_LENGTH) {
            return Optional.of("password too short (at least " + MIN_LENGTH + " characters)");
        }
        if (password.length > MAX_LENGTH) {
            return Optional.of("password too long (at most " + MAX_LENGTH + " characters)");
        }
        for (char c : password) {
            if (c == '\n' || c == '\r' || c == 0) {
                return Optional.of("password must not contain line breaks or NUL");
            }
        }
        return Optional.empty();
    }

    /** The hash line (with a trailing newline) for a new password, with a fresh salt. */
    public static String hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return hash(password, DEFAULT_ITERATIONS, salt);
    }

    /** The hash line for given parameters (the default iterations are slow: tests pass fewer). */
    public static String hash(char[] password, int iterations, byte[] salt) {
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(derive(password, salt, iterations)) + "\n";
    }

    /**
     * Whether {@code password} matches the stored hash line. Compares in constant time.
     *
     * @throws IllegalArgumentException if {@code stored} is not a hash line this class wrote
     */
    public static boolean verify(String stored, char[] password) {
        String[] f = stored.strip().split("\\$", -1);
        if (f.length != 4 || !f[0].equals(SCHEME)) {
            throw new IllegalArgumentException("not a " + SCHEME + " hash");
        }
        int iterations;
        byte[] salt;
        byte[] expected;
        try {
            iterations = Integer.parseInt(f[1]);
            salt = Base64.getDecoder().decode(f[2]);
            expected = Base64.getDecoder().decode(f[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed " + SCHEME + " hash: " + e.getMessage());
        }
        if (iterations < 1 || iterations > MAX_ITERATIONS || salt.length == 0 || expected.length != HASH_BITS / 8) {
            throw new IllegalArgumentException("malformed " + SCHEME + " hash");
        }
        return MessageDigest.isEqual(expected, derive(password, salt, iterations));
    }

    /** {@link #verify(String, char[])} for a password given as UTF-8 text. */
    public static boolean verify(String stored, String password) {
        return verify(stored, password.toCharArray());
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        } finally {
            spec.clearPassword();
        }
    }
}
