package org.pmxcfs.cluster;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.pmxcfs.dbstore.MemDb;

/**
 * Copies of the whole tree kept before it is thrown away (a join, or a sync that discards local
 * changes): {@code backup/config-<epoch>.sql.gz}, an SQL dump that sqlite3 can load; the newest
 * ten are kept, as the original does.
 */
public final class Backups {

    private static final int KEPT = 10;

    private Backups() {}

    /** Writes the dump of {@code db} and prunes old ones; returns the new file. */
    public static Path save(MemDb db, Path dir, long epoch) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path file = dir.resolve("config-" + epoch + ".sql.gz");
        try (Writer w = new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(file)), StandardCharsets.UTF_8)) {
            db.dumpSql(w);
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = s.filter(p -> p.getFileName().toString().matches("config-\\d+\\.sql\\.gz"))
                    .sorted(Comparator.comparing(Path::getFileName)).toList();
            for (int i = 0; i < all.size() - KEPT; i++) {
                Files.deleteIfExists(all.get(i));
            }
        }
        return file;
    }
}
