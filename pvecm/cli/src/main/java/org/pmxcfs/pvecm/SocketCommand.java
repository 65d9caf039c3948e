package org.pmxcfs.pvecm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;

/**
 * {@code PVE::Tools::pipe_socket_to_command} for {@code pvecm mtunnel --run-command}: listens on
 * the first free migration port (60000-60050) of an address, prints the address and the port
 * (the migrating side connects there), waits 30 s for one client, and runs the command with
 * the connection as its standard input and output. The original hands the socket itself to the
 * command; the JDK cannot, so two threads copy the bytes.
 */
public final class SocketCommand {

    static final int FIRST_PORT = 60000;
    static final int LAST_PORT = 60050;
    static final int ACCEPT_TIMEOUT_MS = 30_000;

    private SocketCommand() {
    }

    /** Runs {@code command} on the next client; fails with {@code exit code N} like the original. */
    public static void run(List<String> command, String ip, PrintStream out) throws IOException, InterruptedException {
        try (ServerSocket server = listen(InetAddress.getByName(ip))) {
            out.print(ip + "\n" + server.getLocalPort() + "\n");
            out.flush();
            server.setSoTimeout(ACCEPT_TIMEOUT_MS);
            Socket client;
            try {
                client = server.accept();
            } catch (SocketTimeoutException e) {
                throw new PvecmException("timed out waiting for client");
            }
            try (client) {
                Process p;
                try {
                    p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                } catch (IOException e) {
                    throw new PvecmException("exec failed: " + e.getMessage());
                }
                Thread in = copy(client.getInputStream(), p.getOutputStream(), "mtunnel-in");
                Thread outCopy = copy(p.getInputStream(), client.getOutputStream(), "mtunnel-out");
                int rc = p.waitFor();
                outCopy.join(5_000);
                in.interrupt();
                if (rc != 0) {
                    throw new PvecmException("exit code " + rc);
                }
            }
        }
    }

    private static ServerSocket listen(InetAddress ip) throws IOException {
        for (int port = FIRST_PORT; port <= LAST_PORT; port++) {
            ServerSocket s = new ServerSocket();
            try {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(ip, port));
                return s;
            } catch (IOException busy) {
                s.close();
            }
        }
        throw new PvecmException("unable to find free migration port");
    }

    /**
     * Copies until end of input, then closes {@code to} (the other side sees end of input too);
     * {@code from} stays open: closing a socket's input stream closes the socket.
     */
    private static Thread copy(InputStream from, OutputStream to, String name) {
        Thread t = new Thread(() -> {
            try (to) {
                from.transferTo(to);
            } catch (IOException ignored) {
                // the peer closed: the command's exit code tells how it went
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
