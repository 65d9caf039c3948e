package org.pmxcfs.fuse;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the mount point ready before mounting. A FUSE mount left by an instance that was
 * killed (kill -9, OOM) answers every access with ENOTCONN until it is detached; like the
 * original, which force-unmounts /etc/pve before mounting, start-up detaches it, so restarting
 * the service just works. A mount of any other kind is not ours to remove, and files in a plain
 * directory would be hidden by the mount: both stop start-up with an error that says what to do.
 */
public final class MountPoint {

    private static final Logger log = LoggerFactory.getLogger("main");
    /** Stacked stale mounts detached at most; a mount that comes back more often is someone else's doing. */
    private static final int MAX_DETACH = 8;
    private static final int NAMES_SHOWN = 5;

    private MountPoint() {}

    /**
     * Returns the path to mount on ({@code dir} with its parent's symlinks resolved, as the mount
     * table shows it), after detaching stale FUSE mounts there and creating it (0750) if missing.
     *
     * @throws IOException with a message for the admin if the mount point cannot be used
     */
    public static Path prepare(Path dir) throws IOException {
        Path target = canonical(dir);
        Optional<String> type = Mounts.fsType(target);
        for (int i = 0; i < MAX_DETACH && type.isPresent(); i++) {
            if (!isFuse(type.get())) {
                throw new IOException("mount point '" + target + "' already has a " + type.get()
                        + " filesystem mounted - unmount it or choose another --mountpoint");
            }
            log.info("force unmounting stale mount at '{}' ({})", target, type.get());
            Mounts.detach(target);
            type = Mounts.fsType(target);
        }
        if (type.isPresent()) {
            throw new IOException("unable to detach the mounts at '" + target + "' - unmount them (umount -l "
                    + target + ") and start again");
        }
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(target);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-x---"));
        } else if (!Files.isDirectory(target)) {
            throw new IOException("mount point '" + target + "' is not a directory - remove it or choose another"
                    + " --mountpoint");
        }
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(target)) {
            for (Path p : entries) {
                found.add(p.getFileName().toString());
            }
        }
        int count = found.size();
        if (count > 0) {
            found.sort(null);
            String names = String.join(", ", found.subList(0, Math.min(NAMES_SHOWN, count)))
                    + (count > NAMES_SHOWN ? " and " + (count - NAMES_SHOWN) + " more" : "");
            throw new IOException("mount point '" + target + "' is not empty (" + names + "); the mount would hide"
                    + " these files - move them away or delete them, or choose another --mountpoint");
        }
        return target;
    }

    /** FUSE mounts (pmxcfs, also the original's plain "fuse") are what a crashed instance leaves. */
    private static boolean isFuse(String type) {
        return type.equals("fuse") || type.startsWith("fuse.");
    }

    /**
     * Absolute, normalised, with the parent's symlinks resolved: the mount table lists real paths,
     * and the mount point itself cannot be resolved while a dead mount sits on it.
     */
    private static Path canonical(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null) {
            return abs;
        }
        try {
            return parent.toRealPath().resolve(abs.getFileName());
        } catch (IOException parentMissing) {
            return abs; // created below, so nothing there can be mounted or symlinked yet
        }
    }
}
