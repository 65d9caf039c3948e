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
        t.heard(2, 1, 800 * MS);
        assertEquals(List.of(0), t.route(2), "two pings in a row are not enough to come back");
        assertEquals(new LinkTable.Change(2, 1, true), t.heard(2, 1, 900 * MS));
        assertEquals(List.of(1), t.route(2), "and back after three");
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

    @Test
    void aFlappingLinkNeverTakesTheTrafficBack() throws Exception {
        LinkTable t = new LinkTable(links(Map.of(1, 20, 0, 10), false), 1, 400 * MS);
        long now = 0;
        t.heard(2, 1, now);
        for (int flap = 0; flap < 10; flap++) {
            for (int i = 0; i < 6; i++) { // link 0 steady: a ping every 100 ms
                now += 100 * MS;
                t.heard(2, 0, now);
            }
            t.expire(now); // link 1 silent for 600 ms: down
            assertEquals(List.of(0), t.route(2), "flap " + flap);
            now += 100 * MS;
            t.heard(2, 0, now);
            assertNull(t.heard(2, 1, now), "one ping after an outage does not bring it back");
            now += 100 * MS;
            t.heard(2, 0, now);
            assertNull(t.heard(2, 1, now), "nor two");
            assertEquals(List.of(0), t.route(2));
        }
    }

    @Test
    void pingsFurtherApartThanHalfTheTimeoutDoNotCountAsInARow() throws Exception {
        LinkTable t = new LinkTable(links(Map.of(), false), 1, 400 * MS);
        t.heard(2, 0, 0);
        t.expire(500 * MS);
        assertNull(t.heard(2, 0, 600 * MS));
        assertNull(t.heard(2, 0, 900 * MS), "300 ms gap: the streak starts again");
        assertNull(t.heard(2, 0, 1000 * MS));
        assertEquals(new LinkTable.Change(2, 0, true), t.heard(2, 0, 1100 * MS));
    }
}
