package org.pmxcfs.ipc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.VmList;

/**
 * IPC {@code get_guest_config_property} (reference §3.11, id 11): the values of properties in the
 * main section of guest configs, as the original's JSON text
 * {@code {⏎"100":{"lock": "backup","tags": "a;b"},⏎"101":{...}⏎}⏎}.
 *
 * <p>Only the main section is scanned (up to the first line starting with {@code [}); a property
 * line is {@code <name>:<value>} with the name starting at the beginning of the line with a
 * lower-case letter; the value is trimmed, and the first occurrence counts. Guests without any of
 * the properties are left out. Unlike the original, values are fully JSON-escaped (control
 * characters too), and with vmid 0 the guests are listed by ascending VMID.
 */
final class GuestProperties {

    private GuestProperties() {}

    /** Smallest VMID a guest may have; 1..99 are refused with EINVAL, 0 means all guests. */
    static final long MIN_VMID = 100;
    static final long MAX_VMID = 0xFFFF_FFFFL;

    /**
     * @param vms   the VMID registry
     * @param read  reads a memdb file (relative path), empty if missing
     * @param vmid  one guest, or 0 for all
     * @param props property names, each starting with [a-z]
     */
    static String render(VmList vms, Function<String, Optional<byte[]>> read, long vmid, List<String> props) {
        if (props.isEmpty()) {
            throw new IpcError(Errno.EINVAL, "no property given");
        }
        for (String p : props) {
            if (p.isEmpty() || p.charAt(0) < 'a' || p.charAt(0) > 'z') {
                throw new IpcError(Errno.EINVAL, "invalid property name '" + p + "' (must start with a-z)");
            }
            if (p.indexOf(':') >= 0 || p.indexOf('\n') >= 0 || p.indexOf('\0') >= 0) {
                throw new IpcError(Errno.EINVAL, "invalid property name '" + p + "'");
            }
        }
        if (vmid < 0 || vmid > MAX_VMID || (vmid > 0 && vmid < MIN_VMID)) {
            throw new IpcError(Errno.EINVAL, "invalid vmid " + vmid + " (0 for all guests, or 100.." + MAX_VMID + ")");
        }
        List<VmList.VmInfo> guests = new ArrayList<>();
        if (vmid == 0) {
            guests.addAll(vms.sorted());
        } else {
            VmList.VmInfo vm = vms.vms().get(vmid);
            if (vm == null) {
                throw new IpcError(Errno.ENOENT, "no guest with vmid " + vmid);
            }
            guests.add(vm);
        }
        List<String> blocks = new ArrayList<>();
        for (VmList.VmInfo vm : guests) {
            Optional<byte[]> conf = read.apply(configPath(vm));
            if (conf.isEmpty()) {
                continue;
            }
            String[] values = scan(new String(conf.get(), StandardCharsets.UTF_8), props);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < props.size(); i++) {
                if (values[i] == null) {
                    continue;
                }
                sb.append(sb.length() == 0 ? "" : ",");
                quote(sb, props.get(i));
                sb.append(": ");
                quote(sb, values[i]);
            }
            if (sb.length() > 0) {
                blocks.add("\"" + vm.vmid() + "\":{" + sb + "}");
            }
        }
        return "{\n" + String.join(",\n", blocks) + "\n}\n";
    }

    /** {@code nodes/<node>/<qemu-server|lxc|openvz>/<vmid>.conf} of a registered guest. */
    static String configPath(VmList.VmInfo vm) {
        String dir = switch (vm.type()) {
            case "qemu" -> "qemu-server";
            case "lxc" -> "lxc";
            case "openvz" -> "openvz";
            default -> throw new IllegalStateException("unknown guest type " + vm.type());
        };
        return "nodes/" + vm.node() + "/" + dir + "/" + vm.vmid() + ".conf";
    }

    /** The first value of each property in the main section, null where absent. */
    static String[] scan(String conf, List<String> props) {
        String[] values = new String[props.size()];
        int found = 0;
        for (String line : conf.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            char c = line.charAt(0);
            if (c == '[') {
                break; // snapshot or pending section
            }
            if (c < 'a' || c > 'z') {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon);
            for (int i = 0; i < values.length; i++) {
                if (values[i] == null && props.get(i).equals(name)) {
                    values[i] = line.substring(colon + 1).strip();
                    found++;
                }
            }
            if (found == values.length) {
                break;
            }
        }
        return values;
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
