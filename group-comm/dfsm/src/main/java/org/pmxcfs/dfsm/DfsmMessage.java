package org.pmxcfs.dfsm;

import java.util.Arrays;
import java.util.Objects;

/**
 * One dfsm message as it travels in the group; {@link DfsmCodec} turns it into the original's
 * byte layout. The protocol version is not part of the message: the codec writes the
 * instance's own and {@link Dfsm} checks it before decoding.
 *
 * <p>Byte arrays are not copied (states can be megabytes): whoever builds or receives a
 * message treats its arrays as read-only.
 */
public sealed interface DfsmMessage {

    /** The header {@code type}. */
    MessageType type();

    /** The sender's clock in seconds when it sent the message (header {@code time}, u32). */
    long time();

    /** A message of the sync protocol; carries the epoch of the round it belongs to. */
    sealed interface StateMessage extends DfsmMessage {
        Epoch epoch();
    }

    /**
     * An application message (type 0, normal header).
     *
     * @param subtype application type (u16)
     * @param count the sender's message counter (u64, starts at 1)
     */
    record Normal(int subtype, long time, long count, byte[] payload) implements DfsmMessage {
        public Normal {
            checkU16(subtype, "subtype");
            checkU32(time, "time");
            Objects.requireNonNull(payload, "payload");
        }

        @Override
        public MessageType type() {
            return MessageType.NORMAL;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Normal n && n.subtype == subtype && n.time == time && n.count == count
                    && Arrays.equals(n.payload, payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(subtype, time, count, Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            return "NORMAL(subtype=" + subtype + ", count=" + Long.toUnsignedString(count) + ", " + payload.length + " bytes)";
        }
    }

    /** The lowest member asks everybody for their state; starts a round with {@code epoch}. */
    record SyncStart(long time, Epoch epoch) implements StateMessage {
        public SyncStart {
            checkU32(time, "time");
            Objects.requireNonNull(epoch, "epoch");
        }

        @Override
        public MessageType type() {
            return MessageType.SYNC_START;
        }
    }

    /**
     * A member's state for the round (dcdb: its memdb index) and which messages that state
     * holds ({@link AppliedLog}; encoded when the message is, so it may be the live log).
     */
    record State(long time, Epoch epoch, byte[] payload, AppliedLog applied) implements StateMessage {
        public State {
            checkU32(time, "time");
            Objects.requireNonNull(epoch, "epoch");
            Objects.requireNonNull(payload, "payload");
            Objects.requireNonNull(applied, "applied");
        }

        @Override
        public MessageType type() {
            return MessageType.STATE;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && s.time == time && s.epoch.equals(epoch) && Arrays.equals(s.payload, payload)
                    && s.applied.equals(applied);
        }

        @Override
        public int hashCode() {
            return Objects.hash(time, epoch, Arrays.hashCode(payload), applied);
        }

        @Override
        public String toString() {
            return "STATE(epoch=" + epoch + ", " + payload.length + " bytes, applied log: " + applied + ")";
        }
    }

    /** One piece of the leader's state for the members that are not synced. */
    record Update(long time, Epoch epoch, byte[] payload) implements StateMessage {
        public Update {
            checkU32(time, "time");
            Objects.requireNonNull(epoch, "epoch");
            Objects.requireNonNull(payload, "payload");
        }

        @Override
        public MessageType type() {
            return MessageType.UPDATE;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Update u && u.time == time && u.epoch.equals(epoch) && Arrays.equals(u.payload, payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(time, epoch, Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            return "UPDATE(epoch=" + epoch + ", " + payload.length + " bytes)";
        }
    }

    /** The leader has sent all updates of the round. */
    record UpdateComplete(long time, Epoch epoch) implements StateMessage {
        public UpdateComplete {
            checkU32(time, "time");
            Objects.requireNonNull(epoch, "epoch");
        }

        @Override
        public MessageType type() {
            return MessageType.UPDATE_COMPLETE;
        }
    }

    /** The lowest synced member asks everybody to compute their checksum (body: u64 id). */
    record VerifyRequest(long time, Epoch epoch, long id) implements StateMessage {
        public VerifyRequest {
            checkU32(time, "time");
            Objects.requireNonNull(epoch, "epoch");
        }

        @Override
        public MessageType type() {
            return MessageType.VERIFY_REQUEST;
        }
    }

    /** The requester's checksum for request {@code id} (body: u64 id, 32 bytes checksum). */
    record Verify(long time, Epoch epoch, long id, byte[] checksum) implements StateMessage {
        public Verify {
            checkU32(time, "time");
            Objects.requireNonNull(epoch, "epoch");
            if (checksum == null || checksum.length != DfsmCodec.CHECKSUM_SIZE) {
                throw new IllegalArgumentException("checksum must have " + DfsmCodec.CHECKSUM_SIZE + " bytes");
            }
        }

        @Override
        public MessageType type() {
            return MessageType.VERIFY;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Verify v && v.time == time && v.epoch.equals(epoch) && v.id == id
                    && Arrays.equals(v.checksum, checksum);
        }

        @Override
        public int hashCode() {
            return Objects.hash(time, epoch, id, Arrays.hashCode(checksum));
        }

        @Override
        public String toString() {
            return "VERIFY(epoch=" + epoch + ", id=" + Long.toHexString(id) + ")";
        }
    }

    private static void checkU16(int v, String what) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException(what + " out of u16 range: " + v);
        }
    }

    private static void checkU32(long v, String what) {
        if (v < 0 || v > 0xFFFFFFFFL) {
            throw new IllegalArgumentException(what + " out of u32 range: " + v);
        }
    }
}
