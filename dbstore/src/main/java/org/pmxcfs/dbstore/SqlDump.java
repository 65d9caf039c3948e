package org.pmxcfs.dbstore;

import java.io.IOException;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes rows of table {@code tree} as SQL text in the shape {@code sqlite3 config.db .dump}
 * gives, so {@code sqlite3 new.db < dump.sql} rebuilds the database (the original keeps such
 * dumps as {@code backup/config-<epoch>.sql.gz}).
 */
final class SqlDump {

    private static final HexFormat HEX = HexFormat.of();

    private SqlDump() {}

    /** {@code rows} as stored: the version row (inode 0, {@code __version__}) first, then by inode. */
    static void write(List<TreeEntry> rows, Appendable out) throws IOException {
        out.append("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n");
        // sqlite3 prints the schema as stored, which drops the IF NOT EXISTS
        out.append(SqliteStore.CREATE_TABLE.replace("IF NOT EXISTS ", "")).append(";\n");
        for (TreeEntry e : rows) {
            out.append("INSERT INTO tree VALUES(").append(Long.toString(e.inode())).append(',')
                    .append(Long.toString(e.parent())).append(',')
                    .append(Long.toString(e.version())).append(',')
                    .append(Integer.toUnsignedString(e.writer())).append(',')
                    .append(Long.toString(e.mtime())).append(',')
                    .append(Integer.toString(e.type())).append(',')
                    .append(text(e.name())).append(',')
                    .append(e.data() == null ? "NULL" : "X'" + HEX.formatHex(e.data()) + "'")
                    .append(");\n");
        }
        out.append("COMMIT;\n");
    }

    /**
     * A quoted SQL string on one line: a line break in a name is spelled {@code '||char(10)||'}
     * (unambiguous, unlike an escape sequence that the name itself could contain).
     */
    private static String text(String s) {
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'') {
                sb.append("''");
            } else if (c == '\n' || c == '\r') {
                sb.append("'||char(").append((int) c).append(")||'");
            } else {
                sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }
}
