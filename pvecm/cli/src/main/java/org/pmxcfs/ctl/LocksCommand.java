package org.pmxcfs.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pmxcfs-ctl locks}: the cluster locks ({@code /etc/pve/priv/lock/<name>}) with holder,
 * age by the holder's clock, how long this node has seen them unchanged, and the time left
 * before an unlock request may remove them ({@code stale} once none is left).
 */
@Command(name = "locks", description = "Lists the cluster locks with holder, age and time left before expiry.")
final class LocksCommand implements Callable<Integer> {

    static final String FORMAT = "%-32s %-12s %8s %10s %11s  %s%n";

    @ParentCommand
    PmxcfsCtl ctl;

    @Override
    public Integer call() throws Exception {
        JsonNode r = ctl.call("get_locks", Map.of());
        JsonNode locks = r.path("locks");
        if (locks.isEmpty()) {
            ctl.out.println("no locks");
            return 0;
        }
        ctl.out.printf(FORMAT, "NAME", "HOLDER", "AGE", "UNCHANGED", "EXPIRES-IN", "STATE");
        for (JsonNode l : locks) {
            String holder = l.path("holder").asText();
            ctl.out.printf(FORMAT, l.path("name").asText(),
                    holder.isEmpty() ? "node " + l.path("holder_nodeid").asLong() : holder,
                    l.path("age_s").asLong() + "s", l.path("unchanged_s").asLong() + "s",
                    l.path("expires_in_s").asLong() + "s", l.path("stale").asBoolean() ? "stale" : "held");
        }
        return 0;
    }
}
