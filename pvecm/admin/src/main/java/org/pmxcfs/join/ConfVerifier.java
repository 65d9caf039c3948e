package org.pmxcfs.join;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.NodeEntry;
import org.pmxcfs.corosync.TotemInterface;

/**
 * pvecm's {@code verify_conf}: what must hold before a node is added. Errors: no nodes; with
 * {@code totem.interface} blocks, every link a node uses must have one and every one must be used
 * by every node; without them, all nodes must use the same links. Warnings: no
 * {@code secauth}/crypto, and link addresses that are host names or do not resolve.
 */
public final class ConfVerifier {

    /** The outcome: errors make an edit impossible, warnings are passed on to the user. */
    public record Result(List<String> errors, List<String> warnings) {
        public Result {
            errors = List.copyOf(errors);
            warnings = List.copyOf(warnings);
        }
    }

    private ConfVerifier() {}

    /**
     * @param resolver host name to IP, as corosync would resolve it (empty if it does not
     *                 resolve); only called for addresses that are not IP literals
     */
    public static Result verify(CorosyncConf conf, Function<String, Optional<String>> resolver) {
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<NodeEntry> nodes = conf.nodes().stream().sorted(Comparator.comparing(NodeEntry::name)).toList();
        if (nodes.isEmpty()) {
            errors.add("no nodes found");
            return new Result(errors, warnings);
        }
        if (!conf.totem().secauth().map("on"::equals).orElse(false) && !hasCrypto(conf)) {
            warnings.add("warning: authentication/encryption is not explicitly enabled"
                    + " (secauth / crypto_cipher / crypto_hash)");
        }
        List<TotemInterface> interfaces = conf.totem().interfaces();
        for (int link = 0; link <= NodeEntry.MAX_LINK; link++) {
            final int l = link;
            boolean haveInterface = interfaces.stream().anyMatch(i -> i.linknumber() == l);
            boolean anyNodeHasLink = nodes.stream().anyMatch(n -> n.ringAddr(l).isPresent());
            for (NodeEntry n : nodes) {
                Optional<String> addr = n.ringAddr(link);
                if (addr.isPresent()) {
                    checkAddress("ring" + link + "_addr", addr.get(), n.name(), resolver, warnings);
                    if (!interfaces.isEmpty() && !haveInterface) {
                        errors.add("node '" + n.name() + "' has 'ring" + link + "_addr', but there is no interface number "
                                + link + " configured");
                    }
                } else if (!interfaces.isEmpty() && haveInterface) {
                    errors.add("node '" + n.name() + "' is missing address for interface number " + link);
                } else if (interfaces.isEmpty() && anyNodeHasLink) {
                    errors.add("node '" + n.name() + "' is missing link " + link + ", which is configured on other nodes");
                }
            }
        }
        return new Result(errors, warnings);
    }

    private static boolean hasCrypto(CorosyncConf conf) {
        return conf.tree().root().section("totem").flatMap(t -> t.value("crypto_cipher"))
                .filter(c -> !c.equals("none")).isPresent();
    }

    private static void checkAddress(String key, String addr, String node, Function<String, Optional<String>> resolver,
                                     List<String> warnings) {
        if (LinkArg.isIpLiteral(addr)) {
            return;
        }
        Optional<String> ip = resolver.apply(addr);
        if (ip.isEmpty()) {
            warnings.add("warning: unable to resolve " + key + " '" + addr + "' for node '" + node
                    + "' to an IP address according to Corosync's resolve strategy - cluster could fail on restart!");
        } else if (!ip.get().equals(addr)) {
            warnings.add("warning: " + key + " '" + addr + "' for node '" + node + "' resolves to '" + ip.get()
                    + "' - consider replacing it with the currently resolved IP address for stability");
        }
    }
}
