package org.pmxcfs.join;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link ClusterAccess} over a plain directory standing in for the mount. */
public final class FakeCluster implements ClusterAccess {

    public static final String CONF = """
            logging {
              debug: off
              to_syslog: yes
            }

            nodelist {
              node {
                name: pve1
                nodeid: 1
                quorum_votes: 1
                ring0_addr: 10.0.0.1
              }
            }

            quorum {
              provider: corosync_votequorum
            }

            totem {
              cluster_name: prod
              config_version: 1
              interface {
                linknumber: 0
              }
              ip_version: ipv4-6
              link_mode: passive
              secauth: on
              token_coefficient: 125
              version: 2
            }

            """;

    public final Path mount;
    public final Path authKey;
    public boolean quorate = true;
    public final List<String> clusterLog = new ArrayList<>();
    public final Map<String, String> ips = new HashMap<>();

    public FakeCluster(Path dir) throws Exception {
        mount = dir.resolve("mnt");
        Files.createDirectories(mount.resolve("priv"));
        authKey = dir.resolve("authkey");
        Files.write(authKey, new byte[] {1, 2, 3, (byte) 0xff});
        Files.writeString(mount.resolve("corosync.conf"), CONF);
    }

    @Override
    public Path mountpoint() {
        return mount;
    }

    @Override
    public String nodename() {
        return "pve1";
    }

    @Override
    public Path authKey() {
        return authKey;
    }

    @Override
    public boolean quorate() {
        return quorate;
    }

    @Override
    public synchronized void logCluster(int priority, String message) {
        clusterLog.add(priority + " " + message);
    }

    @Override
    public Optional<String> nodeIp(String node) {
        return Optional.ofNullable(ips.get(node));
    }

    public String conf() throws Exception {
        return Files.readString(mount.resolve("corosync.conf"));
    }

    /** A lock that never waits for real. */
    public CfsLock lock(List<String> progress) {
        long[] now = {0};
        return new CfsLock(mount, this::quorate, () -> now[0], ms -> now[0] += ms, progress::add,
                CfsLock.DEFAULT_TIMEOUT);
    }
}
