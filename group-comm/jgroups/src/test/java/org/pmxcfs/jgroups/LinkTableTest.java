package org.pmxcfs.jgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LinkTableTest {

    private static final long MS = 1_000_000;

    private static Links links(Map<Integer, Integer> priority, boolean active) throws Exception {
        Map<Integer, SortedMap<Integer, InetAddress>> n = new TreeMap<>();
        for (int id = 1; id <= 3; id++) {
            SortedMap<Integer, InetAddress> l = new TreeMap<>();
            l.put(0, InetAddress.getByName("10.0.0." + id));
            l.put(1, InetAddress.getByName("10.1.0." + id));
            if (id != 3) {
                l.put(2, InetAddress.getByName("10.2.0." + id)); // node 3 has no link 2
            }
            n.put(id, l);
        }
        return new Links(n, priority, active);
    }

    @Test
    void passiveUsesTheBestLinkThatIsUpAndFailsOverAndBack() throws Exception {
        LinkTable t = new LinkTable(links(Map.of(1, 20, 0, 10), false), 1, 400 * MS);
        assertEquals(List.of(0, 1, 2), t.route(2), "nothing known yet: every common link");
        assertEquals(new LinkTable.Change(2, 0, true), t.heard(2, 0, 0));
        assertNull(t.heard(2, 0, 100 * MS), "already up");
        assertEquals(List.of(0), t.route(2));
        t.heard(2, 1, 100 * MS);
        assertEquals(List.of(1), t.route(2), "link 1 has the higher priority");
        t.heard(2, 0, 500 * MS);
        assertEquals(List.of(new LinkTable.Change(2, 1, false)), t.expire(600 * MS));
        assertEquals(List.of(0), t.route(2), "failed over to link 0");
        t.heard(2, 1, 700 * MS);
        assertEquals(List.of(1), t.route(2), "and back");
        assertEquals(List.of(0, 1), t.route(3), "only the links both nodes have");
    }

    @Test
    void activeUsesEveryLinkThatIsUp() throws Exception {
        LinkTable t = new LinkTable(links(Map.of(), true), 1, 400 * MS);
        t.heard(2, 0, 0);
        t.heard(2, 2, 0);
        assertEquals(List.of(0, 2), t.route(2));
        assertEquals(List.of(new LinkTable.Change(2, 0, false), new LinkTable.Change(2, 2, false)).size(),
                t.expire(500 * MS).size());
        assertEquals(List.of(0, 1, 2), t.route(2), "all lost: try every link");
    }

    @Test
    void equalPrioritiesPreferTheLowestLinkNumber() throws Exception {
        LinkTable t = new LinkTable(links(Map.of(), false), 1, 400 * MS);
        t.heard(2, 2, 0);
        t.heard(2, 1, 0);
        assertEquals(List.of(1), t.route(2));
    }
}
