package org.pmxcfs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Mount table queries and lazy unmount, without shelling out. */
public final class Mounts {

    private Mounts() {}

    /**
     * The filesystem type ("fuse.pmxcfs", "tmpfs", ...) of the topmost mount exactly at
     * {@code dir} in this mount namespace, or empty if nothing is mounted there.
     */
    public static Optional<String> fsType(Path dir) throws IOException {
        String target = dir.toAbsolutePath().normalize().toString();
        String type = null;
        // mount order: a later line at the same place is mounted on top of an earlier one
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            int dash = line.indexOf(" - ");
            if (f.length > 4 && dash > 0 && unescape(f[4]).equals(target)) {
                type = line.substring(dash + 3).split(" ")[0];
            }
        }
        return Optional.ofNullable(type);
    }

    /** Lazily unmounts {@code dir} (MNT_DETACH); a no-op when nothing is mounted there. */
    public static void detach(Path dir) {
        Libc.C.umount2(dir.toAbsolutePath().normalize().toString(), Libc.MNT_DETACH);
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
