package org.pmxcfs.dbstore;

/** The outcome of applying an {@link Operation}: a value (bytes written, or 0) or an errno. */
public record Result(long value, Errno error) {

    private static final Result ZERO = new Result(0, null);

    public static Result ok() {
        return ZERO;
    }

    public static Result ok(long value) {
        return value == 0 ? ZERO : new Result(value, null);
    }

    public static Result fail(Errno errno) {
        return new Result(-1, errno);
    }

    public boolean isOk() {
        return error == null;
    }

    /** The FUSE return value: the value, or {@code -errno}. */
    public int toFuse() {
        return error == null ? (int) value : -error.code;
    }
}
