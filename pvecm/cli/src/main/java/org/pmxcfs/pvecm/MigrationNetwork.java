package org.pmxcfs.pvecm;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The migration network of {@code pvecm mtunnel}: the CIDR from {@code datacenter.cfg}
 * ({@code migration: [type=]secure|insecure[,network=<cidr>]}) and this host's address in it
 * ({@code PVE::Network::get_local_ip_from_cidr}).
 */
public final class MigrationNetwork {

    private final InetAddress network;
    private final int prefix;
    private final String text;

    private MigrationNetwork(InetAddress network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /**
     * @throws PvecmException {@code invalid network '<cidr>'} for anything but an IP and a prefix
     */
    public static MigrationNetwork parse(String cidr) {
        int slash = cidr.indexOf('/');
        try {
            if (slash < 1 || !Params.isIp(cidr.substring(0, slash))) {
                throw new NumberFormatException();
            }
            InetAddress net = InetAddress.getByName(cidr.substring(0, slash));
            int bits = Integer.parseInt(cidr.substring(slash + 1));
            if (bits < 0 || bits > net.getAddress().length * 8) {
                throw new NumberFormatException();
            }
            return new MigrationNetwork(net, bits, cidr);
        } catch (NumberFormatException | UnknownHostException e) {
            throw new PvecmException("invalid migration network '" + cidr + "' - expected an address and a prefix"
                    + " length, like 10.1.2.0/24");
        }
    }

    /** The {@code network} of the {@code migration} property of datacenter.cfg, if set. */
    public static Optional<String> fromDatacenterCfg(byte[] cfg) {
        for (String line : new String(cfg, StandardCharsets.UTF_8).split("\n")) {
            String l = line.strip();
            if (!l.startsWith("migration:")) {
                continue;
            }
            for (String part : l.substring("migration:".length()).strip().split(",")) {
                if (part.strip().startsWith("network=")) {
                    return Optional.of(part.strip().substring("network=".length()));
                }
            }
        }
        return Optional.empty();
    }

    /** Whether {@code a} lies in this network (same family, same first {@code prefix} bits). */
    public boolean contains(InetAddress a) {
        byte[] x = a.getAddress();
        byte[] n = network.getAddress();
        if (x.length != n.length) {
            return false;
        }
        int drop = x.length * 8 - prefix;
        return new BigInteger(1, x).shiftRight(drop).equals(new BigInteger(1, n).shiftRight(drop));
    }

    /**
     * This host's address in the network: {@code could not get migration ip: ...} when there is
     * none or several different ones.
     */
    public String localAddress() {
        Set<String> found = new LinkedHashSet<>();
        for (InetAddress a : localAddresses()) {
            if (contains(a)) {
                found.add(a.getHostAddress().replaceFirst("%.*$", ""));
            }
        }
        if (found.isEmpty()) {
            throw new PvecmException("could not get migration ip: no IP address configured on local node for network '"
                    + text + "'");
        }
        if (found.size() > 1) {
            throw new PvecmException("could not get migration ip: multiple, different, IP address configured for"
                    + " network '" + text + "'");
        }
        return found.iterator().next();
    }

    private static List<InetAddress> localAddresses() {
        List<InetAddress> all = new ArrayList<>();
        try {
            for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                all.addAll(Collections.list(i.getInetAddresses()));
            }
        } catch (SocketException e) {
            throw new PvecmException("could not get migration ip: unable to list the network interfaces - "
                    + e.getMessage());
        }
        return all;
    }
}
