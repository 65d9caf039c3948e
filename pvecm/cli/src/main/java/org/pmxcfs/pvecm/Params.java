package org.pmxcfs.pvecm;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pmxcfs.corosync.CorosyncLink;
import org.pmxcfs.join.Fingerprint;
import org.pmxcfs.join.LinkArg;

/**
 * Checks command parameters with the rules and wording of {@code PVE::JSONSchema}, collecting one
 * error per parameter; {@link #check()} then throws them together as a {@link ParamException}.
 * Every checker returns the parsed value, or null if the value was absent or wrong.
 *
 * <pre>
 * Params p = new Params();
 * String name = p.nodeName("clustername", clustername, 15);
 * Long votes = p.integer("votes", votesText, 1L, null);
 * p.check();   // 400 Parameter verification failed. ...
 * </pre>
 */
public final class Params {

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern NODE_NAME = Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?");
    private static final String DNS_LABEL = "[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?";
    private static final Pattern DNS_NAME = Pattern.compile("(" + DNS_LABEL + "\\.)*" + DNS_LABEL);
    private static final Pattern KEY_VALUE = Pattern.compile("([^=]+)=(.+)", Pattern.DOTALL);

    private final Map<String, String> errors = new LinkedHashMap<>();

    /** Records an error for {@code param} (the first one per parameter counts). */
    public void error(String param, String reason) {
        errors.putIfAbsent(param, reason);
    }

    /** Throws the collected errors, if any. */
    public void check() {
        if (!errors.isEmpty()) {
            throw new ParamException(errors);
        }
    }

    // ------------------------------------------------------------------ scalar types

    /**
     * An {@code integer} parameter: {@code type check ('integer') failed - got '<v>'},
     * {@code value must have a minimum value of <min>}, {@code ... maximum value of <max>}.
     *
     * @param min lowest allowed value, null for none
     * @param max highest allowed value, null for none
     */
    public Long integer(String param, String value, Long min, Long max) {
        if (value == null) {
            return null;
        }
        if (!INTEGER.matcher(value).matches()) {
            error(param, "type check ('integer') failed - got '" + value + "'");
            return null;
        }
        BigInteger v = new BigInteger(value.startsWith("+") ? value.substring(1) : value);
        if (max != null && v.compareTo(BigInteger.valueOf(max)) > 0) {
            error(param, "value must have a maximum value of " + max);
            return null;
        }
        if (min != null && v.compareTo(BigInteger.valueOf(min)) < 0) {
            error(param, "value must have a minimum value of " + min);
            return null;
        }
        if (v.bitLength() > 63) {
            error(param, "value must have a maximum value of " + Long.MAX_VALUE);
            return null;
        }
        return v.longValue();
    }

    /**
     * A {@code boolean} parameter as the CLI takes it: {@code 1|on|yes|true} and
     * {@code 0|off|no|false} (any case); an empty value (the option given without one) is true.
     */
    public Boolean bool(String param, String value) {
        if (value == null) {
            return null;
        }
        if (value.isEmpty() || value.matches("(?i)1|on|yes|true")) {
            return true;
        }
        if (value.matches("(?i)0|off|no|false")) {
            return false;
        }
        error(param, "type check ('boolean') failed - got '" + value + "'");
        return null;
    }

    /**
     * A {@code pve-node} string (cluster and node names): format first
     * ({@code invalid format - value does not look like a valid node name}), then the length
     * ({@code value may only be <n> characters long}), in JSONSchema's order.
     *
     * @param maxLength longest allowed length, or 0 for no limit
     */
    public String nodeName(String param, String value, int maxLength) {
        if (value == null) {
            return null;
        }
        if (!isNodeName(value)) {
            error(param, "invalid format - value does not look like a valid node name");
            return null;
        }
        if (maxLength > 0 && value.length() > maxLength) {
            error(param, "value may only be " + maxLength + " characters long");
            return null;
        }
        return value;
    }

    /** An {@code ip} string: {@code invalid format - value does not look like a valid IP address}. */
    public String ip(String param, String value) {
        if (value == null) {
            return null;
        }
        if (!isIp(value)) {
            error(param, "invalid format - value does not look like a valid IP address");
            return null;
        }
        return value;
    }

    /** A {@code fingerprint-sha256} string: {@code value does not match the regex pattern}. */
    public String fingerprint(String param, String value) {
        if (value == null) {
            return null;
        }
        if (Fingerprint.parse(value).isEmpty()) {
            error(param, "value does not match the regex pattern");
            return null;
        }
        return value;
    }

    // ------------------------------------------------------------------ corosync links

    /**
     * A {@code --linkN} value, the {@code corosync-link} property string
     * {@code [address=]<IP>[,priority=<0-255>]}. Errors read as in PVE, e.g.
     * {@code invalid format - format error} followed by a line
     * {@code link0.priority: value must have a maximum value of 255}.
     */
    public CorosyncLink link(String param, String value) {
        if (value == null) {
            return null;
        }
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : value.split(",", -1)) {
            if (part.isBlank()) {
                continue;
            }
            Matcher m = KEY_VALUE.matcher(part);
            if (m.matches()) {
                String k = m.group(1);
                if (parts.containsKey(k)) {
                    error(param, "invalid format - duplicate key in comma-separated list property: " + k);
                    return null;
                }
                if (!k.equals("address") && !k.equals("priority")) {
                    error(param, "invalid format - invalid key in comma-separated list property: " + k);
                    return null;
                }
                parts.put(k, m.group(2));
            } else if (!part.contains("=")) {
                if (parts.containsKey("address")) {
                    error(param, "invalid format - duplicate key in comma-separated list property: address");
                    return null;
                }
                parts.put("address", part);
            } else {
                error(param, "invalid format - missing key in comma-separated list property");
                return null;
            }
        }
        Map<String, String> sub = new LinkedHashMap<>();
        String address = parts.get("address");
        if (address == null) {
            sub.put(param + ".address", "property is missing and it is not optional");
        } else if (!isAddress(address)) {
            sub.put(param + ".address", "invalid format - value does not look like a valid address: " + address);
        }
        Params prio = new Params();
        Long priority = prio.integer(param + ".priority", parts.get("priority"), 0L, 255L);
        sub.putAll(prio.errors);
        if (!sub.isEmpty()) {
            StringBuilder sb = new StringBuilder("invalid format - format error");
            sub.forEach((k, v) -> sb.append('\n').append(k).append(": ").append(v));
            error(param, sb.toString());
            return null;
        }
        return new CorosyncLink(address, priority == null ? 0 : priority.intValue());
    }

    // ------------------------------------------------------------------ formats

    /** {@code pve-node}: letters, digits and inner dashes. */
    public static boolean isNodeName(String s) {
        return s != null && NODE_NAME.matcher(s).matches();
    }

    /** {@code dns-name}: dot-separated labels of letters, digits and inner dashes. */
    public static boolean isDnsName(String s) {
        return s != null && DNS_NAME.matcher(s).matches();
    }

    /** {@code ip}: an IPv4 or IPv6 literal (no lookup). */
    public static boolean isIp(String s) {
        return s != null && LinkArg.isIpLiteral(s);
    }

    /** {@code address}: an IP literal or a DNS name. */
    public static boolean isAddress(String s) {
        return isIp(s) || isDnsName(s);
    }
}
