package org.pmxcfs.status;

import java.util.Objects;

/**
 * One cluster log entry (reference §3.9).
 *
 * <p>{@code uid} is the origin process's entry counter and {@code time} the origin node's clock
 * (epoch seconds); together with {@code node} they identify an entry cluster-wide. {@code user} is
 * the original's "ident". {@code msg} is kept in the original's wire form: already converted to
 * ASCII with {@code \"}, {@code \\uXXXX} and {@code #NNN} escapes, exactly as it travels between
 * nodes; {@link ClusterLog#addLocal} produces that form from raw text.
 *
 * @param uid  per-process entry number on the origin node (u32 on the wire)
 * @param time origin node's time, epoch seconds (u32 on the wire)
 * @param pri  syslog priority 0 (emerg) … 7 (debug)
 * @param tag  syslog tag of the writer, e.g. {@code pvedaemon}
 * @param pid  process id of the writer
 * @param node origin node name
 * @param user ident, usually the acting user, e.g. {@code root@pam}
 * @param msg  message text in wire form
 */
public record ClusterLogEntry(
        long uid, long time, int pri, String tag, long pid, String node, String user, String msg) {

    public ClusterLogEntry {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(msg, "msg");
        if (pri < 0 || pri > 7) {
            throw new IllegalArgumentException("priority must be 0..7: " + pri);
        }
    }
}
