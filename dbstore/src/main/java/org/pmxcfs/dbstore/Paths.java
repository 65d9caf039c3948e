package org.pmxcfs.dbstore;

import java.util.ArrayList;
import java.util.List;

/** Path handling of the memdb: relative paths, '/' separated, empty components ignored. */
public final class Paths {
    private Paths() {}

    /**
     * The components of {@code path}; leading, trailing and repeated '/' are ignored. {@code ""},
     * {@code "/"} and exactly {@code "."} are the root; any other '.' or '..' is a literal name.
     */
    public static List<String> split(String path) {
        List<String> parts = new ArrayList<>();
        if (path.equals(".")) {
            return parts;
        }
        int start = 0;
        int n = path.length();
        for (int i = 0; i <= n; i++) {
            if (i == n || path.charAt(i) == '/') {
                if (i > start) {
                    parts.add(path.substring(start, i));
                }
                start = i + 1;
            }
        }
        return parts;
    }

    /** {@code path} without leading, trailing and repeated '/'. */
    public static String normalize(String path) {
        return String.join("/", split(path));
    }
}
