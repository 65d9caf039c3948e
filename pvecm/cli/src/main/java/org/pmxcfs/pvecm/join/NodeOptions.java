package org.pmxcfs.pvecm.join;

import java.util.LinkedHashMap;
import java.util.Map;
import org.pmxcfs.corosync.NodeEntry;
import org.pmxcfs.join.LinkArg;
import org.pmxcfs.pvecm.LinkOptions;
import org.pmxcfs.pvecm.Params;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options {@code add} and {@code addnode} share: {@code --link0..7}, {@code --nodeid},
 * {@code --votes}, {@code --force}. Checked with {@link Params} (the original's messages) and
 * turned into the API's parameters.
 */
public final class NodeOptions {

    @Mixin
    LinkOptions linkOptions;

    @Option(names = "--nodeid", paramLabel = "<integer> (1 - N)", description = "Node id for this node.")
    String nodeid;

    @Option(names = "--votes", paramLabel = "<integer> (0 - N)", description = "Number of votes for this node")
    String votes;

    @Option(names = "--force", arity = "0..1", fallbackValue = "", paramLabel = "<boolean>",
            description = "Do not throw error if node already exists.")
    String force;

    /** Checks everything and returns the API parameters (links as property strings). */
    Map<String, String> params(Params p) {
        Map<String, String> out = new LinkedHashMap<>();
        linkOptions.links(p).forEach((n, l) -> out.put("link" + n, LinkArg.format(l)));
        Long id = p.integer("nodeid", nodeid, 1L, NodeEntry.MAX_NODEID);
        Long v = p.integer("votes", votes, 0L, (long) Integer.MAX_VALUE);
        Boolean f = p.bool("force", force);
        if (id != null) {
            out.put("nodeid", id.toString());
        }
        if (v != null) {
            out.put("votes", v.toString());
        }
        if (Boolean.TRUE.equals(f)) {
            out.put("force", "1");
        }
        return out;
    }
}
