package org.pmxcfs.ctl;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pmxcfs-ctl unlock NAME}: releases a stale cluster lock by the original's rules (as
 * {@code utime(lock, 0, 0)}): refused while the lock is younger than the lock lifetime (120 s
 * unchanged) or without quorum. A lock whose holder is alive is never taken away.
 */
@Command(name = "unlock", description = "Releases a stale cluster lock (unchanged for the lock lifetime, 120 s).")
final class UnlockCommand implements Callable<Integer> {

    @ParentCommand
    PmxcfsCtl ctl;

    @Parameters(paramLabel = "NAME", description = "Lock name, as 'pmxcfs-ctl locks' lists it")
    String name;

    @Override
    public Integer call() throws Exception {
        ctl.call("release_lock", Map.of("name", name));
        ctl.out.println("released lock '" + name + "'");
        return 0;
    }
}
