package org.pmxcfs.corosync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

class CorosyncConfSyncTest {

    private static final Path LOCAL = Path.of("/etc/corosync/corosync.conf");

    private static byte[] conf(String version, String extra) {
        return ("totem {\n  cluster_name: c\n  config_version: " + version + "\n" + extra + "}\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static LocalConf present(byte[] bytes) {
        return new LocalConf.Present(bytes);
    }

    private static final LogLine PARSE = new LogLine("dcdb", LogLine.Level.CRIT, "unable to parse cluster config_version");
    private static final LogLine NEWER = new LogLine("dcdb", LogLine.Level.CRIT, "local corosync.conf is newer");

    /** The copy rule of reference 3.10, one row per case. */
    static Stream<Arguments> rule() {
        byte[] v3 = conf("3", "");
        return Stream.of(
                // memdb copy, local file, action, reason, new version, old version, log
                Arguments.of("no corosync.conf in the memdb", null, present(v3),
                        SyncDecision.Action.NOTHING, SyncDecision.Reason.NO_CLUSTER_CONF, 0L, 0L, List.of()),
                Arguments.of("empty memdb copy", new byte[0], present(v3),
                        SyncDecision.Action.NOTHING, SyncDecision.Reason.NO_CLUSTER_CONF, 0L, 0L, List.of()),
                Arguments.of("missing local file", v3, new LocalConf.Missing(),
                        SyncDecision.Action.COPY, SyncDecision.Reason.UPDATE, 3L, 0L, List.of()),
                Arguments.of("identical", v3, present(conf("3", "")),
                        SyncDecision.Action.NOTHING, SyncDecision.Reason.IDENTICAL, 3L, 3L, List.of()),
                Arguments.of("newer local", v3, present(conf("4", "")),
                        SyncDecision.Action.REFUSE, SyncDecision.Reason.LOCAL_NEWER, 3L, 4L, List.of(NEWER)),
                Arguments.of("older local", conf("4", ""), present(v3),
                        SyncDecision.Action.COPY, SyncDecision.Reason.UPDATE, 4L, 3L, List.of()),
                Arguments.of("equal version, different content", v3, present(conf("3", "  token: 3000\n")),
                        SyncDecision.Action.COPY, SyncDecision.Reason.UPDATE, 3L, 3L, List.of()),
                Arguments.of("unparsable version", conf("three", ""), present(v3),
                        SyncDecision.Action.REFUSE, SyncDecision.Reason.UNPARSABLE_VERSION, 0L, 0L, List.of(PARSE)),
                Arguments.of("no config_version at all", "totem {\n}\n".getBytes(StandardCharsets.UTF_8),
                        new LocalConf.Missing(),
                        SyncDecision.Action.REFUSE, SyncDecision.Reason.UNPARSABLE_VERSION, 0L, 0L, List.of(PARSE)),
                Arguments.of("version 0", conf("0", ""), new LocalConf.Missing(),
                        SyncDecision.Action.REFUSE, SyncDecision.Reason.UNPARSABLE_VERSION, 0L, 0L, List.of(PARSE)),
                Arguments.of("version 0 even when identical", conf("0", ""), present(conf("0", "")),
                        SyncDecision.Action.REFUSE, SyncDecision.Reason.UNPARSABLE_VERSION, 0L, 0L, List.of(PARSE)),
                Arguments.of("local without a version", v3, present("garbage".getBytes(StandardCharsets.UTF_8)),
                        SyncDecision.Action.COPY, SyncDecision.Reason.UPDATE, 3L, 0L, List.of()),
                Arguments.of("empty local file", v3, present(new byte[0]),
                        SyncDecision.Action.COPY, SyncDecision.Reason.UPDATE, 3L, 0L, List.of()),
                Arguments.of("unreadable local file: logged, then treated as missing", v3,
                        new LocalConf.Unreadable("Permission denied"),
                        SyncDecision.Action.COPY, SyncDecision.Reason.UPDATE, 3L, 0L,
                        List.of(new LogLine("dcdb", LogLine.Level.CRIT,
                                "unable to read cluster config file '/etc/corosync/corosync.conf' - Permission denied"))),
                Arguments.of("first match wins, even in a comment", ("# config_version: 9\n").getBytes(StandardCharsets.UTF_8),
                        present(conf("5", "")),
                        SyncDecision.Action.COPY, SyncDecision.Reason.UPDATE, 9L, 5L, List.of()),
                Arguments.of("unsigned 64-bit versions", conf("18446744073709551615", ""), present(conf("9223372036854775808", "")),
                        SyncDecision.Action.COPY, SyncDecision.Reason.UPDATE, -1L, Long.MIN_VALUE, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rule")
    void copyRule(String name, byte[] memdb, LocalConf local, SyncDecision.Action action, SyncDecision.Reason reason,
                  long newVersion, long oldVersion, List<LogLine> log) {
        SyncDecision d = CorosyncConfSync.decide(memdb, local, LOCAL);
        assertEquals(action, d.action(), name);
        assertEquals(reason, d.reason(), name);
        assertEquals(newVersion, d.newVersion(), name);
        assertEquals(oldVersion, d.oldVersion(), name);
        assertEquals(log, d.log(), name);
    }

    @Test
    void configVersionRegex() {
        assertEquals(3, ConfigVersion.of("config_version:3".getBytes(StandardCharsets.UTF_8)));
        assertEquals(3, ConfigVersion.of("config_version \t\n:\n 3".getBytes(StandardCharsets.UTF_8)));
        assertEquals(12, ConfigVersion.of("xconfig_version: 12abc".getBytes(StandardCharsets.UTF_8)));
        assertEquals(0, ConfigVersion.of("config_version = 3".getBytes(StandardCharsets.UTF_8)));
        assertEquals(0, ConfigVersion.of("config_version: -3".getBytes(StandardCharsets.UTF_8)));
        assertEquals(-1L, ConfigVersion.of("config_version: 99999999999999999999999".getBytes(StandardCharsets.UTF_8)));
        assertEquals(3, ConfigVersion.of(Samples.cluster3NodeBytes()));
        assertEquals(7, ConfigVersion.of(new byte[] {(byte) 0xff, 'c', 'o', 'n', 'f', 'i', 'g', '_', 'v', 'e', 'r', 's',
            'i', 'o', 'n', ':', '7'}));
    }

    @Test
    void writesAMissingFileWithMode0644(@TempDir Path dir) throws Exception {
        Path local = dir.resolve("corosync.conf");
        byte[] sample = Samples.cluster3NodeBytes();
        SyncReport report = new CorosyncConfSync(local).sync(sample, true);
        assertTrue(report.written());
        assertFalse(report.reloadCorosync(), "no reload when there was no old file");
        assertArrayEquals(sample, Files.readAllBytes(local));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(local)));
        assertEquals(List.of(new LogLine("dcdb", LogLine.Level.NOTICE,
                "wrote new corosync config '" + local + "' (version = 3)")), report.log());
        assertEquals(List.of(local), listDir(dir), "no temporary file left");
    }

    @Test
    void replacesAnOlderFileAndAsksForAReloadOnlyWhenNotified(@TempDir Path dir) throws Exception {
        Path local = dir.resolve("corosync.conf");
        byte[] newer = conf("8", "");
        Files.write(local, conf("7", ""));
        Files.setPosixFilePermissions(local, PosixFilePermissions.fromString("rw-------"));
        SyncReport fromOtherNode = new CorosyncConfSync(local).sync(newer, false);
        assertTrue(fromOtherNode.written());
        assertFalse(fromOtherNode.reloadCorosync());
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(local)));

        Files.write(local, conf("7", ""));
        SyncReport ours = new CorosyncConfSync(local).sync(newer, true);
        assertTrue(ours.reloadCorosync());
        assertArrayEquals(newer, Files.readAllBytes(local));
    }

    @Test
    void leavesIdenticalAndNewerFilesAlone(@TempDir Path dir) throws Exception {
        Path local = dir.resolve("corosync.conf");
        byte[] v5 = conf("5", "");
        Files.write(local, v5);
        SyncReport same = new CorosyncConfSync(local).sync(v5.clone(), true);
        assertFalse(same.written());
        assertEquals(List.of(), same.log());

        SyncReport older = new CorosyncConfSync(local).sync(conf("4", ""), true);
        assertFalse(older.written());
        assertFalse(older.reloadCorosync());
        assertEquals(List.of(NEWER), older.log());
        assertArrayEquals(v5, Files.readAllBytes(local));
    }

    @Test
    void refusesAnUnparsableVersionWithoutTouchingTheFile(@TempDir Path dir) throws Exception {
        Path local = dir.resolve("corosync.conf");
        SyncReport r = new CorosyncConfSync(local).sync("totem {\n}\n".getBytes(StandardCharsets.UTF_8), true);
        assertEquals(SyncDecision.Action.REFUSE, r.decision().action());
        assertFalse(Files.exists(local));
        assertEquals(List.of(PARSE), r.log());
    }

    @Test
    void failedWriteIsLoggedInTheOriginalsWords(@TempDir Path dir) throws Exception {
        // A non-empty directory where the file should be: reading fails, then so does the rename.
        Path local = dir.resolve("corosync.conf");
        Files.createDirectories(local.resolve("x"));
        SyncReport r = new CorosyncConfSync(local).sync(conf("3", ""), true);
        assertFalse(r.written());
        assertFalse(r.reloadCorosync());
        assertEquals(2, r.log().size(), r.log().toString());
        assertEquals(new LogLine("dcdb", LogLine.Level.CRIT,
                "unable to read cluster config file '" + local + "' - Is a directory"), r.log().get(0));
        LogLine failure = r.log().get(1);
        assertEquals("main", failure.logger());
        assertEquals(LogLine.Level.CRIT, failure.level());
        assertTrue(failure.message().startsWith("Failed to rename file from '" + local + "."), failure.message());
        assertTrue(failure.message().contains("' to '" + local + "': "), failure.message());
        assertEquals(List.of(local), listDir(dir), "temporary file removed");
    }

    @Test
    void missingDirectoryIsLogged(@TempDir Path dir) {
        Path local = dir.resolve("missing/corosync.conf");
        SyncReport r = new CorosyncConfSync(local).sync(conf("3", ""), false);
        assertFalse(r.written());
        assertEquals(List.of(new LogLine("main", LogLine.Level.CRIT,
                "Failed to create file '" + local + ".XXXXXX': No such file or directory")), r.log());
    }

    private static List<Path> listDir(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void linesAreLoggedUnderTheOriginalsDomains(@TempDir Path dir) throws Exception {
        Path local = dir.resolve("corosync.conf");
        Files.write(local, conf("5", ""));
        Logger dcdb = (Logger) LoggerFactory.getLogger("dcdb");
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        dcdb.addAppender(captured);
        try {
            new CorosyncConfSync(local).sync(conf("4", ""), true);
            new CorosyncConfSync(local).sync(conf("6", ""), true);
        } finally {
            dcdb.detachAppender(captured);
        }
        assertEquals(List.of("ERROR local corosync.conf is newer",
                        "INFO wrote new corosync config '" + local + "' (version = 6)"),
                captured.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList());
        assertEquals(Level.ERROR, captured.list.get(0).getLevel());
    }
}
