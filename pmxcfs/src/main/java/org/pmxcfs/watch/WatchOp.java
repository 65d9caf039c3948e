package org.pmxcfs.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.Paths;
import org.pmxcfs.ipc.Access;
import org.pmxcfs.ipc.IpcError;
import org.pmxcfs.ipc.IpcService;
import org.pmxcfs.ipc.Peer;

/**
 * The IPC op {@code watch} (docs/IPC.md): a long poll on the {@link ChangeFeed}. The answer comes
 * at once if changes under the path happened after {@code since}, else with the first one, or
 * empty after {@code timeout_ms}; the client polls again with the returned revision, so no
 * change between two polls is lost. Read-only clients do not see private paths.
 */
public final class WatchOp {

    /** Longest wait of one poll: below the 30 s call deadline of the IPC clients. */
    public static final long MAX_TIMEOUT_MILLIS = 25_000;
    static final int MAX_EVENTS = 1000;

    private final ChangeFeed feed;

    private WatchOp(ChangeFeed feed) {
        this.feed = feed;
    }

    /** Offers {@code watch} on {@code service}. */
    public static void register(IpcService service, ChangeFeed feed) {
        service.register("watch", Set.of("path", "since", "timeout_ms"), false, new WatchOp(feed)::handle);
    }

    private JsonNode handle(Peer peer, IpcService.Args a) {
        String raw = a.string("path", false);
        String prefix = raw == null ? "" : Paths.normalize(raw);
        long since = a.integer("since", false, -1);
        long timeout = a.integer("timeout_ms", false, MAX_TIMEOUT_MILLIS);
        if (timeout < 0 || timeout > MAX_TIMEOUT_MILLIS) {
            throw new IpcError(Errno.EINVAL, "timeout_ms must be 0.." + MAX_TIMEOUT_MILLIS + ", not " + timeout);
        }
        if (since < -1) {
            throw new IpcError(Errno.EINVAL, "since must be a revision (0 or more), not " + since);
        }
        boolean readOnly = peer.access() != Access.READ_WRITE;
        ChangeFeed.Batch b;
        try {
            b = feed.poll(since < 0 ? feed.revision() : since,
                    e -> e.concerns(prefix) && !(readOnly && IpcService.isPrivate(Paths.split(e.path()))),
                    MAX_EVENTS, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IpcError("EINTR", "pmxcfs is stopping - watch again once it runs");
        }
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("revision", b.revision());
        r.put("compacted", b.compacted());
        ArrayNode events = r.putArray("events");
        for (ChangeFeed.Event e : b.events()) {
            events.addObject().put("revision", e.revision()).put("path", e.path()).put("time_ms", e.millis());
        }
        return r;
    }
}
