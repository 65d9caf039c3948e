package org.pmxcfs.pvecm.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.pmxcfs.pvecm.PvecmException;

class JoinableTest {

    private static final Joinable.Facts CLEAN = new Joinable.Facts(Path.of("/etc/corosync/authkey"), false,
            Path.of("/etc/pve/corosync.conf"), false, false, false);

    @Test
    void cleanNodeMayJoin() {
        assertEquals(List.of(), Joinable.errors(CLEAN, Map.of("local node address", "10.0.0.2"), a -> Optional.empty()));
    }

    @Test
    void everyProblemInTheOriginalsWords() {
        Joinable.Facts f = new Joinable.Facts(Path.of("/etc/corosync/authkey"), true, Path.of("/etc/pve/corosync.conf"),
                true, true, true);
        Map<String, String> addrs = new LinkedHashMap<>();
        addrs.put("local node address", "10.0.0.2");
        addrs.put("link0", "10.9.9.9");
        List<String> errors = Joinable.errors(f, addrs,
                a -> a.equals("10.9.9.9") ? Optional.of("cannot use IP '10.9.9.9', not found on local node!") : Optional.empty());
        assertEquals(List.of(
                "authentication key '/etc/corosync/authkey' already exists",
                "cluster config '/etc/pve/corosync.conf' already exists",
                "this host already contains virtual guests",
                "corosync is already running, is this node already in a cluster?!",
                "link0: cannot use IP '10.9.9.9', not found on local node!"), errors);
    }

    @Test
    void reportFailsUnlessForced() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(b, true, StandardCharsets.UTF_8);
        assertEquals("Check if node may join a cluster failed!", assertThrows(PvecmException.class,
                () -> Joinable.report(List.of("a", "b"), false, err)).getMessage());
        assertEquals("detected the following error(s):\n* a\n* b\n", b.toString(StandardCharsets.UTF_8));
        b.reset();
        Joinable.report(List.of("a"), true, err);
        assertEquals("detected the following error(s):\n* a\n\nWARNING : detected error but forced to continue!\n\n",
                b.toString(StandardCharsets.UTF_8));
    }

    @Test
    void localAddresses() {
        assertEquals(Optional.empty(), Joinable.localAddressProblem("127.0.0.1"));
        assertEquals(Optional.empty(), Joinable.localAddressProblem("127.0.0.3")); // all of 127/8 is local
        assertEquals(Optional.of("cannot use IP '192.0.2.77', not found on local node!"),
                Joinable.localAddressProblem("192.0.2.77"));
        assertTrue(Joinable.localAddressProblem("no-such-host.invalid").orElseThrow()
                .startsWith("cannot use 'no-such-host.invalid': "));
    }
}
