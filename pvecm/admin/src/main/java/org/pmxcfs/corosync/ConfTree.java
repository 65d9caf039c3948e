package org.pmxcfs.corosync;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A corosync.conf as an ordered tree that remembers every line: {@link #text()} of a parsed,
 * unchanged tree is the parsed text, byte for byte (comments, blank lines, indentation, tabs,
 * CRLF endings, a missing final newline).
 *
 * <p>Syntax only: any file corosync's own parser ({@code exec/coroparse.c}, corosync 3.1) accepts
 * is accepted, except that an empty key is refused. What the keys mean is checked by
 * {@link CorosyncConf}.
 *
 * @param root    the top level, a section with the empty name and no raw lines
 * @param newline line terminator used for items added by edits ({@code "\n"} or {@code "\r\n"},
 *                taken from the first line of the parsed file)
 */
public record ConfTree(ConfItem.Section root, String newline) {

    public ConfTree {
        Objects.requireNonNull(root, "root");
        if (!"\n".equals(newline) && !"\r\n".equals(newline)) {
            throw new IllegalArgumentException("newline must be \\n or \\r\\n");
        }
    }

    /** Parses corosync.conf text. */
    public static ConfTree parse(String text) throws CorosyncConfException {
        return ConfTreeParser.parse(text);
    }

    /** Parses corosync.conf bytes, which must be UTF-8 (so that writing gives the same bytes). */
    public static ConfTree parse(byte[] bytes) throws CorosyncConfException {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return parse(text);
        } catch (CharacterCodingException e) {
            throw new CorosyncConfException("not valid UTF-8 text");
        }
    }

    /** The file text: original lines where unchanged, new items laid out with 2-space indents. */
    public String text() {
        return ConfTreeWriter.write(this);
    }

    /** {@link #text()} as UTF-8. */
    public byte[] bytes() {
        return text().getBytes(StandardCharsets.UTF_8);
    }

    /** The same tree with another root (an edit). */
    public ConfTree withRoot(ConfItem.Section newRoot) {
        return new ConfTree(newRoot, newline);
    }
}
