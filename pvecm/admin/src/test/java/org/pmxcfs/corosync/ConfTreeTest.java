package org.pmxcfs.corosync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfTreeTest {

    @Test
    void sampleRoundTripsByteForByte() throws Exception {
        byte[] sample = Samples.cluster3NodeBytes();
        ConfTree tree = ConfTree.parse(sample);
        assertArrayEquals(sample, tree.bytes());
    }

    @Test
    void sampleStructure() throws Exception {
        ConfTree tree = ConfTree.parse(Samples.cluster3Node());
        ConfItem.Section root = tree.root();
        assertEquals(List.of("logging", "nodelist", "quorum", "totem"),
                root.items().stream().filter(i -> i instanceof ConfItem.Section)
                        .map(i -> ((ConfItem.Section) i).name()).toList());
        ConfItem.Section totem = root.section("totem").orElseThrow();
        assertEquals(33, totem.line());
        assertEquals("pmxa", totem.value("cluster_name").orElseThrow());
        assertEquals(3, root.section("nodelist").orElseThrow().sections("node").size());
        ConfItem.Entry version = totem.entry("config_version").orElseThrow();
        assertEquals(35, version.line());
        assertEquals("  config_version: 3\n", version.raw());
        // Order inside logging is the file's, not sorted.
        assertEquals(List.of("debug", "to_syslog", "to_stderr", "timestamp"),
                root.section("logging").orElseThrow().entries().stream().map(ConfItem.Entry::key).toList());
    }

    /** Layout variations corosync accepts; each must survive parse then write unchanged. */
    @ParameterizedTest
    @ValueSource(strings = {
        "totem {\n  version: 2\n}\n",
        "totem {\n  version: 2\n}",                                   // no final newline
        "totem {\r\n  version: 2\r\n}\r\n",                           // CRLF
        "\ttotem\t{\t\n\t\tversion:\t2\t \n\t}\t\n",                  // tabs, trailing blanks
        "totem{\nversion:2\n}\n",                                     // no blanks at all
        "# comment\n\n   # indented comment\ntotem {\n  # inside\n\n  version: 2 # not a comment\n}\n\n\n",
        "totem: {\n  cluster_name: a b  c\n}\n",                      // colon before brace, spaces in value
        "nodelist {\n  node {\n    ring0_addr: fe80::1\n    name: \"quoted\"\n  }\n}\n",
        "a {\n  b {\n    c {\n      d: e\n    }\n  }\n}\n",
        "",
        "\n\n",
        "key: }brace\n",
        "logging {\n  x:\n}\n",                                       // empty value
    })
    void layoutSurvivesRoundTrip(String text) throws Exception {
        assertEquals(text, ConfTree.parse(text).text());
    }

    @Test
    void valuesAreTakenLiterally() throws Exception {
        ConfTree tree = ConfTree.parse(
                "n {\n  a: fe80::1\n  b: \"x y\"  \n  c: yes # inline\n  d:\t\tspaced  value\t\n  e:\n}\n");
        ConfItem.Section n = tree.root().section("n").orElseThrow();
        assertEquals("fe80::1", n.value("a").orElseThrow());
        assertEquals("\"x y\"", n.value("b").orElseThrow());
        assertEquals("yes # inline", n.value("c").orElseThrow());
        assertEquals("spaced  value", n.value("d").orElseThrow());
        assertEquals("", n.value("e").orElseThrow());
    }

    @Test
    void sectionNameDropsTrailingColon() throws Exception {
        ConfTree tree = ConfTree.parse("totem: {\n}\n");
        assertEquals("totem", tree.root().sections("totem").get(0).name());
    }

    @Test
    void crlfFileKeepsCrlfForNewItems() throws Exception {
        ConfTree tree = ConfTree.parse("a {\r\n}\r\n");
        assertEquals("\r\n", tree.newline());
        ConfItem.Section a = tree.root().section("a").orElseThrow();
        ConfTree edited = tree.withRoot(tree.root().withItems(List.of(a.withItems(List.of(ConfItem.Entry.of("k", "v"))))));
        assertEquals("a {\r\n  k: v\r\n}\r\n", edited.text());
    }

    @Test
    void entryValueEditKeepsLayout() throws Exception {
        ConfTree tree = ConfTree.parse("t {\n\tconfig_version :  41 \t\r\n}\n");
        ConfItem.Entry e = tree.root().section("t").orElseThrow().entry("config_version").orElseThrow();
        assertEquals("\tconfig_version :  42 \t\r\n", e.withValue("42").raw());
    }

    @Test
    void itemAppendedAfterLastLineWithoutNewlineGetsOne() throws Exception {
        ConfTree tree = ConfTree.parse("a {\n}");
        List<ConfItem> items = new java.util.ArrayList<>(tree.root().items());
        items.add(ConfItem.Section.of("b", List.of()));
        assertEquals("a {\n}\nb {\n}\n", tree.withRoot(tree.root().withItems(items)).text());
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("totem {\n  version: 2\n", 1,
                        "line 1: missing closing brace for section 'totem' (end of file reached at line 2)"),
                Arguments.of("logging {\n}\n\ntotem {\n  interface {\n    linknumber: 0\n  }\n", 4,
                        "line 4: missing closing brace for section 'totem' (end of file reached at line 7)"),
                Arguments.of("a {\n  b {\n  }\n", 1,
                        "line 1: missing closing brace for section 'a' (end of file reached at line 3)"),
                Arguments.of("totem {\n  version: 2\n}\n}\n", 4, "line 4: unexpected '}' (no section is open)"),
                Arguments.of("totem {\n  version 2\n}\n", 2,
                        "line 2: expected 'key: value', 'name {' or '}', found 'version 2'"),
                Arguments.of("totem\n{\n}\n", 1, "line 1: expected 'key: value', 'name {' or '}', found 'totem'"),
                Arguments.of("totem {\n  : 2\n}\n", 2, "line 2: empty key before ':'"),
                Arguments.of("{\n}\n", 1, "line 1: missing section name before '{'"),
                Arguments.of("a {\n\n  {\n}\n", 3, "line 3: missing section name before '{'"),
                Arguments.of("totem { version: 2\n}\n", 1,
                        "line 1: unexpected text after '{' (a section opens with 'name {' on a line of its own)"),
                Arguments.of("totem {\n  key: a{b\n}\n", 2,
                        "line 2: unexpected text after '{' (a section opens with 'name {' on a line of its own)"),
                Arguments.of("totem {\n} x\n", 2, "line 2: unexpected text before or after '}'"),
                Arguments.of("totem {\n  x }\n", 2, "line 2: unexpected text before or after '}'"),
                Arguments.of("a {\n  k: " + "v".repeat(506) + "\n}\n", 2,
                        "line 2: line too long (511 bytes, corosync reads at most 510)"));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void syntaxErrorsNameTheirLine(String text, int line, String message) {
        CorosyncConfException e = assertThrows(CorosyncConfException.class, () -> ConfTree.parse(text));
        assertEquals(line, e.line());
        assertEquals(message, e.getMessage());
        assertTrue(e.getMessage().startsWith("line " + line + ": "));
    }

    @Test
    void longestAcceptedLine() throws Exception {
        // 510 bytes of text plus the newline fill corosync's 512-byte fgets buffer with its NUL.
        String line = "  k: " + "v".repeat(505);
        assertEquals(510, line.length());
        String text = "a {\n" + line + "\n}\n";
        assertEquals(text, ConfTree.parse(text).text());
    }

    @Test
    void invalidUtf8IsRefused() {
        CorosyncConfException e = assertThrows(CorosyncConfException.class,
                () -> ConfTree.parse(new byte[] {'a', ':', ' ', (byte) 0xff, '\n'}));
        assertEquals("not valid UTF-8 text", e.getMessage());
    }
}
