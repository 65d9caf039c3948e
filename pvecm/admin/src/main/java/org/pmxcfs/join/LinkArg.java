package org.pmxcfs.join;

import java.util.regex.Pattern;
import org.pmxcfs.corosync.CorosyncLink;

/**
 * pvecm's {@code --linkN} property string, {@code [address=]<IP or host>[,priority=<0-255>]}.
 */
public final class LinkArg {

    private static final Pattern HOST = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private LinkArg() {}

    /**
     * Parses a link argument.
     *
     * @throws IllegalArgumentException with the problem (pvecm's {@code <param>: <reason>} reason)
     */
    public static CorosyncLink parse(String text) {
        String address = null;
        int priority = 0;
        boolean first = true;
        for (String part : text.split(",", -1)) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? (first ? "address" : null) : part.substring(0, eq);
            String value = eq < 0 ? part : part.substring(eq + 1);
            first = false;
            if (key == null) {
                throw new IllegalArgumentException("invalid format - missing key in '" + part + "'");
            }
            switch (key) {
                case "address" -> {
                    if (address != null) {
                        throw new IllegalArgumentException("invalid format - duplicate key in comma-separated list property: address");
                    }
                    address = value;
                }
                case "priority" -> {
                    try {
                        priority = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("invalid format - priority: type check ('integer') failed - got '" + value + "'");
                    }
                    if (priority < 0 || priority > 255) {
                        throw new IllegalArgumentException("invalid format - priority: value must be 0..255, got " + value);
                    }
                }
                default -> throw new IllegalArgumentException("invalid format - unknown property '" + key + "'");
            }
        }
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("invalid format - property 'address' is missing");
        }
        if (!isAddress(address)) {
            throw new IllegalArgumentException("invalid format - address: value does not look like a valid address: " + address);
        }
        return new CorosyncLink(address, priority);
    }

    /** The property string of a link, as pvecm sends it. */
    public static String format(CorosyncLink link) {
        return "address=" + link.address() + (link.priority() != 0 ? ",priority=" + link.priority() : "");
    }

    /** An IPv4/IPv6 literal or a DNS name, checked without any lookup. */
    public static boolean isAddress(String s) {
        return isIpLiteral(s) || HOST.matcher(s).matches();
    }

    /** An IPv4 or IPv6 literal (no lookup). */
    public static boolean isIpLiteral(String s) {
        if (IPV4.matcher(s).matches()) {
            return true;
        }
        if (!IPV6.matcher(s).matches()) {
            return false;
        }
        try {
            // a string of hex digits, colons and dots is parsed as a literal, never looked up
            java.net.InetAddress.getByName(s);
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
