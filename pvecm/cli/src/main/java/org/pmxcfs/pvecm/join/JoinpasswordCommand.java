package org.pmxcfs.pvecm.join;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.pmxcfs.join.JoinPassword;
import org.pmxcfs.pvecm.Cfs;
import org.pmxcfs.pvecm.NodeFiles;
import org.pmxcfs.pvecm.PvecmException;
import org.pmxcfs.pvecm.PvecmSubcommand;
import picocli.CommandLine.Command;

/**
 * {@code pvecm joinpassword} (not in the original): sets the cluster's join password, which
 * {@code pvecm add} on a new node may give instead of the member's root password. Asked twice on a terminal, read as one line from
 * standard input otherwise. Only its PBKDF2 hash is stored, in {@code <mnt>/priv/join-password}
 * (root only, replicated to every member, so any member can accept a join).
 */
@Command(name = "joinpassword", description = "Set a password new nodes may give instead of a member's root password to join this"
        + " cluster (pvecm add).")
public final class JoinpasswordCommand extends PvecmSubcommand {

    @Override
    protected int run() throws Exception {
        try (Cfs cfs = connect()) {
            Cfs.Paths paths = cfs.paths();
            if (!Cfs.cfsQuorate(paths.mountpoint())) {
                throw new PvecmException("cluster not ready - no quorum?");
            }
            Prompter prompter = Prompter.system(out());
            char[] first = prompter.password("Enter new join password: ");
            if (first == null) {
                throw new PvecmException("no password given");
            }
            try {
                JoinPassword.problem(first).ifPresent(problem -> {
                    throw new PvecmException(problem);
                });
                if (System.console() != null) {
                    char[] again = prompter.password("Retype new join password: ");
                    boolean same = again != null && Arrays.equals(first, again);
                    if (again != null) {
                        Arrays.fill(again, '\0');
                    }
                    if (!same) {
                        throw new PvecmException("Passwords do not match.");
                    }
                } else {
                    out().print("\n");
                }
                Path file = paths.inTree(JoinPassword.FILE);
                NodeFiles.writeFile(file, JoinPassword.hash(first).getBytes(StandardCharsets.UTF_8));
                out().print("join password set - nodes join with 'pvecm add <address of a cluster node>'\n");
            } finally {
                Arrays.fill(first, '\0');
            }
        }
        return 0;
    }
}
