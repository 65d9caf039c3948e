package org.pmxcfs.pvecm.commands;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.pmxcfs.pvecm.CorosyncKey;
import org.pmxcfs.pvecm.PvecmException;
import org.pmxcfs.pvecm.PvecmSubcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code pvecm keygen <filename>}: a new corosync authkey (256 random bytes, mode 0400). */
@Command(name = "keygen", description = "Generate new cryptographic key for corosync.")
public final class KeygenCommand extends PvecmSubcommand {

    @Parameters(index = "0", paramLabel = "<filename>", description = "Output file name")
    String filename;

    @Override
    protected int run() throws Exception {
        if (pvecm().euid() != 0) {
            throw new PvecmException("Error: Authorization key must be generated as root user.");
        }
        Path file = Path.of(filename);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new PvecmException("key file '" + filename + "' already exists");
        }
        CorosyncKey.generate(file, out());
        return 0;
    }
}
