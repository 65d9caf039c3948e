package org.pmxcfs.pvecm;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of every pvecm subcommand (see {@link PvecmCommands} for how to register one). Gives
 * access to what {@link Pvecm} was started with, so commands stay testable: the output streams,
 * the run directory (and through it the daemon), the clock and the effective uid.
 *
 * <p>{@link #run()} returns the exit code. To fail, throw {@link PvecmException} (message to
 * stderr, exit code 1 unless given) or {@link ParamException} (the original's parameter error
 * with this command's usage line).
 */
public abstract class PvecmSubcommand implements Callable<Integer> {

    @Spec
    protected CommandSpec spec;

    /** The command's work; returns the exit code. */
    protected abstract int run() throws Exception;

    @Override
    public final Integer call() throws Exception {
        return run();
    }

    /** The top-level command, with the environment the process was started with. */
    protected Pvecm pvecm() {
        return (Pvecm) spec.root().userObject();
    }

    protected PrintStream out() {
        return pvecm().out();
    }

    protected PrintStream err() {
        return pvecm().err();
    }

    protected Clock clock() {
        return pvecm().clock();
    }

    /** The daemon's run directory ({@code --run-dir}, env {@code PMXCFS_RUN_DIR}). */
    protected Path runDir() {
        return pvecm().runDir();
    }

    /**
     * Connects to the daemon.
     *
     * @throws PvecmException if it does not run or refuses us
     */
    protected Cfs connect() {
        return Cfs.connect(runDir());
    }

    /**
     * The check every command that needs a cluster makes first
     * ({@code PVE::Corosync::check_conf_exists}): returns the tree's corosync.conf, or fails
     * with {@code Error: Corosync config '<mnt>/corosync.conf' does not exist - is this node
     * part of a cluster?}.
     */
    protected byte[] requireClusterConf(Cfs cfs) throws IOException {
        Cfs.Paths p = cfs.paths();
        return cfs.config("corosync.conf").orElseThrow(() -> new PvecmException("Error: Corosync config '"
                + p.clusterConf() + "' does not exist - is this node part of a cluster?"));
    }

    /**
     * Runs {@code body} holding the local pvecm lock ({@code /var/lock/pvecm.lock}, 10 s), as
     * create, add, addnode and delnode do.
     */
    protected <T> T withLocalLock(Callable<T> body) throws Exception {
        return LocalLock.withLock(pvecm().lockFile(), Duration.ofSeconds(10), body);
    }

    /** The SSH trust of the cluster, with the host's files below {@code --root-dir}. */
    protected SshTrust ssh(Cfs.Paths paths) {
        return new SshTrust(paths.mountpoint(), pvecm().rootDir(), err());
    }

    /** The usage line of this command, e.g. {@code pvecm create <clustername> [OPTIONS]}. */
    protected String usage() {
        return Help.shortUsage(spec);
    }
}
