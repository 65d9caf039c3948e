package org.pmxcfs.joinapi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code root@pam} login: the password is checked against root's entry in the shadow file
 * ({@code /etc/shadow}, or {@code --shadow-file}) through the system's crypt(3), as PAM's
 * pam_unix does. The file is read at every check, so a changed root password counts at once. A
 * locked ({@code !}, {@code *}) or empty entry never matches.
 */
public final class SystemPassword {

    /** The only PAM user allowed in, as the original's cluster join and the default ACL. */
    public static final String USER = "root";

    private static final Logger log = LoggerFactory.getLogger("join");

    private final Path shadowFile;

    public SystemPassword(Path shadowFile) {
        this.shadowFile = shadowFile;
    }

    /** Whether {@code password} is root's password in the shadow file. */
    public boolean matches(String password) {
        Optional<String> stored = storedHash();
        if (stored.isEmpty()) {
            return false;
        }
        String hash = stored.get();
        if (hash.isEmpty() || hash.startsWith("!") || hash.startsWith("*")) {
            log.warn("root has no usable password in '{}' (locked or empty) - set one with passwd", shadowFile);
            return false;
        }
        Optional<String> computed;
        try {
            computed = Crypt.hash(password.getBytes(StandardCharsets.UTF_8), hash);
        } catch (UnsatisfiedLinkError e) {
            log.error("unable to check the root password: no libcrypt ({}) - install libcrypt1", e.getMessage());
            return false;
        }
        if (computed.isEmpty()) {
            log.error("unable to check the root password: libcrypt does not know the scheme of root's entry in '{}'",
                    shadowFile);
            return false;
        }
        return MessageDigest.isEqual(computed.get().getBytes(StandardCharsets.UTF_8),
                hash.getBytes(StandardCharsets.UTF_8));
    }

    private Optional<String> storedHash() {
        try {
            for (String line : Files.readAllLines(shadowFile, StandardCharsets.UTF_8)) {
                String[] f = line.split(":", -1);
                if (f.length >= 2 && f[0].equals(USER)) {
                    return Optional.of(f[1]);
                }
            }
            log.warn("no entry for root in '{}'", shadowFile);
        } catch (IOException e) {
            log.error("unable to read '{}': {} - the root@pam login needs read access to it", shadowFile, e.toString());
        }
        return Optional.empty();
    }
}
