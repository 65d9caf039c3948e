package org.pmxcfs.join;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.util.HexFormat;
import java.util.Optional;
import org.pmxcfs.corosync.ConfItem;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.CorosyncConfException;

/**
 * {@code GET /cluster/config/join} (reference 4.11): the nodelist (each node's corosync keys plus
 * {@code pve_addr} and {@code pve_fp}, the SHA-256 fingerprint of its {@code pveproxy-ssl.pem} if
 * present, else {@code pve-ssl.pem}), {@code preferred_node}, the {@code totem} section and
 * {@code config_digest} (SHA-1 of corosync.conf). Values are strings, as the original's parser
 * returns them; {@code totem.interface} is an object keyed by link number, as in Perl.
 */
public final class JoinInfo {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private JoinInfo() {}

    /**
     * @param node the requested node ({@code ?node=}), or null for this node
     * @throws JoinException 424 {@code node is not in a cluster, no join info available!}, or
     *                       {@code unknown node '<n>'}
     */
    public static ObjectNode build(ClusterAccess access, String node) throws JoinException, IOException {
        ClusterConfigFile file = new ClusterConfigFile(access.mountpoint());
        if (!file.exists()) {
            throw new JoinException(424, "node is not in a cluster, no join info available!", java.util.Map.of());
        }
        byte[] bytes = file.readBytes();
        CorosyncConf conf;
        try {
            conf = CorosyncConf.parse(bytes);
        } catch (CorosyncConfException e) {
            throw new JoinException("unable to parse corosync.conf: " + e.getMessage());
        }
        String preferred = node != null ? node : access.nodename();
        if (conf.node(preferred).isEmpty()) {
            throw new JoinException("unknown node '" + preferred + "'");
        }
        ObjectNode out = JSON.objectNode();
        ArrayNode nodelist = out.putArray("nodelist");
        ConfItem.Section root = conf.tree().root();
        for (ConfItem.Section n : root.section("nodelist").map(s -> s.sections("node")).orElse(java.util.List.of())) {
            ObjectNode o = entries(n);
            String name = n.value("name").or(() -> n.value("ring0_addr")).orElse("");
            o.put("pve_addr", access.nodeIp(name).orElse(n.value("ring0_addr").orElse("")));
            Optional<String> fp = nodeFingerprint(access.mountpoint(), name);
            if (fp.isPresent()) {
                o.put("pve_fp", fp.get());
            } else {
                o.putNull("pve_fp");
            }
            nodelist.add(o);
        }
        out.put("preferred_node", preferred);
        out.set("totem", section(root.section("totem").orElseThrow()));
        out.put("config_digest", sha1(bytes));
        return out;
    }

    /** The fingerprint of a node's API certificate, if it has one. */
    public static Optional<String> nodeFingerprint(Path mountpoint, String node) throws IOException {
        if (!NodeName.valid(node)) {
            return Optional.empty();
        }
        Path dir = mountpoint.resolve("nodes").resolve(node);
        for (String f : new String[] {"pveproxy-ssl.pem", "pve-ssl.pem"}) {
            Path p = dir.resolve(f);
            if (Files.isRegularFile(p)) {
                try {
                    return Optional.of(Fingerprint.of(Pem.certificates(Files.readString(p, StandardCharsets.UTF_8)).get(0)));
                } catch (CertificateException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    private static ObjectNode entries(ConfItem.Section s) {
        ObjectNode o = JSON.objectNode();
        for (ConfItem.Entry e : s.entries()) {
            o.put(e.key(), e.value());
        }
        return o;
    }

    /** A section as Perl's parser returns it: keys, sub-sections as objects, interfaces keyed by number. */
    private static ObjectNode section(ConfItem.Section s) {
        ObjectNode o = entries(s);
        for (ConfItem item : s.items()) {
            if (item instanceof ConfItem.Section sub) {
                if (sub.name().equals("interface")) {
                    String key = sub.value("linknumber").or(() -> sub.value("ringnumber")).orElse("0");
                    ObjectNode interfaces = o.get("interface") instanceof ObjectNode i ? i : o.putObject("interface");
                    interfaces.set(key, section(sub));
                } else {
                    o.set(sub.name(), section(sub));
                }
            }
        }
        return o;
    }

    private static String sha1(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }
}
