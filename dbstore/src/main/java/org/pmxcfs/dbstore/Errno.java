package org.pmxcfs.dbstore;

/** The Linux errno values the filesystem reports; FUSE callbacks return {@code -code}. */
public enum Errno {
    EPERM(1), ENOENT(2), EIO(5), EBADF(9), EAGAIN(11), EACCES(13), EBUSY(16), EEXIST(17),
    ENOTDIR(20), EISDIR(21), EINVAL(22), EFBIG(27), ENOSPC(28), EROFS(30), ERANGE(34), ENAMETOOLONG(36),
    ENOSYS(38), ENOTEMPTY(39), ENODATA(61), EPROTO(71), EOPNOTSUPP(95), ETIMEDOUT(110);

    /** The positive errno number. */
    public final int code;

    Errno(int code) {
        this.code = code;
    }

    /** The errno with number {@code code}, or EIO for a number this filesystem never reports. */
    public static Errno fromCode(int code) {
        for (Errno e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return EIO;
    }
}
