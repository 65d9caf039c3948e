package org.pmxcfs.status.cluster;

import org.pmxcfs.status.StatusListener;
import org.pmxcfs.ipc.IpcService;
import org.pmxcfs.status.KvStore;
import org.pmxcfs.status.ClusterLogEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends this node's status changes to the status group: {@code set_status} values, new cluster
 * log entries, and the re-broadcast of all own values after each sync. Fire-and-forget: callers
 * (IPC threads, the dfsm's delivery thread) only queue; one sender thread multicasts, so a slow
 * or cut network never blocks them (a multicast may wait for flow-control credits).
 *
 * <p>A kv key is sent with the value it has when its turn comes, not the one it had when it was
 * queued. That keeps the other nodes' copy equal to the local one when two writers race on a key
 * (each stores, then queues) or a re-broadcast overlaps an update.
 */
public final class StatusPublisher implements StatusListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("status");
    /** Cluster log entries that may wait for the network; more are left to the next log merge. */
    static final int MAX_PENDING_LOG_ENTRIES = 1000;

    /** The group's multicast, without waiting for delivery ({@code Dfsm#submit}). */
    @FunctionalInterface
    public interface Multicast {
        void submit(int subtype, byte[] payload);
    }

    private final KvStore kv;
    private final Multicast out;
    private final OutboundQueue queue = new OutboundQueue(MAX_PENDING_LOG_ENTRIES);
    private final Thread sender;

    private StatusPublisher(KvStore kv, Multicast out) {
        this.kv = kv;
        this.out = out;
        this.sender = new Thread(this::run, "status-send");
        this.sender.setDaemon(true);
    }

    /** A publisher whose sender thread runs until {@link #close()}. */
    public static StatusPublisher start(KvStore kv, Multicast out) {
        StatusPublisher p = new StatusPublisher(kv, out);
        p.sender.start();
        return p;
    }

    /** {@code set_status} stored {@code key} locally: tell the others. */
    @Override
    public void statusSet(String key, byte[] value) {
        if (key.startsWith("rrd/")) {
            // RRD updates are samples, not state: KvStore keeps no copy to look up, so send this one.
            queue.offer(key, new OutboundQueue.Ready(StatusMessages.UPDATE, StatusMessages.encodeUpdate(key, value)));
        } else {
            queue.offer(key, new OutboundQueue.Resolve(key));
        }
    }

    /** {@code log_cluster_msg} (or pmxcfs itself) logged {@code entry} locally: send it. */
    @Override
    public void clusterLogged(ClusterLogEntry entry) {
        queue.offer(new OutboundQueue.Ready(StatusMessages.LOG, StatusMessages.encodeLog(entry)));
    }

    /** After a sync: send every own kv value and the node IP again (reference 3.8). */
    public void republishAll() {
        for (String key : kv.localKeys()) {
            queue.offer(key, new OutboundQueue.Resolve(key));
        }
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            OutboundQueue.Item item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            long refused = queue.takeRefused();
            if (refused > 0) {
                log.warn("status send queue full - {} cluster log entries left to the next log merge", refused);
            }
            try {
                if (item instanceof OutboundQueue.Resolve r) {
                    byte[] value = kv.localValue(r.key()).orElse(new byte[0]); // unset: send the deletion
                    out.submit(StatusMessages.UPDATE, StatusMessages.encodeUpdate(r.key(), value));
                } else if (item instanceof OutboundQueue.Ready r) {
                    out.submit(r.subtype(), r.payload());
                }
            } catch (RuntimeException e) {
                log.error("sending status message failed: {}", e.toString(), e);
            }
        }
    }

    /** Stops the sender thread; whatever is still queued is not sent. */
    @Override
    public void close() {
        sender.interrupt();
        try {
            sender.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
