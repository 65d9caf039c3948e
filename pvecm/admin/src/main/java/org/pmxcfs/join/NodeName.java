package org.pmxcfs.join;

import java.util.regex.Pattern;

/** The original's {@code pve-node} format: what a node name in a path or parameter may be. */
public final class NodeName {

    private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?");

    private NodeName() {}

    /** Whether {@code s} is a valid node name (so it is also safe as a path component). */
    public static boolean valid(String s) {
        return s != null && s.length() <= 63 && FORMAT.matcher(s).matches();
    }

    /** pvecm's parameter error for an invalid name. */
    public static final String PROBLEM = "value does not look like a valid node name";
}
