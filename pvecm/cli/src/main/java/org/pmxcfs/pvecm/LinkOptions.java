package org.pmxcfs.pvecm;

import java.util.SortedMap;
import java.util.TreeMap;
import org.pmxcfs.corosync.CorosyncLink;
import picocli.CommandLine.Option;

/**
 * {@code --link0..--link7}, as {@code create}, {@code add} and {@code addnode} take them (a
 * picocli mixin). Only {@code --link0} shows in the usage; help prints them as {@code --link[n]}.
 */
public final class LinkOptions {

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

    /** The links given, by number, checked with {@code p} (the original's messages). */
    public SortedMap<Integer, CorosyncLink> links(Params p) {
        String[] args = {link0, link1, link2, link3, link4, link5, link6, link7};
        SortedMap<Integer, CorosyncLink> out = new TreeMap<>();
        for (int i = 0; i < args.length; i++) {
            CorosyncLink l = p.link("link" + i, args[i]);
            if (l != null) {
                out.put(i, l);
            }
        }
        return out;
    }
}
