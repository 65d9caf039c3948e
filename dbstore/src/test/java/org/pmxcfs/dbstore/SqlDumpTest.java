package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pmxcfs.dbstore.TestSupport.bytes;
import static org.pmxcfs.dbstore.TestSupport.dump;
import static org.pmxcfs.dbstore.TestSupport.jdbc;
import static org.pmxcfs.dbstore.TestSupport.ok;
import static org.pmxcfs.dbstore.TestSupport.sqliteDb;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup a node keeps before a state transfer replaces its local changes. */
class SqlDumpTest {

    @TempDir
    Path tmp;

    private static String sql(MemDb db) throws Exception {
        StringBuilder sb = new StringBuilder();
        db.dumpSql(sb);
        return sb.toString();
    }

    /** Restores a dump the way {@code sqlite3 new.db < dump.sql} would: every statement is one line. */
    private MemDb restore(String sql) throws Exception {
        Path file = tmp.resolve("restored.db");
        try (Connection c = jdbc(file); Statement st = c.createStatement()) {
            for (String line : sql.split("\n")) {
                st.execute(line);
            }
        }
        return sqliteDb(file);
    }

    @Test
    void theShapeOfSqlite3Dump() throws Exception {
        List<String> lines = sql(IndexTest.smallTree()).lines().toList();
        assertEquals("PRAGMA foreign_keys=OFF;", lines.get(0));
        assertEquals("BEGIN TRANSACTION;", lines.get(1));
        assertEquals(SqliteStore.CREATE_TABLE.replace("CREATE TABLE IF NOT EXISTS", "CREATE TABLE") + ";", lines.get(2));
        assertEquals("INSERT INTO tree VALUES(0,0,6,7,1234,8,'__version__',NULL);", lines.get(3));
        assertEquals("INSERT INTO tree VALUES(2,0,2,7,1234,4,'nodes',NULL);", lines.get(4));
        assertEquals("INSERT INTO tree VALUES(4,3,5,7,1234,8,'a.cfg',X'68656c6c6f0a');", lines.get(6));
        assertEquals("INSERT INTO tree VALUES(6,0,6,7,1234,8,'empty',NULL);", lines.get(7));
        assertEquals("COMMIT;", lines.get(8));
        assertEquals(9, lines.size());
    }

    @Test
    void restoresToTheSameTree() throws Exception {
        MemDb db = IndexTest.smallTree();
        for (String name : new String[] {"it's", "two\nlines", "cr\rlf", "back\\nslash", "ümlaut ✓"}) {
            ok(db.apply(new Operation.Create(name), -2, 4_000_000_000L));
            ok(db.apply(new Operation.Write(name, 0, bytes(name)), -2, 4_000_000_000L));
        }
        // the last writes are still pending in RAM: the dump shows the tree, not the store
        MemDb restored = restore(sql(db));
        assertEquals(dump(db), dump(restored));
        assertArrayEquals(db.index().encode(), restored.index().encode());
        restored.close();
    }
}
