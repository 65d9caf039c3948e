package org.pmxcfs.dfsm;

/** The {@code type} field of the dfsm base header; codes are stable forever ({@code dfsm_message_t}). */
public enum MessageType {
    NORMAL(0),
    SYNC_START(1),
    STATE(2),
    UPDATE(3),
    UPDATE_COMPLETE(4),
    VERIFY_REQUEST(5),
    VERIFY(6);

    private static final MessageType[] BY_CODE = values();

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    /** The wire code. */
    public int code() {
        return code;
    }

    /** The type with this wire code, or null if there is none. */
    public static MessageType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
