package org.pmxcfs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.pmxcfs.corosync.CorosyncConf;
import org.pmxcfs.jgroups.TotemTimings;

class TotemSettingsTest {

    /** Three nodes with the totem options given (as pvecm create writes them: token_coefficient 125). */
    private static CorosyncConf conf(String totemOptions) throws Exception {
        return conf(3, totemOptions);
    }

    private static CorosyncConf conf(int nodes, String totemOptions) throws Exception {
        StringBuilder s = new StringBuilder("nodelist {\n");
        for (int i = 1; i <= nodes; i++) {
            s.append("  node {\n    name: n").append(i).append("\n    nodeid: ").append(i)
                    .append("\n    quorum_votes: 1\n    ring0_addr: 127.0.0.").append(i).append("\n  }\n");
        }
        s.append("}\n\nquorum {\n  provider: corosync_votequorum\n}\n\n")
                .append("totem {\n  cluster_name: c\n  config_version: 1\n  interface {\n    linknumber: 0\n  }\n")
                .append("  secauth: off\n  token_coefficient: 125\n").append(totemOptions).append("  version: 2\n}\n");
        return CorosyncConf.parse(s.toString());
    }

    @Test
    void consensusDefaultsToCorosyncs1point2TimesTheTokenWithItsCoefficient() throws Exception {
        TotemTimings t = TotemSettings.timings(conf(""));
        assertEquals(Duration.ofMillis(3125), t.token(), "token 3000 + 1 node beyond two x 125");
        assertEquals(Duration.ofMillis(3750), t.consensus());
        assertEquals(Duration.ofMillis(12_150), TotemSettings.timings(conf("  token: 10000\n")).consensus(),
                "1.2 x (10000 + 125)");
    }

    @Test
    void aConfiguredConsensusIsHonoured() throws Exception {
        assertEquals(Duration.ofMillis(6000), TotemSettings.timings(conf("  consensus: 6000\n")).consensus());
    }

    @Test
    void aConsensusBelowCorosyncsMinimumIsRefusedWithWhatToDo() {
        IOException e = assertThrows(IOException.class, () -> TotemSettings.timings(conf("  consensus: 2000\n")));
        assertTrue(e.getMessage().contains("totem.consensus 2000 ms is less than 1.2 x token (3750 ms"), e.getMessage());
        assertTrue(e.getMessage().contains("raise it or remove it"), e.getMessage());
    }

    @Test
    void aJoiningNodeWaitsForTheCoordinatorAsLongAsTheTokenOfALargeCluster() throws Exception {
        assertEquals(Duration.ofMillis(2083), TotemSettings.timings(conf("")).joinTimeout(),
                "3 nodes: about JGroups' 2 s, which a node alone also waits for discovery answers");
        assertEquals(Duration.ofMillis(2000), TotemSettings.timings(conf("  token: 1000\n")).joinTimeout(),
                "never below JGroups' 2 s");
        TotemTimings big = TotemSettings.timings(conf(32, ""));
        assertEquals(Duration.ofMillis(6750), big.token(), "3000 + 30 nodes beyond two x 125");
        assertEquals(Duration.ofMillis(4500), big.joinTimeout(),
                "a coordinator of 32 busy members answered a JOIN after more than 2 s: three attempts failed");
    }
}
