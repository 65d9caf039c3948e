package org.pmxcfs.dbstore;

import java.util.Optional;

/**
 * A guest config path {@code nodes/<node>/<qemu-server|lxc|openvz>/<vmid>.conf}: only such files
 * register a VMID, and a VMID may belong to one node and one guest type at a time.
 */
public record GuestPath(long vmid, String node, String type) {

    /** Parses a relative, normalised path; empty when it is not a guest config path. */
    public static Optional<GuestPath> parse(String path) {
        String[] parts = path.split("/", -1);
        if (parts.length != 4 || !parts[0].equals("nodes") || !isNodeName(parts[1])) {
            return Optional.empty();
        }
        String type = switch (parts[2]) {
            case "qemu-server" -> "qemu";
            case "lxc" -> "lxc";
            case "openvz" -> "openvz";
            default -> null;
        };
        String file = parts[3];
        if (type == null || !file.endsWith(".conf")) {
            return Optional.empty();
        }
        String digits = file.substring(0, file.length() - 5);
        if (digits.isEmpty() || digits.length() > 10 || digits.charAt(0) < '1' || digits.charAt(0) > '9'
                || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        long vmid = Long.parseLong(digits);
        if (vmid > 0xFFFF_FFFFL) {
            return Optional.empty();
        }
        return Optional.of(new GuestPath(vmid, parts[1], type));
    }

    /** Letters, digits and '-', not starting or ending with '-'. */
    static boolean isNodeName(String s) {
        if (s.isEmpty() || s.charAt(0) == '-' || s.charAt(s.length() - 1) == '-') {
            return false;
        }
        return s.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-');
    }
}
