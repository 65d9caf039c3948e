package org.pmxcfs.pvecm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.pmxcfs.ipc.client.IpcClient;
import org.pmxcfs.ipc.client.IpcException;

/**
 * The running pmxcfs as pvecm sees it: its IPC socket (found from the run directory alone) and,
 * through {@code get_paths}, where it mounts the tree, keeps the corosync authkey and so on.
 * Files of the tree are read over IPC and written through the mount, like the Perl tools do.
 */
public final class Cfs implements AutoCloseable {

    /** The daemon's paths (IPC {@code get_paths}). */
    public record Paths(Path mountpoint, Path dataDir, Path runDir, Path authkey, Path corosyncConf,
                        String nodename) {

        public Paths {
            Objects.requireNonNull(mountpoint, "mountpoint");
            Objects.requireNonNull(authkey, "authkey");
            Objects.requireNonNull(nodename, "nodename");
        }

        /** {@code <mountpoint>/<relative>}. */
        public Path inTree(String relative) {
            return mountpoint.resolve(relative);
        }

        /** {@code <mountpoint>/corosync.conf}. */
        public Path clusterConf() {
            return mountpoint.resolve("corosync.conf");
        }

        static Paths of(JsonNode n) throws IOException {
            if (n == null || !n.isObject()) {
                throw new IOException("protocol error: get_paths returned no object");
            }
            return new Paths(path(n, "mountpoint"), path(n, "data_dir"), path(n, "run_dir"), path(n, "authkey"),
                    path(n, "corosync_conf"), text(n, "nodename"));
        }

        private static Path path(JsonNode n, String field) throws IOException {
            return Path.of(text(n, field));
        }

        private static String text(JsonNode n, String field) throws IOException {
            JsonNode v = n.get(field);
            if (v == null || !v.isTextual() || v.asText().isEmpty()) {
                throw new IOException("protocol error: get_paths returned no " + field);
            }
            return v.asText();
        }
    }

    /** The daemon answered that it is not in cluster mode (no quorum service). */
    public static final class NotClusteredException extends IOException {
        private static final long serialVersionUID = 1L;

        NotClusteredException(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final IpcClient ipc;
    private Paths paths;

    private Cfs(IpcClient ipc) {
        this.ipc = ipc;
    }

    /**
     * Connects to the daemon of {@code runDir}.
     *
     * @throws PvecmException if no daemon runs there or it refuses us
     */
    public static Cfs connect(Path runDir) {
        return connect(runDir, IpcClient.DEFAULT_TIMEOUT);
    }

    public static Cfs connect(Path runDir, Duration timeout) {
        try {
            return new Cfs(IpcClient.connect(runDir, timeout));
        } catch (java.nio.file.AccessDeniedException e) {
            throw new PvecmException("unable to connect to pmxcfs at " + e.getFile() + " - " + e.getReason(), e);
        } catch (IOException e) {
            throw new PvecmException(e.getMessage(), e);
        }
    }

    /** The raw IPC client, for operations without a method here. */
    public IpcClient ipc() {
        return ipc;
    }

    /** The daemon's paths, asked once per connection. */
    public synchronized Paths paths() throws IOException {
        if (paths == null) {
            paths = Paths.of(getPaths());
        }
        return paths;
    }

    private JsonNode getPaths() throws IOException {
        IpcClient.Response r = ipc.call("get_paths", Map.of());
        if (!r.ok()) {
            throw new IpcException(r.errno(), "pmxcfs cannot tell its paths (get_paths: " + r.error()
                    + ") - is it older than this pvecm?");
        }
        return r.result();
    }

    /** Whether the daemon runs with {@code -l}: it cannot join a cluster then. */
    public boolean localForced() throws IOException {
        return getPaths().path("local_forced").asBoolean(false);
    }

    /** Why the daemon, in local mode with a corosync.conf in its tree, could not start cluster mode (asked now). */
    public Optional<String> clusterError() throws IOException {
        JsonNode e = getPaths().path("cluster_error");
        return e.isTextual() ? Optional.of(e.asText()) : Optional.empty();
    }

    /** The content of a file of the tree ({@code get_config}), empty if there is none. */
    public Optional<byte[]> config(String relative) throws IOException {
        return ipc.getConfig(relative);
    }

    /** The {@code .members} data ({@code get_cluster_info}) as JSON. */
    public JsonNode clusterInfo() throws IOException {
        return JSON.readTree(ipc.getClusterInfo());
    }

    /**
     * The votequorum state ({@code get_quorum_status}).
     *
     * @throws NotClusteredException if the daemon runs in local mode
     */
    public JsonNode quorumStatus() throws IOException {
        IpcClient.Response r = ipc.call("get_quorum_status", Map.of());
        if (!r.ok()) {
            if ("EINVAL".equals(r.errno())) {
                throw new NotClusteredException(r.error());
            }
            throw new IpcException(r.errno(), r.error());
        }
        if (r.result() == null || !r.result().isObject()) {
            throw new IOException("protocol error: get_quorum_status returned no object");
        }
        return r.result();
    }

    /** Whether the daemon runs in cluster mode (its quorum status answers). */
    public boolean clustered() throws IOException {
        try {
            quorumStatus();
            return true;
        } catch (NotClusteredException e) {
            return false;
        }
    }

    /**
     * {@code pvecm expected}: sets the expected votes.
     *
     * @return null if accepted, else the daemon's refusal (votequorum's message)
     */
    public String setExpected(long votes) throws IOException {
        IpcClient.Response r = ipc.call("set_expected", Map.of("votes", votes));
        if (r.ok()) {
            return null;
        }
        if ("EINVAL".equals(r.errno())) {
            return r.error();
        }
        throw new IpcException(r.errno(), r.error());
    }

    /**
     * The original's quorum test ({@code PVE::Cluster::check_cfs_quorum}): the owner-write bit of
     * {@code <mountpoint>/local}. False while the mount is missing. Local mode is quorate.
     */
    public static boolean cfsQuorate(Path mountpoint) {
        try {
            Object mode = Files.getAttribute(mountpoint.resolve("local"), "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer m && (m & 0200) != 0;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public void close() {
        ipc.close();
    }
}
