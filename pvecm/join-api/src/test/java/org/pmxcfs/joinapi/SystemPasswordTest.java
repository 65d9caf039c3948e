package org.pmxcfs.joinapi;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** root's password against a shadow file through the system's libcrypt (hashes made with mkpasswd). */
class SystemPasswordTest {

    /** {@code mkpasswd -m yescrypt 'pässwörd-1'}: the password's UTF-8 bytes, as passwd(1) hashes them. */
    static final String UTF8_YESCRYPT = "$y$j9T$lNWzSKdcfsSvG39t1neff/$KL0cmGZk8toKz2BfLjlOxV6xYVGfguhClkRMaFhQfS5";
    static final String UTF8_SHA512 = "$6$saltsaltsalt$PbRSoR6LtwDMGhezpwbBtFtUX5qK5sPyrZW9VGtWmt/76dVUK/.08TRm.sTnGvLF4kzlFH4AqaW1H73ScZly./";

    @TempDir
    Path dir;

    private SystemPassword shadow(String content) throws Exception {
        Path f = dir.resolve("shadow");
        Files.writeString(f, content);
        return new SystemPassword(f);
    }

    @Test
    void yescryptAndSha512OfANonAsciiPassword() throws Exception {
        for (String hash : new String[] {UTF8_YESCRYPT, UTF8_SHA512}) {
            SystemPassword p = shadow("root:" + hash + ":19000:0:99999:7:::\n");
            assertTrue(p.matches("pässwörd-1"), hash);
            assertFalse(p.matches("passwort-1"), hash);
            assertFalse(p.matches("pässwörd-1 "), hash);
            assertFalse(p.matches(""), hash);
        }
    }

    @Test
    void onlyRootsOwnUsableEntryCounts() throws Exception {
        assertFalse(shadow("rooter:" + UTF8_YESCRYPT + ":19000::::::\n").matches("pässwörd-1"));
        assertFalse(shadow("root:!" + UTF8_YESCRYPT + ":19000::::::\n").matches("pässwörd-1"));
        assertFalse(shadow("root:*:19000::::::\n").matches("*"));
        assertFalse(shadow("root::19000::::::\n").matches(""));
        // a scheme libcrypt does not know is a refusal, not a crash
        assertFalse(shadow("root:$unknown$salt$hash:19000::::::\n").matches("pässwörd-1"));
        assertFalse(new SystemPassword(dir.resolve("missing")).matches("pässwörd-1"));
    }
}
