package org.pmxcfs.pvecm.join;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.pmxcfs.join.LinkArg;
import org.pmxcfs.pvecm.PvecmException;

/**
 * {@code assert_joinable} of {@code pvecm add} (reference 4.3 step 2): collects every reason this
 * node cannot join, with the original's messages, and fails with
 * {@code Check if node may join a cluster failed!} unless forced.
 */
public final class Joinable {

    /**
     * The node's state.
     *
     * @param authkey           the daemon's authkey path
     * @param authkeyExists     whether it exists
     * @param clusterConf       {@code <mnt>/corosync.conf}
     * @param clusterConfExists whether it exists
     * @param hasGuests         whether {@code .vmlist} lists any guest
     * @param clustered         whether the daemon already runs in cluster mode (the original asks
     *                          whether corosync runs)
     */
    public record Facts(Path authkey, boolean authkeyExists, Path clusterConf, boolean clusterConfExists,
                        boolean hasGuests, boolean clustered) {}

    private Joinable() {}

    /**
     * @param addresses    label ({@code local node address}, {@code link0}, ...) to address, in order
     * @param addressCheck the problem with an address, if any ({@link #localAddressProblem})
     */
    public static List<String> errors(Facts f, Map<String, String> addresses,
                                      Function<String, Optional<String>> addressCheck) {
        List<String> errors = new ArrayList<>();
        if (f.authkeyExists()) {
            errors.add("authentication key '" + f.authkey() + "' already exists");
        }
        if (f.clusterConfExists()) {
            errors.add("cluster config '" + f.clusterConf() + "' already exists");
        }
        if (f.hasGuests()) {
            errors.add("this host already contains virtual guests");
        }
        if (f.clustered()) {
            errors.add("corosync is already running, is this node already in a cluster?!");
        }
        addresses.forEach((label, addr) -> addressCheck.apply(addr).ifPresent(p -> errors.add(label + ": " + p)));
        return errors;
    }

    /**
     * Prints the errors and fails, or with {@code force} warns and goes on.
     *
     * @throws PvecmException {@code Check if node may join a cluster failed!}
     */
    public static void report(List<String> errors, boolean force, PrintStream err) {
        if (errors.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder("detected the following error(s):\n");
        errors.forEach(e -> b.append("* ").append(e).append('\n'));
        err.print(b);
        if (!force) {
            throw new PvecmException("Check if node may join a cluster failed!");
        }
        err.print("\nWARNING : detected error but forced to continue!\n\n");
        err.flush();
    }

    /**
     * Whether an address can be this node's: a host name must resolve
     * ({@code cannot use '<host>': <error>}) and the IP must be configured here
     * ({@code cannot use IP '<ip>', not found on local node!}). Any loopback address counts as
     * local (Linux answers for all of 127.0.0.0/8), which test clusters on one host rely on.
     */
    public static Optional<String> localAddressProblem(String address) {
        InetAddress ip;
        try {
            ip = InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            return Optional.of("cannot use '" + address + "': unable to resolve it (" + e.getMessage() + ")");
        }
        String text = LinkArg.isIpLiteral(address) ? address : ip.getHostAddress();
        try {
            if (ip.isLoopbackAddress() || NetworkInterface.getByInetAddress(ip) != null) {
                return Optional.empty();
            }
        } catch (SocketException e) {
            // cannot list interfaces: say it is not local
        }
        return Optional.of("cannot use IP '" + text + "', not found on local node!");
    }
}
