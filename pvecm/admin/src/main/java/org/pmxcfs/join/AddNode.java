package org.pmxcfs.join;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code addnode} on a cluster member (reference 4.4): the server side of
 * {@code POST /cluster/config/nodes/{node}}, and {@code pvecm addnode}. Needs quorum; under the
 * cluster lock {@code file-corosync_conf} it applies {@link AddNodeRules}, creates the new
 * node's directories, logs {@code adding node <n> to cluster} to the cluster log and writes
 * corosync.conf ({@code config_version + 1}). Returns what the joining node needs.
 */
public final class AddNode {

    /** The directories every node has under {@code nodes/<node>/}. */
    static final List<String> NODE_DIRS = List.of("lxc", "qemu-server", "openvz", "priv");
    /** Syslog priority of the cluster log entry (notice, as the original's {@code log_msg}). */
    static final int NOTICE = 5;

    /**
     * The answer to the joining node.
     *
     * @param corosyncAuthkey the authkey file's bytes
     * @param corosyncConf    corosync.conf as written
     * @param warnings        {@code verify_conf}'s warnings
     */
    public record Result(byte[] corosyncAuthkey, byte[] corosyncConf, List<String> warnings) {}

    private final ClusterAccess access;
    private final CfsLock lock;
    private final Function<String, Optional<String>> resolver;

    public AddNode(ClusterAccess access, CfsLock lock, Function<String, Optional<String>> resolver) {
        this.access = access;
        this.lock = lock;
        this.resolver = resolver;
    }

    /** With the real lock and DNS resolution; lock progress and notes go to {@code messages}. */
    public static AddNode of(ClusterAccess access, Consumer<String> messages) {
        return new AddNode(access, CfsLock.of(access, messages), AddNode::resolve);
    }

    /** {@link #of(ClusterAccess, Consumer)} with a lock that handles a failed release by {@code stuck}. */
    public static AddNode of(ClusterAccess access, Consumer<String> messages, CfsLock.StuckLock stuck) {
        return new AddNode(access, CfsLock.of(access, messages).onStuckLock(stuck), AddNode::resolve);
    }

    /**
     * @param notes receives {@code forcing overwrite of configured node '<n>'}
     */
    public Result run(AddNodeRequest req, Consumer<String> notes) throws JoinException, IOException {
        if (!access.quorate()) {
            throw new JoinException("cluster not ready - no quorum?");
        }
        ClusterConfigFile file = new ClusterConfigFile(access.mountpoint());
        List<String> warnings = lock.run(CfsLock.fileLockId(ClusterConfigFile.NAME), () -> {
            AddNodeRules.Plan plan = AddNodeRules.plan(file.read(), req, resolver);
            plan.notes().forEach(notes);
            for (String dir : NODE_DIRS) {
                Files.createDirectories(access.mountpoint().resolve("nodes").resolve(req.node()).resolve(dir));
            }
            access.logCluster(NOTICE, "adding node " + req.node() + " to cluster");
            file.writeBumped(plan.conf());
            return plan.warnings();
        });
        byte[] authkey;
        try {
            authkey = Files.readAllBytes(access.authKey());
        } catch (NoSuchFileException e) {
            throw new JoinException("unable to read the cluster authkey '" + access.authKey() + "' - is this node part of a cluster?");
        }
        return new Result(authkey, file.readBytes(), warnings);
    }

    /** Name resolution as corosync does it (first address). */
    static Optional<String> resolve(String host) {
        try {
            return Optional.of(InetAddress.getByName(host).getHostAddress());
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
