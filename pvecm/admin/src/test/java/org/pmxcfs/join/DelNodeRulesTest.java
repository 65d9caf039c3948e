package org.pmxcfs.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.corosync.NodeEntry;

class DelNodeRulesTest {

    private final CorosyncConf conf;

    DelNodeRulesTest() throws Exception {
        conf = AddNodeRulesTest.conf(List.of(0, 1), "on", "pve1:1:10.0.0.1:10.1.0.1", "pve2:2:10.0.0.2:10.1.0.2",
                "pve3:3:10.0.0.3:10.1.0.3");
    }

    private List<String> names(CorosyncConf c) {
        return c.nodes().stream().map(NodeEntry::name).toList();
    }

    @Test
    void byNameRing0OrRing1() throws Exception {
        assertEquals(List.of("pve1", "pve3"), names(DelNodeRules.plan(conf, "pve2", "pve1").conf()));
        assertEquals("pve3", DelNodeRules.plan(conf, "10.0.0.3", "pve1").removed().name());
        assertEquals("pve2", DelNodeRules.plan(conf, "10.1.0.2", "pve1").removed().name());
    }

    @Test
    void unknownHost() {
        assertEquals("Node/IP: pve9 is not a known host of the cluster.",
                assertThrows(JoinException.class, () -> DelNodeRules.plan(conf, "pve9", "pve1")).getMessage());
    }

    @Test
    void notMyself() {
        assertEquals("Cannot delete myself from cluster!",
                assertThrows(JoinException.class, () -> DelNodeRules.plan(conf, "pve1", "pve1")).getMessage());
        assertEquals("Cannot delete myself from cluster!",
                assertThrows(JoinException.class, () -> DelNodeRules.plan(conf, "10.0.0.1", "pve1")).getMessage());
    }

    @Test
    void configVersionIsLeftToTheWriter() throws Exception {
        assertEquals(4, DelNodeRules.plan(conf, "pve2", "pve1").conf().configVersion().getAsLong());
    }
}
