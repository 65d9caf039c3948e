package org.pmxcfs.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pmxcfs.corosync.CorosyncLink;

class AddNodeRequestTest {

    @Test
    void parsesEveryParameter() throws Exception {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("link0", "address=10.0.0.2,priority=5");
        p.put("link1", "10.1.0.2");
        p.put("nodeid", "4");
        p.put("votes", "0");
        p.put("force", "1");
        p.put("new_node_ip", "10.0.0.2");
        p.put("apiversion", "1");
        AddNodeRequest r = AddNodeRequest.fromParams("pve2", p);
        assertEquals(new CorosyncLink("10.0.0.2", 5), r.links().get(0));
        assertEquals(CorosyncLink.of("10.1.0.2"), r.links().get(1));
        assertEquals(4, r.nodeid().getAsLong());
        assertEquals(0, r.votes().getAsInt());
        assertTrue(r.force());
        assertEquals("10.0.0.2", r.newNodeIp().get());
        assertEquals(1, r.apiversion().getAsLong());
        assertEquals(r, AddNodeRequest.fromParams("pve2", r.toParams()));
    }

    @Test
    void defaultsAreEmpty() throws Exception {
        AddNodeRequest r = AddNodeRequest.fromParams("pve2", Map.of());
        assertTrue(r.links().isEmpty());
        assertTrue(r.nodeid().isEmpty());
        assertTrue(r.votes().isEmpty());
        assertFalse(r.force());
        assertEquals(Map.of(), r.toParams());
    }

    @Test
    void badParametersAreNamed() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("nodeid", "0");
        p.put("votes", "x");
        p.put("link0", "10.0.0.2,priority=300");
        p.put("new_node_ip", "pve2.example");
        p.put("bogus", "1");
        JoinException e = assertThrows(JoinException.class, () -> AddNodeRequest.fromParams("../etc", p));
        assertEquals(400, e.status());
        assertEquals("Parameter verification failed.", e.getMessage());
        assertEquals("value must have a minimum value of 1", e.details().get("nodeid"));
        assertEquals("type check ('integer') failed - got 'x'", e.details().get("votes"));
        assertTrue(e.details().get("link0").contains("priority"));
        assertEquals("value does not look like a valid IP address", e.details().get("new_node_ip"));
        assertTrue(e.details().containsKey("bogus"));
        assertEquals(NodeName.PROBLEM, e.details().get("node"));
    }

    @Test
    void linkSyntax() {
        assertEquals(CorosyncLink.of("pve2.example"), LinkArg.parse("pve2.example"));
        assertEquals(CorosyncLink.of("fd00::2"), LinkArg.parse("address=fd00::2"));
        assertThrows(IllegalArgumentException.class, () -> LinkArg.parse("10.0.0.2,10.0.0.3"));
        assertThrows(IllegalArgumentException.class, () -> LinkArg.parse("address=a b"));
        assertThrows(IllegalArgumentException.class, () -> LinkArg.parse("priority=3"));
        assertEquals("address=10.0.0.2,priority=9", LinkArg.format(new CorosyncLink("10.0.0.2", 9)));
    }
}
