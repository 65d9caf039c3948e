package org.pmxcfs.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.quorum.QuorumConfig;

/**
 * The corosync.conf the cluster engine runs from. As corosync, that is the local file (normally
 * {@code /etc/corosync/corosync.conf}): the tree's copy only reaches the engine by replacing the
 * local file, when its config_version is at least the local one's (reference 3.10). So an admin
 * can bring a node without quorum back by editing the local file and restarting pmxcfs, and an
 * older copy put into the tree changes nothing. Only when there is no local file (it could not be
 * written) does the engine take the tree's copy.
 *
 * @param conf   the parsed config, valid by votequorum's rules
 * @param source where it came from, for messages
 */
record RunningConf(CorosyncConf conf, String source) {

    static final String TREE = "corosync.conf in the cluster filesystem";

    /**
     * @param local    the local corosync config file
     * @param treeCopy the tree's corosync.conf
     * @throws IOException saying which file is invalid and what to do
     */
    static RunningConf read(Path local, byte[] treeCopy) throws IOException {
        byte[] bytes;
        String source;
        String fix;
        try {
            bytes = Files.readAllBytes(local);
            source = "'" + local + "'";
            fix = "fix it, or remove it to use the cluster's copy, and restart pmxcfs";
        } catch (NoSuchFileException e) {
            bytes = treeCopy;
            source = TREE;
            fix = "start with -l and fix it";
        }
        try {
            CorosyncConf conf = CorosyncConf.parse(bytes);
            QuorumConfig.from(conf); // votequorum's rules (expected_votes >= 1, two_node without a device, ...)
            return new RunningConf(conf, source);
        } catch (Exception e) {
            throw new IOException(source + " is invalid: " + e.getMessage() + " - " + fix);
        }
    }
}
