package org.pmxcfs.corosync;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code totem} section, the keys pmxcfs and pvecm use.
 *
 * @param clusterName      {@code cluster_name} (required)
 * @param configVersion    {@code config_version}; absent means 0 to corosync, and pvecm refuses to
 *                         bump it ({@code unable to read config version})
 * @param secauth          {@code secauth} as written ({@code on}/{@code off}), if set
 * @param token            {@code token} in ms, if set (corosync default 3000)
 * @param tokenCoefficient {@code token_coefficient} in ms, if set (corosync default 650; pvecm
 *                         create writes 125)
 * @param consensus        {@code consensus} in ms, if set (corosync default 1.2 × the token timeout)
 * @param interfaces       the {@code interface} blocks in file order
 * @param linkMode         {@code link_mode} ({@code passive}, {@code active}, {@code rr}), if set
 * @param ipVersion        {@code ip_version} ({@code ipv4}, {@code ipv6}, {@code ipv4-6},
 *                         {@code ipv6-4}), if set
 * @param version          {@code version} (protocol version, 2), if set
 * @param transport        {@code transport}, if set (corosync 3 default: knet)
 * @param line             1-based line of the section
 */
public record Totem(String clusterName, OptionalLong configVersion, Optional<String> secauth, OptionalLong token,
                    OptionalLong tokenCoefficient, OptionalLong consensus, List<TotemInterface> interfaces, Optional<String> linkMode,
                    Optional<String> ipVersion, OptionalLong version, Optional<String> transport, int line) {

    public Totem {
        Objects.requireNonNull(clusterName, "clusterName");
        interfaces = List.copyOf(interfaces);
    }

    /**
     * Whether messages are authenticated and encrypted. Only an explicit {@code secauth: off}
     * turns it off: pvecm always writes {@code on}, and a cluster whose file lacks the key is
     * safer encrypted (corosync 3 itself would default to off).
     */
    public boolean secauthEnabled() {
        return !secauth.map("off"::equals).orElse(false);
    }

    /** The interface block of a link, if any. */
    public Optional<TotemInterface> link(int linknumber) {
        return interfaces.stream().filter(i -> i.linknumber() == linknumber).findFirst();
    }
}
