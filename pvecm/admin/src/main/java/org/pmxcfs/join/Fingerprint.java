package org.pmxcfs.join;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * SHA-256 certificate fingerprints in the original's notation: 32 upper-case hex pairs joined by
 * colons ({@code AA:BB:...}), compared case-insensitively.
 */
public final class Fingerprint {

    private static final Pattern FORMAT = Pattern.compile("([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}");

    private Fingerprint() {}

    /** The fingerprint of a certificate's DER encoding. */
    public static String of(X509Certificate cert) {
        try {
            return of(cert.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded: " + e.getMessage(), e);
        }
    }

    /** The fingerprint of DER bytes. */
    public static String of(byte[] der) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(der);
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The canonical (upper-case) form of a user-given fingerprint, or empty if it is not one. */
    public static Optional<String> parse(String text) {
        if (text == null || !FORMAT.matcher(text.strip()).matches()) {
            return Optional.empty();
        }
        return Optional.of(text.strip().toUpperCase(Locale.ROOT));
    }

    /** Whether two fingerprints are the same, ignoring case. */
    public static boolean matches(String a, String b) {
        return a != null && b != null && a.strip().equalsIgnoreCase(b.strip());
    }
}
