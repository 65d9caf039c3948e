package org.pmxcfs.join;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import org.pmxcfs.ipc.client.IpcClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClusterAccess} of a running daemon: the FUSE mount and the IPC socket of its run
 * directory, used the way the original's Perl uses {@code /etc/pve} and IPCC.
 */
public final class MountClusterAccess implements ClusterAccess {

    private static final Logger log = LoggerFactory.getLogger("join");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path mountpoint;
    private final String nodename;
    private final Path authKey;
    private final Path runDir;
    private final String tag;

    /**
     * @param tag the cluster log tag ({@code pvecm} for the CLI, {@code pmxcfs} in the daemon)
     */
    public MountClusterAccess(Path mountpoint, String nodename, Path authKey, Path runDir, String tag) {
        this.mountpoint = mountpoint;
        this.nodename = nodename;
        this.authKey = authKey;
        this.runDir = runDir;
        this.tag = tag;
    }

    @Override
    public Path mountpoint() {
        return mountpoint;
    }

    @Override
    public String nodename() {
        return nodename;
    }

    @Override
    public Path authKey() {
        return authKey;
    }

    /**
     * The original's {@code check_cfs_quorum}: the owner write bit of the {@code local} symlink
     * (lstat, since access(2) always says yes to root), which pmxcfs drops without quorum.
     */
    @Override
    public boolean quorate() {
        return quorate(mountpoint);
    }

    /** {@link #quorate()} of a mount point. */
    public static boolean quorate(Path mountpoint) {
        try {
            PosixFileAttributes a = Files.readAttributes(mountpoint.resolve("local"), PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return a.permissions().contains(PosixFilePermission.OWNER_WRITE);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void logCluster(int priority, String message) {
        try (IpcClient c = IpcClient.connect(runDir)) {
            c.logClusterMsg(priority, "root@pam", tag, message);
        } catch (IOException e) {
            log.warn("unable to add to the cluster log ({}): {}", message, e.getMessage());
        }
    }

    @Override
    public Optional<String> nodeIp(String node) {
        try (IpcClient c = IpcClient.connect(runDir)) {
            JsonNode members = JSON.readTree(c.getClusterInfo());
            JsonNode ip = members.path("nodelist").path(node).path("ip");
            return ip.isTextual() && !ip.asText().isEmpty() ? Optional.of(ip.asText()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
