package org.pmxcfs.corosync;

import java.util.Arrays;
import java.util.Objects;

/** What the local {@code /etc/corosync/corosync.conf} looked like when the copy rule ran. */
public sealed interface LocalConf permits LocalConf.Missing, LocalConf.Unreadable, LocalConf.Present {

    /** The file does not exist. */
    record Missing() implements LocalConf {
    }

    /**
     * The file exists but reading failed (the original logs it and then proceeds as if the file
     * were missing).
     *
     * @param error why, e.g. {@code Permission denied}
     */
    record Unreadable(String error) implements LocalConf {

        public Unreadable {
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * The file's bytes.
     *
     * @param bytes the content (not copied; do not modify)
     */
    record Present(byte[] bytes) implements LocalConf {

        public Present {
            Objects.requireNonNull(bytes, "bytes");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Present p && Arrays.equals(bytes, p.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Present[" + bytes.length + " bytes]";
        }
    }
}
