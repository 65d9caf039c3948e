package org.pmxcfs.corosync;

import org.pmxcfs.files.AtomicFiles;
import org.pmxcfs.files.IoErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Copies the cluster-wide corosync.conf (in the memdb) to the local corosync config file, with the
 * original's rule (reference 3.10; {@code dcdb_sync_corosync_conf} in {@code dcdb.c}). pmxcfs runs
 * it at start-up, after each applied write/create of {@code corosync.conf}, after a rename onto
 * it, and after every sync commit.
 *
 * <p>{@link #decide} is the rule as a pure function; {@link #sync} reads the local file, decides,
 * writes atomically (mode 0644) and logs. Running {@code corosync-cfgtool -R} afterwards is left to
 * the caller ({@link SyncReport#reloadCorosync()}), since it means a 1 s sleep and a process.
 */
public final class CorosyncConfSync {

    /** Where corosync reads its configuration ({@code HOST_CLUSTER_CONF_FN}). */
    public static final Path DEFAULT_LOCAL_PATH = Path.of("/etc/corosync/corosync.conf");

    static final String LOG_DOMAIN = "dcdb";
    static final String WRITE_LOG_DOMAIN = "main";

    private final Path localPath;

    /** @param localPath the local corosync config file, normally {@link #DEFAULT_LOCAL_PATH} */
    public CorosyncConfSync(Path localPath) {
        this.localPath = Objects.requireNonNull(localPath, "localPath");
    }

    /**
     * The copy rule, in the original's order:
     * <ol>
     *   <li>memdb copy missing or empty: nothing;</li>
     *   <li>its version (first {@code config_version\s*:\s*(\d+)}, see {@link ConfigVersion}) is
     *       absent or 0: refuse, {@code unable to parse cluster config_version};</li>
     *   <li>local file missing: old version 0; unreadable: logged, then treated as missing;</li>
     *   <li>same bytes: nothing;</li>
     *   <li>new version lower than the local one: refuse, {@code local corosync.conf is newer}
     *       (an equal version with different bytes is copied);</li>
     *   <li>otherwise copy.</li>
     * </ol>
     *
     * @param memdbCopy the memdb's corosync.conf, or null if it has none
     * @param local     the local file's state
     * @param localPath the local file's path (for the log wording)
     */
    public static SyncDecision decide(byte[] memdbCopy, LocalConf local, Path localPath) {
        Objects.requireNonNull(local, "local");
        List<LogLine> log = new ArrayList<>();
        if (memdbCopy == null || memdbCopy.length == 0) {
            return new SyncDecision(SyncDecision.Action.NOTHING, SyncDecision.Reason.NO_CLUSTER_CONF, 0, 0, log);
        }
        long newVersion = ConfigVersion.of(memdbCopy);
        if (newVersion == 0) {
            log.add(LogLine.crit(LOG_DOMAIN, "unable to parse cluster config_version"));
            return new SyncDecision(SyncDecision.Action.REFUSE, SyncDecision.Reason.UNPARSABLE_VERSION, 0, 0, log);
        }

        byte[] old = null;
        long oldVersion = 0;
        if (local instanceof LocalConf.Unreadable u) {
            log.add(LogLine.crit(LOG_DOMAIN,
                    "unable to read cluster config file '" + localPath + "' - " + u.error()));
        } else if (local instanceof LocalConf.Present p) {
            old = p.bytes();
            oldVersion = old.length > 0 ? ConfigVersion.of(old) : 0;
        }

        if (old != null && Arrays.equals(old, memdbCopy)) {
            return new SyncDecision(SyncDecision.Action.NOTHING, SyncDecision.Reason.IDENTICAL,
                    newVersion, oldVersion, log);
        }
        if (Long.compareUnsigned(newVersion, oldVersion) < 0) {
            log.add(LogLine.crit(LOG_DOMAIN, "local corosync.conf is newer"));
            return new SyncDecision(SyncDecision.Action.REFUSE, SyncDecision.Reason.LOCAL_NEWER,
                    newVersion, oldVersion, log);
        }
        return new SyncDecision(SyncDecision.Action.COPY, SyncDecision.Reason.UPDATE, newVersion, oldVersion, log);
    }

    /**
     * Applies the rule to the local file and logs what the original logs.
     *
     * @param memdbCopy      the memdb's corosync.conf, or null if it has none
     * @param notifyCorosync true at start-up and when this node originated the change; false for
     *                       other nodes' changes and for sync commits
     */
    public SyncReport sync(byte[] memdbCopy, boolean notifyCorosync) {
        SyncDecision decision = decide(memdbCopy, readLocal(localPath), localPath);
        List<LogLine> log = new ArrayList<>(decision.log());
        boolean written = false;
        if (decision.action() == SyncDecision.Action.COPY) {
            try {
                AtomicFiles.write(localPath, memdbCopy, "rw-r--r--");
                written = true;
                log.add(LogLine.notice(LOG_DOMAIN, "wrote new corosync config '" + localPath + "' (version = "
                        + Long.toUnsignedString(decision.newVersion()) + ")"));
            } catch (AtomicFiles.WriteFailure e) {
                log.add(LogLine.crit(WRITE_LOG_DOMAIN, e.getMessage()));
            }
        }
        log.forEach(LogLine::emit);
        boolean reload = written && notifyCorosync && decision.oldVersion() != 0;
        return new SyncReport(decision, written, reload, log);
    }

    private static LocalConf readLocal(Path path) {
        try {
            return new LocalConf.Present(Files.readAllBytes(path));
        } catch (NoSuchFileException e) {
            return new LocalConf.Missing();
        } catch (IOException e) {
            return new LocalConf.Unreadable(IoErrors.reason(e));
        }
    }
}
