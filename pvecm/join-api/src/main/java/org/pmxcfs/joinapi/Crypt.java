package org.pmxcfs.joinapi;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The system's crypt(3) (libxcrypt's {@code crypt_rn}), so that a password is checked against
 * {@code /etc/shadow} with every scheme the system itself accepts (yescrypt {@code $y$}, Debian's
 * default; SHA-512 {@code $6$}; ...), not with a re-implementation. {@code crypt_rn} works in a
 * buffer of the caller, so checks may run in parallel.
 */
final class Crypt {

    /** libxcrypt's {@code CRYPT_DATA} size: {@code sizeof(struct crypt_data)}. */
    private static final int DATA_SIZE = 32768;

    /** The part of libcrypt used here. */
    public interface LibCrypt {
        Pointer crypt_rn(byte[] phrase, byte[] setting, Pointer data, int size);
    }

    private static final class Holder {
        static final LibCrypt LIB = LibraryLoader.create(LibCrypt.class).load("crypt");
    }

    private Crypt() {}

    /**
     * The hash of {@code phrase} with the scheme and salt of {@code setting} (a whole stored hash
     * will do), or empty if libcrypt refuses the setting (unknown scheme, malformed).
     *
     * @throws UnsatisfiedLinkError when the system has no libcrypt
     */
    static Optional<String> hash(byte[] phrase, String setting) {
        byte[] p = Arrays.copyOf(phrase, phrase.length + 1);
        byte[] settingBytes = setting.getBytes(StandardCharsets.UTF_8);
        byte[] s = Arrays.copyOf(settingBytes, settingBytes.length + 1);
        Pointer data = Memory.allocateDirect(Runtime.getRuntime(Holder.LIB), DATA_SIZE);
        try {
            Pointer out = Holder.LIB.crypt_rn(p, s, data, DATA_SIZE);
            if (out == null) {
                return Optional.empty();
            }
            String h = out.getString(0, 512, StandardCharsets.UTF_8);
            // libxcrypt signals failure with a string starting with '*' where it does not return NULL
            return h.startsWith("*") ? Optional.empty() : Optional.of(h);
        } finally {
            Arrays.fill(p, (byte) 0);
            data.setMemory(0, DATA_SIZE, (byte) 0);
        }
    }
}
