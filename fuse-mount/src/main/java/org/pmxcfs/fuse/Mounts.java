package org.pmxcfs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jnr.ffi.LibraryLoader;

/** Mount table queries and lazy unmount, without shelling out. */
public final class Mounts {

    /** libc's umount2. */
    public interface LibC {
        int umount2(String target, int flags);
    }

    private static final int MNT_DETACH = 2;
    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");

    private Mounts() {}

    /** True if something is mounted exactly at {@code dir} in this mount namespace. */
    public static boolean isMounted(Path dir) throws IOException {
        String target = dir.toAbsolutePath().normalize().toString();
        List<String> lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length > 4 && unescape(f[4]).equals(target)) {
                return true;
            }
        }
        return false;
    }

    /** Lazily unmounts {@code dir} (MNT_DETACH); a no-op when nothing is mounted there. */
    public static void detach(Path dir) {
        LIBC.umount2(dir.toAbsolutePath().normalize().toString(), MNT_DETACH);
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
