package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pmxcfs.dbstore.TestSupport.NOW;
import static org.pmxcfs.dbstore.TestSupport.content;
import static org.pmxcfs.dbstore.TestSupport.create;
import static org.pmxcfs.dbstore.TestSupport.delete;
import static org.pmxcfs.dbstore.TestSupport.dump;
import static org.pmxcfs.dbstore.TestSupport.entry;
import static org.pmxcfs.dbstore.TestSupport.fails;
import static org.pmxcfs.dbstore.TestSupport.ok;
import static org.pmxcfs.dbstore.TestSupport.put;
import static org.pmxcfs.dbstore.TestSupport.ramDb;
import static org.pmxcfs.dbstore.TestSupport.rename;
import static org.pmxcfs.dbstore.TestSupport.text;
import static org.pmxcfs.dbstore.TestSupport.truncate;
import static org.pmxcfs.dbstore.TestSupport.version;
import static org.pmxcfs.dbstore.TestSupport.write;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reference 0: 1 MiB per file (EFBIG); our own total size cap (ENOSPC). */
class LimitsTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void namesLongerThan255BytesAreRefusedAndChangeNothing() {
        MemDb db = ramDb();
        put(db, "f", "keep");
        String before = dump(db);
        String longName = "n".repeat(256);
        fails(Errno.ENAMETOOLONG, create(db, longName));
        fails(Errno.ENAMETOOLONG, TestSupport.mkdir(db, longName));
        fails(Errno.ENAMETOOLONG, rename(db, "f", longName));
        fails(Errno.ENAMETOOLONG, create(db, "\u00e9".repeat(128))); // 256 bytes in UTF-8
        assertEquals(before, dump(db));
        ok(create(db, "n".repeat(255)));
    }

    @Test
    void maxFileSizeIsExactlyOneMebibyte() {
        assertEquals(1_048_576, MemDb.MAX_FILE_SIZE);
    }

    @Test
    void exactlyOneMebibyteIsAllowed() {
        MemDb db = ramDb();
        ok(create(db, "f"));
        ok(MIB, db.apply(new Operation.Write("f", 0, new byte[MIB]), 0, NOW));
        assertEquals(MIB, entry(db, "f").size());
        ok(create(db, "g"));
        ok(1, write(db, "g", MIB - 1, "x"));
        assertEquals(MIB, entry(db, "g").size());
        ok(create(db, "h"));
        ok(0, truncate(db, "h", MIB));
        assertEquals(MIB, entry(db, "h").size());
        ok(0, write(db, "h", MIB, ""));
    }

    @Test
    void oneByteMoreIsEfbigAndChangesNothing() {
        MemDb db = ramDb();
        put(db, "f", "keep");
        String before = dump(db);
        fails(Errno.EFBIG, db.apply(new Operation.Write("f", 0, new byte[MIB + 1]), 0, NOW));
        fails(Errno.EFBIG, write(db, "f", MIB, "x"));
        fails(Errno.EFBIG, write(db, "f", MIB - 1, "xy"));
        fails(Errno.EFBIG, truncate(db, "f", MIB + 1L));
        assertEquals(before, dump(db));
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MAX_VALUE - 4, 1L << 32, (1L << 32) + 1,
        Integer.MAX_VALUE, Integer.MAX_VALUE + 1L})
    void hugeOffsetsAreEfbigNotACrash(long offset) {
        // a replicated message may carry any offset; offset + count must not wrap around
        MemDb db = ramDb();
        put(db, "f", "keep");
        String before = dump(db);
        fails(Errno.EFBIG, db.apply(new Operation.Write("f", offset, new byte[8]), 0, NOW));
        fails(Errno.EFBIG, truncate(db, "f", offset));
        assertEquals(before, dump(db));
    }

    @Test
    void totalSizeCapIsEnospcAndChangesNothing() throws Exception {
        MemDb db = MemDb.open(new RamStore(), 100, NOW);
        ok(create(db, "a"));
        ok(create(db, "b"));
        ok(60, db.apply(new Operation.Write("a", 0, new byte[60]), 0, NOW));
        ok(40, db.apply(new Operation.Write("b", 0, new byte[40]), 0, NOW));
        assertEquals(100, db.stats().totalBytes(), "exactly at the cap is fine");
        assertEquals(100, db.stats().maxTotalBytes());
        String before = dump(db);
        long v = version(db);
        fails(Errno.ENOSPC, write(db, "b", 40, "x"));
        fails(Errno.ENOSPC, write(db, "b", 100, "x"));
        fails(Errno.ENOSPC, truncate(db, "a", 61));
        assertEquals(before, dump(db));
        assertEquals(v, version(db));
        assertEquals(100, db.stats().totalBytes());

        // rewriting inside the current size does not grow anything
        ok(1, write(db, "b", 0, "z"));
        // shrinking is always allowed and frees room
        ok(0, truncate(db, "a", 10));
        assertEquals(50, db.stats().totalBytes());
        ok(50, db.apply(new Operation.Write("b", 40, new byte[50]), 0, NOW));
        assertEquals(100, db.stats().totalBytes());
        ok(delete(db, "b"));
        assertEquals(10, db.stats().totalBytes());
        ok(5, write(db, "a", 10, "12345"));
        assertEquals(15, db.stats().totalBytes());
    }

    @Test
    void createAndMkdirAreNotLimitedBySize() throws Exception {
        MemDb db = MemDb.open(new RamStore(), 10, NOW);
        ok(create(db, "a"));
        ok(10, write(db, "a", 0, "0123456789"));
        ok(create(db, "b"));
        ok(TestSupport.mkdir(db, "d"));
        fails(Errno.ENOSPC, write(db, "b", 0, "x"));
        assertEquals(0, entry(db, "b").size());
    }

    @Test
    void renameOverAFileFreesItsBytes() throws Exception {
        MemDb db = MemDb.open(new RamStore(), 10, NOW);
        put(db, "a", "12345");
        put(db, "b", "67890");
        ok(rename(db, "a", "b"));
        assertEquals(5, db.stats().totalBytes());
        put(db, "c", "abcde");
        assertEquals("abcde", text(db, "c"));
    }

    @Test
    void sizeAccountingSurvivesReopen() throws Exception {
        Path file = tmp.resolve("config.db");
        MemDb db = MemDb.open(SqliteStore.open(file, SqliteStore.Options.DEFAULT), 20, NOW);
        put(db, "a", "0123456789");
        put(db, "b", "0123456789");
        db.close();
        MemDb reopened = MemDb.open(SqliteStore.open(file, SqliteStore.Options.DEFAULT), 20, NOW);
        assertEquals(20, reopened.stats().totalBytes());
        assertEquals(3, reopened.stats().entries());
        fails(Errno.ENOSPC, write(reopened, "a", 10, "x"));
        ok(0, truncate(reopened, "a", 0));
        ok(1, write(reopened, "b", 10, "x"));
        assertArrayEquals(TestSupport.bytes("0123456789x"), content(reopened, "b"));
        reopened.close();
    }
}
