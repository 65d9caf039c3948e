package org.pmxcfs.pvecm.join;

import java.util.LinkedHashMap;
import java.util.Map;
import org.pmxcfs.corosync.CorosyncLink;
import org.pmxcfs.corosync.NodeEntry;
import org.pmxcfs.pvecm.Params;
import picocli.CommandLine.Option;

/**
 * The options {@code add} and {@code addnode} share: {@code --link0..7}, {@code --nodeid},
 * {@code --votes}, {@code --force}. Checked with {@link Params} (the original's messages) and
 * turned into the API's parameters.
 */
public final class NodeOptions {

    static final String LINK_LABEL = "[address=]<IP> [,priority=<integer>]";
    static final String LINK_DESCRIPTION = "Address and priority information of a single corosync link."
            + " (up to 8 links supported; link0..link7)";

    @Option(names = "--link0", paramLabel = LINK_LABEL, description = LINK_DESCRIPTION)
    String link0;
    @Option(names = "--link1", hidden = true)
    String link1;
    @Option(names = "--link2", hidden = true)
    String link2;
    @Option(names = "--link3", hidden = true)
    String link3;
    @Option(names = "--link4", hidden = true)
    String link4;
    @Option(names = "--link5", hidden = true)
    String link5;
    @Option(names = "--link6", hidden = true)
    String link6;
    @Option(names = "--link7", hidden = true)
    String link7;

    @Option(names = "--nodeid", paramLabel = "<integer> (1 - N)", description = "Node id for this node.")
    String nodeid;

    @Option(names = "--votes", paramLabel = "<integer> (0 - N)", description = "Number of votes for this node")
    String votes;

    @Option(names = "--force", arity = "0..1", fallbackValue = "", paramLabel = "<boolean>",
            description = "Do not throw error if node already exists.")
    String force;

    /** The links given, by number. */
    Map<Integer, CorosyncLink> links(Params p) {
        String[] args = {link0, link1, link2, link3, link4, link5, link6, link7};
        Map<Integer, CorosyncLink> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            CorosyncLink l = p.link("link" + i, args[i]);
            if (l != null) {
                out.put(i, l);
            }
        }
        return out;
    }

    /** Checks everything and returns the API parameters (links as property strings). */
    Map<String, String> params(Params p) {
        Map<String, String> out = new LinkedHashMap<>();
        links(p).forEach((n, l) -> out.put("link" + n, Params.printLink(l)));
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

    boolean forced() {
        return force != null && (force.isEmpty() || force.matches("(?i)1|on|yes|true"));
    }
}
