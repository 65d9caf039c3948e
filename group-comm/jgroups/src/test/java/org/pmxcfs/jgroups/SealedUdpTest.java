package org.pmxcfs.jgroups;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jgroups.JChannel;
import org.jgroups.protocols.UNICAST3;
import org.junit.jupiter.api.Test;

/** With several links suspect checks leave from the sending thread: no bundler may sit in between. */
class SealedUdpTest {

    private static Links twoLinks() throws Exception {
        Map<Integer, SortedMap<Integer, InetAddress>> n = new TreeMap<>();
        for (int id = 1; id <= 2; id++) {
            SortedMap<Integer, InetAddress> l = new TreeMap<>();
            l.put(0, InetAddress.getByName("127.0.10." + id));
            l.put(1, InetAddress.getByName("127.0.11." + id));
            n.put(id, l);
        }
        return new Links(n, Map.of(), false);
    }

    private static SealedUdp udp(Links links) {
        SealedUdp udp = new SealedUdp(DatagramSeal.forGroup(new byte[128], "sealed-udp-test"), links, 1, 17_321, 100);
        udp.setBindAddress(links.nodes().get(1).get(0));
        return udp;
    }

    private static JChannel channel(SealedUdp udp) throws Exception {
        return new JChannel(List.of(udp, new UNICAST3()));
    }

    @Test
    void severalLinksWithABundlerAreRefusedAtStartUp() throws Exception {
        Exception e = assertThrows(Exception.class, () -> channel(udp(twoLinks())).close());
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof IllegalStateException)) {
            cause = cause.getCause();
        }
        assertTrue(cause.getMessage().contains("without a bundler"), cause.toString());
    }

    @Test
    void severalLinksWithoutABundlerAreAccepted() throws Exception {
        SealedUdp udp = udp(twoLinks());
        udp.setBundlerType("no-bundler");
        assertDoesNotThrow(() -> channel(udp).close());
    }
}
