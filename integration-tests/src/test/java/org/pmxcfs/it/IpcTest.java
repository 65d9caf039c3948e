package org.pmxcfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pmxcfs.ipc.client.IpcClient;

/** The local IPC socket of a real daemon: access, and the same data as the mount shows. */
class IpcTest extends MountTestBase {

    @Test
    void socketServesStatusLogAndConfigLikeTheMount() throws Exception {
        Daemon d = started();
        Path sock = d.run.resolve("pmxcfs.sock");
        PosixFileAttributes attrs = Files.readAttributes(sock, PosixFileAttributes.class);
        assertEquals("rw-rw----", PosixFilePermissions.toString(attrs.permissions()));
        assertEquals("root", attrs.owner().getName());
        assertEquals("www-data", attrs.group().getName());

        try (IpcClient c = IpcClient.connect(d.run)) {
            c.setStatus("tasklist", "[]".getBytes(StandardCharsets.UTF_8));
            assertTrue(Files.readString(d.path(".version")).contains("\"tasklist\": 0"), Files.readString(d.path(".version")));
            c.logClusterMsg(6, "root@pam", "ipctest", "hello from the socket");
            assertTrue(Files.readString(d.path(".clusterlog")).contains("hello from the socket"));
            byte[] content = new byte[1 << 20];
            new java.util.Random(1).nextBytes(content);
            Files.write(d.path("big.cfg"), content);
            assertArrayEquals(content, c.getConfig("big.cfg").orElseThrow(), "exactly 1 MiB through the socket");
            assertEquals(Files.readString(d.path(".members")), c.getClusterInfo());
            assertEquals(Files.readString(d.path(".vmlist")), c.getGuestList());
        }
    }

    @Test
    void wwwDataReadsButCannotWriteAndSocketGoesAwayOnStop() throws Exception {
        Daemon d = started();
        Path sock = d.run.resolve("pmxcfs.sock");
        // let www-data reach the run dir (the daemon makes it 0750 root:www-data)
        for (Path p = d.run.getParent(); p.startsWith(tmp); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        // a client running as www-data, speaking the documented JSON-lines protocol
        Path client = tmp.resolve("Client.java");
        Files.writeString(client, """
                import java.io.*; import java.net.*; import java.nio.channels.*; import java.nio.charset.*;
                public class Client { public static void main(String[] a) throws Exception {
                  try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(a[0]))) {
                    Writer w = Channels.newWriter(ch, StandardCharsets.UTF_8);
                    w.write("{\\"id\\":1,\\"op\\":\\"get_cluster_info\\"}\\n");
                    w.write("{\\"id\\":2,\\"op\\":\\"set_status\\",\\"name\\":\\"x\\",\\"value_b64\\":\\"eA==\\"}\\n");
                    w.flush();
                    BufferedReader r = new BufferedReader(Channels.newReader(ch, StandardCharsets.UTF_8));
                    System.out.println(r.readLine()); System.out.println(r.readLine());
                  } } }
                """);
        Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rw-r--r--"));
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of("setpriv", "--reuid=33", "--regid=33", "--clear-groups",
                javaBin, "-XX:-UsePerfData", client.toString(), sock.toString()))
                .directory(tmp.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "client finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String[] lines = out.strip().split("\n");
        assertEquals(2, lines.length, out);
        assertTrue(lines[0].contains("\"ok\":true"), out);
        assertTrue(lines[1].contains("\"ok\":false") && lines[1].contains("EPERM"), out);
        assertEquals(0, d.stop());
        assertFalse(Files.exists(sock), "socket removed on stop");
    }
}
