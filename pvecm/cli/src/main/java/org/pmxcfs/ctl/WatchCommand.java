package org.pmxcfs.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pmxcfs.ipc.client.IpcClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pmxcfs-ctl watch [PATH]}: one line per change under PATH ({@code /etc/pve}-relative;
 * all when absent), {@code <time> <revision> <path>}, until interrupted or {@code --count}
 * changes were printed. A reload of the whole tree (a state transfer) prints {@code *} as its
 * path. Long polls over the IPC socket: no change between two polls is lost; if the daemon
 * dropped some (too many at once, or it restarted), a line on stderr says to re-read.
 */
@Command(name = "watch", description = "Prints one line per change under PATH (default: everything).")
final class WatchCommand implements Callable<Integer> {

    @ParentCommand
    PmxcfsCtl ctl;

    @Parameters(arity = "0..1", paramLabel = "PATH", description = "Path under /etc/pve (e.g. nodes/pve1/qemu-server)")
    String path = "";

    @Option(names = "--since", paramLabel = "REV", description = "Start after this revision (default: now)")
    Long since;

    @Option(names = "--count", paramLabel = "N", description = "Exit after N changes (default: run until interrupted)")
    long count;

    @Override
    public Integer call() throws Exception {
        String prefix = path.startsWith("/etc/pve") ? path.substring("/etc/pve".length()) : path;
        long printed = 0;
        Long rev = since;
        try (IpcClient c = ctl.connect()) {
            while (count == 0 || printed < count) {
                Map<String, Object> args = new LinkedHashMap<>();
                args.put("path", prefix);
                if (rev != null) {
                    args.put("since", rev);
                }
                JsonNode r = c.call("watch", args).resultOrThrow();
                if (r.path("compacted").asBoolean()) {
                    ctl.err.println("warning: changes after revision " + rev + " were dropped by the daemon (too many,"
                            + " or it restarted) - re-read " + (prefix.isEmpty() ? "the tree" : prefix)
                            + "; watching on from revision " + r.path("revision").asLong());
                }
                for (JsonNode e : r.path("events")) {
                    String p = e.path("path").asText();
                    ctl.out.println(Instant.ofEpochMilli(e.path("time_ms").asLong()) + " " + e.path("revision").asLong()
                            + " " + (p.isEmpty() ? "*" : p));
                    if (count > 0 && ++printed == count) {
                        break;
                    }
                }
                rev = r.path("revision").asLong();
            }
        }
        return 0;
    }
}
