package org.pmxcfs.corosync;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test resources: byte-exact copies of files from the reference system. */
final class Samples {

    private Samples() {
    }

    /** corosync.conf of the reference 3-node cluster ({@code samples/cluster-3node/corosync.conf.txt}). */
    static byte[] cluster3NodeBytes() {
        return resource("cluster-3node.conf");
    }

    static String cluster3Node() {
        return new String(cluster3NodeBytes(), StandardCharsets.UTF_8);
    }

    private static byte[] resource(String name) {
        try (InputStream in = Samples.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
