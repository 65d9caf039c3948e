package org.pmxcfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.FsException;

class FusePathsTest {

    static Errno refused(byte[] raw) {
        return assertThrows(FsException.class, () -> FusePaths.decode(raw)).errno();
    }

    static byte[] b(int... bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (byte) bytes[i];
        }
        return out;
    }

    @Test
    void validUtf8IsDecoded() {
        assertEquals("/nodes/n1/qemu-server/100.conf",
                FusePaths.decode("/nodes/n1/qemu-server/100.conf".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("/\u00e9t\u00e9.cfg", FusePaths.decode("/\u00e9t\u00e9.cfg".getBytes(StandardCharsets.UTF_8)));
        assertEquals("/x\ufffd", FusePaths.decode(b('/', 'x', 0xef, 0xbf, 0xbd)), "a real U+FFFD is a character");
        assertEquals("/\ud83d\ude00", FusePaths.decode(b('/', 0xf0, 0x9f, 0x98, 0x80)), "4-byte sequence");
    }

    @Test
    void bytesThatAreNotUtf8AreEinval() {
        assertEquals(Errno.EINVAL, refused(b('/', 'x', 0xff)));
        assertEquals(Errno.EINVAL, refused(b('/', 'x', 0xfe)));
        assertEquals(Errno.EINVAL, refused(b('/', 0xc3)), "truncated sequence");
        assertEquals(Errno.EINVAL, refused(b('/', 0xc0, 0xaf)), "overlong '/'");
        assertEquals(Errno.EINVAL, refused(b('/', 0xed, 0xa0, 0x80)), "UTF-16 surrogate");
        assertEquals(Errno.EINVAL, refused(b('/', 0xe9, 't', 0xe9)), "Latin-1");
    }

    @Test
    void componentsLongerThanNameMaxBytesAreEnametoolong() {
        String max = "n".repeat(MemDb.MAX_NAME_BYTES);
        assertEquals("/" + max + "/" + max, FusePaths.decode(("/" + max + "/" + max).getBytes(StandardCharsets.US_ASCII)));
        assertEquals(Errno.ENAMETOOLONG, refused(("/" + max + "n/x").getBytes(StandardCharsets.US_ASCII)));
        assertEquals(Errno.ENAMETOOLONG, refused(("/" + "\u00e9".repeat(128)).getBytes(StandardCharsets.UTF_8)),
                "bytes count, not characters");
    }
}
