package org.pmxcfs.joinapi;

import org.pmxcfs.join.JoinPassword;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may log in: {@code root@pam} with root's system password ({@link SystemPassword}), as in
 * the original, or with the cluster's join password ({@link JoinPassword}, ours). Any other user,
 * other PAM users included, is refused whatever the password.
 */
public final class Credentials {

    /** The one user name accepted. */
    public static final String USER = SystemPassword.USER + "@pam";

    private static final Logger log = LoggerFactory.getLogger("join");

    private final SystemPassword system;
    private final Path joinPasswordFile;

    /** @param mountpoint where {@value JoinPassword#FILE} is looked for */
    public Credentials(SystemPassword system, Path mountpoint) {
        this.system = system;
        this.joinPasswordFile = mountpoint.resolve(JoinPassword.FILE);
    }

    /** Whether {@code user} may log in with {@code password}. */
    public boolean check(String user, String password) {
        if (password == null) {
            return false;
        }
        if (!user.equals(USER)) {
            if (user.endsWith("@pam")) {
                log.warn("user '{}' is not allowed here - only root@pam can manage the cluster", user);
            }
            return false;
        }
        return system.matches(password) || joinPasswordMatches(password);
    }

    private boolean joinPasswordMatches(String password) {
        String stored;
        try {
            stored = Files.readString(joinPasswordFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return false; // the usual case: the root password is what nodes log in with
        } catch (IOException e) {
            log.error("unable to read the join password: {}", e.getMessage());
            return false;
        }
        try {
            return JoinPassword.verify(stored, password.toCharArray());
        } catch (IllegalArgumentException e) {
            log.error("invalid join password file '{}': {} - set it again with 'pvecm joinpassword'",
                    JoinPassword.FILE, e.getMessage());
            return false;
        }
    }
}
