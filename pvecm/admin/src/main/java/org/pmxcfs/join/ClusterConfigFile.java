package org.pmxcfs.join;

import org.pmxcfs.files.AtomicFiles;
import org.pmxcfs.files.IoErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.CorosyncConfException;

/**
 * The cluster's {@code corosync.conf} in the mounted filesystem: read and parse it, and write it
 * with the original's atomic protocol (reference 4.10): bump {@code config_version}, write
 * {@code corosync.conf.new} (through a temp file and a rename), then rename it onto
 * {@code corosync.conf} — the final rename is what every node reacts to.
 */
public final class ClusterConfigFile {

    public static final String NAME = "corosync.conf";
    private final Path mountpoint;

    public ClusterConfigFile(Path mountpoint) {
        this.mountpoint = mountpoint;
    }

    public Path path() {
        return mountpoint.resolve(NAME);
    }

    /** Whether the node is part of a cluster (the file exists). */
    public boolean exists() {
        return Files.exists(path());
    }

    /**
     * The bytes of the file.
     *
     * @throws JoinException the original's {@code Corosync config ... does not exist} if missing
     */
    public byte[] readBytes() throws JoinException, IOException {
        try {
            return Files.readAllBytes(path());
        } catch (NoSuchFileException e) {
            throw new JoinException("Error: Corosync config '" + path() + "' does not exist - is this node part of a cluster?");
        }
    }

    /** The parsed file. */
    public CorosyncConf read() throws JoinException, IOException {
        byte[] bytes = readBytes();
        try {
            return CorosyncConf.parse(bytes);
        } catch (CorosyncConfException e) {
            throw new JoinException("unable to parse '" + path() + "': " + e.getMessage());
        }
    }

    /**
     * {@code atomic_write_conf}: writes {@code conf} with {@code config_version + 1}. The caller
     * holds the {@code file-corosync_conf} lock.
     *
     * @return the config as written
     */
    public CorosyncConf writeBumped(CorosyncConf conf) throws JoinException, IOException {
        CorosyncConf bumped;
        try {
            bumped = conf.withConfigVersionBumped();
        } catch (CorosyncConfException e) {
            throw new JoinException(e.getMessage());
        }
        Path next = mountpoint.resolve(NAME + ".new");
        try {
            AtomicFiles.write(next, bumped.bytes(), null);
        } catch (AtomicFiles.WriteFailure e) {
            throw new JoinException("unable to write '" + next + "' - " + e.getMessage());
        }
        try {
            Files.move(next, path(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new JoinException("activating corosync.conf.new failed - " + IoErrors.reason(e));
        }
        return bumped;
    }
}
