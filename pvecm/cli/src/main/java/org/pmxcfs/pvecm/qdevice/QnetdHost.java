package org.pmxcfs.pvecm.qdevice;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.pmxcfs.pvecm.PvecmException;

/**
 * The host running corosync-qnetd, where {@code pvecm qdevice setup} initialises the qnetd CA
 * and signs the cluster's certificate with {@code corosync-qnetd-certutil}. As in the original,
 * commands run there as root over SSH (key-based: {@code BatchMode}, so a missing key fails
 * instead of asking). When the address is one of this machine's own, they run here directly,
 * with no SSH server needed (the one-machine try-out).
 */
final class QnetdHost {

    /** Where corosync-qnetd-certutil keeps the qnetd NSS database (fixed in the tool). */
    static final String NSSDB = "/etc/corosync/qnetd/nssdb";
    private static final long TIMEOUT_SECONDS = 60;

    private final String address;
    private final boolean local;

    private QnetdHost(String address, boolean local) {
        this.address = address;
        this.local = local;
    }

    static QnetdHost of(String address) {
        return new QnetdHost(address, isLocal(address));
    }

    boolean local() {
        return local;
    }

    private static boolean isLocal(String address) {
        try {
            InetAddress a = InetAddress.getByName(address);
            return a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null;
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }

    /**
     * Runs a shell script on the host with {@code stdin} as its input and returns its output.
     *
     * @throws PvecmException with the script's error output when it fails or takes over 60 s
     */
    byte[] run(String what, String script, byte[] stdin) {
        List<String> cmd = new ArrayList<>();
        if (local) {
            cmd.addAll(List.of("sh", "-c", script));
        } else {
            cmd.addAll(List.of("ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "root@" + address, script));
        }
        try {
            Process p = new ProcessBuilder(cmd).start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin);
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new PvecmException(what + " on " + address + " timed out after " + TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                String msg = new String(err.join(), StandardCharsets.UTF_8).trim();
                throw new PvecmException(what + " on " + address + " failed (exit code " + p.exitValue() + "): " + msg
                        + (local ? "" : " - root login over SSH with a key must work (ssh-copy-id root@" + address + ")"));
            }
            return out.join();
        } catch (IOException e) {
            throw new PvecmException(what + " on " + address + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PvecmException(what + " on " + address + " interrupted", e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** Initialises the qnetd CA if it is not yet (as the qnetd package's own set-up does) and returns it. */
    byte[] caCertificate() {
        String script = "command -v corosync-qnetd-certutil >/dev/null || { echo 'corosync-qnetd is not installed"
                + " - apt install corosync-qnetd' >&2; exit 1; }; "
                + "[ -e " + NSSDB + "/qnetd-cacert.crt ] || corosync-qnetd-certutil -i >&2 || exit 1; "
                + "cat " + NSSDB + "/qnetd-cacert.crt";
        return run("initializing the qnetd CA", script, new byte[0]);
    }

    /** Signs a certificate request (DER) for the cluster with the qnetd CA; returns the certificate (DER). */
    byte[] sign(String clusterName, byte[] request) {
        if (!clusterName.matches("[A-Za-z0-9_-]+")) {
            throw new PvecmException("cluster name '" + clusterName + "' cannot be used for a QDevice certificate");
        }
        String script = "d=$(mktemp -d) || exit 1; trap 'rm -rf \"$d\"' EXIT; cat > \"$d/req.der\" && "
                + "corosync-qnetd-certutil -s -c \"$d/req.der\" -n " + clusterName + " >&2 && "
                + "cat " + NSSDB + "/cluster-" + clusterName + ".crt";
        return run("signing the cluster certificate", script, request);
    }
}
