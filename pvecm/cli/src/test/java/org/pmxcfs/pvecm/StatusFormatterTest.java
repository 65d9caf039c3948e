package org.pmxcfs.pvecm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The layouts of reference 4.6, byte for byte. */
class StatusFormatterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ZonedDateTime WHEN = ZonedDateTime.of(2021, 9, 14, 11, 6, 47, 0, ZoneId.of("UTC"));

    /** The reference's 4-node example, members deliberately out of order. */
    static JsonNode fourNodes() throws Exception {
        return JSON.readTree("""
                {"cluster_name":"prod-central","config_version":3,"node_id":1,"node_name":"pve1","secauth":true,
                 "quorate":true,"expected_votes":4,"highest_expected":4,"total_votes":4,"quorum":3,
                 "flags":"Quorate","ring_id":"1.1a8","members":[
                  {"nodeid":3,"name":"pve3","votes":1,"ip":"192.168.15.93","online":true,"local":false},
                  {"nodeid":1,"name":"pve1","votes":1,"ip":"192.168.15.91","online":true,"local":true},
                  {"nodeid":4,"name":"pve4","votes":1,"ip":"192.168.15.94","online":true,"local":false},
                  {"nodeid":2,"name":"pve2","votes":1,"ip":"192.168.15.92","online":true,"local":false}]}
                """);
    }

    @Test
    void statusOfTheReferenceExample() throws Exception {
        Map<String, String> totem = new LinkedHashMap<>();
        totem.put("cluster_name", "prod-central");
        totem.put("config_version", "3");
        totem.put("secauth", "on");
        String text = StatusFormatter.clusterHeader(totem) + StatusFormatter.status(fourNodes(), WHEN);
        assertEquals("""
                Cluster information
                -------------------
                Name:             prod-central
                Config Version:   3
                Transport:        knet
                Secure auth:      on

                Quorum information
                ------------------
                Date:             Tue Sep 14 11:06:47 2021
                Quorum provider:  corosync_votequorum
                Nodes:            4
                Node ID:          0x00000001
                Ring ID:          1.1a8
                Quorate:          Yes

                Votequorum information
                ----------------------
                Expected votes:   4
                Highest expected: 4
                Total votes:      4
                Quorum:           3 \s
                Flags:            Quorate\s

                Membership information
                ----------------------
                    Nodeid      Votes Name
                0x00000001          1 192.168.15.91 (local)
                0x00000002          1 192.168.15.92
                0x00000003          1 192.168.15.93
                0x00000004          1 192.168.15.94
                """, text);
    }

    /** Two nodes and a QDevice (reference 4.6/4.8: expected 3, quorum 2), as corosync-quorumtool -siH prints it. */
    @Test
    void qdeviceColumnAndRow() throws Exception {
        JsonNode q = JSON.readTree("""
                {"node_id":1,"quorate":true,"expected_votes":3,"highest_expected":3,"total_votes":3,"quorum":2,
                 "flags":"Quorate Qdevice","ring_id":"1.13","qdevice":{"votes":1,"casting":true},"members":[
                  {"nodeid":2,"name":"hp2","votes":1,"ip":"10.0.0.2","online":true,"local":false,"qdevice":"A,V,NMW"},
                  {"nodeid":1,"name":"hp1","votes":1,"ip":"10.0.0.1","online":true,"local":true,"qdevice":"A,V,NMW"}]}
                """);
        assertEquals(true, StatusFormatter.status(q, WHEN).endsWith("""
                Votequorum information
                ----------------------
                Expected votes:   3
                Highest expected: 3
                Total votes:      3
                Quorum:           2 \s
                Flags:            Quorate Qdevice\s

                Membership information
                ----------------------
                    Nodeid      Votes    Qdevice Name
                0x00000001          1    A,V,NMW 10.0.0.1 (local)
                0x00000002          1    A,V,NMW 10.0.0.2
                0x00000000          1            Qdevice
                """), StatusFormatter.status(q, WHEN));
        // not casting (qnetd lost or the other half won): 0 votes, the configured ones in brackets
        JsonNode lost = JSON.readTree(q.toString().replace("\"casting\":true", "\"casting\":false")
                .replace("A,V,NMW", "NA,NV,NMW"));
        assertEquals(true, StatusFormatter.status(lost, WHEN).endsWith("""
                0x00000001          1  NA,NV,NMW 10.0.0.1 (local)
                0x00000002          1  NA,NV,NMW 10.0.0.2
                0x00000000          0            Qdevice (votes 1)
                """), StatusFormatter.status(lost, WHEN));
        assertEquals(true, StatusFormatter.nodes(q).endsWith("""
                    Nodeid      Votes    Qdevice Name
                         1          1    A,V,NMW hp1 (local)
                         2          1    A,V,NMW hp2
                         0          1            Qdevice
                """), StatusFormatter.nodes(q));
    }

    @Test
    void quorumLineIsNumberSpaceSpaceWhenQuorate() throws Exception {
        String text = StatusFormatter.status(fourNodes(), WHEN);
        assertEquals(true, text.contains("\nQuorum:           3  \n"));
        assertEquals(true, text.contains("\nFlags:            Quorate \n"));
    }

    @Test
    void notQuorateBlocksActivityAndShowsOnlyOnlineMembers() throws Exception {
        JsonNode q = JSON.readTree("""
                {"node_id":2,"quorate":false,"expected_votes":3,"highest_expected":3,"total_votes":1,"quorum":2,
                 "flags":"","ring_id":"2.5","members":[
                  {"nodeid":1,"name":"hp1","votes":1,"ip":"10.0.0.1","online":false,"local":false},
                  {"nodeid":2,"name":"hp2","votes":1,"ip":"10.0.0.2","online":true,"local":true},
                  {"nodeid":3,"name":"hp3","votes":1,"ip":"10.0.0.3","online":false,"local":false}]}
                """);
        String text = StatusFormatter.status(q, WHEN);
        assertEquals(true, text.contains("\nNodes:            1\nNode ID:          0x00000002\nRing ID:          2.5\n"
                + "Quorate:          No\n"), text);
        assertEquals(true, text.contains("\nQuorum:           2 Activity blocked\nFlags:            \n"), text);
        assertEquals(true, text.endsWith("    Nodeid      Votes Name\n0x00000002          1 10.0.0.2 (local)\n"), text);
    }

    @Test
    void flagsInQuorumtoolOrderEachFollowedByASpace() throws Exception {
        JsonNode q = JSON.readTree("""
                {"node_id":1,"quorate":true,"expected_votes":2,"highest_expected":2,"total_votes":2,"quorum":1,
                 "flags":"2Node Quorate WaitForAll","ring_id":"1.2","members":[]}
                """);
        assertEquals(true, StatusFormatter.status(q, WHEN).contains("\nFlags:            2Node Quorate WaitForAll \n"));
    }

    @Test
    void nodesListsDecimalIdsAndNames() throws Exception {
        JsonNode q = JSON.readTree("""
                {"node_id":2,"quorate":true,"members":[
                  {"nodeid":3,"name":"hp3","votes":1,"ip":"10.0.0.3","online":true,"local":false},
                  {"nodeid":1,"name":"hp1","votes":1,"ip":"10.0.0.1","online":true,"local":false},
                  {"nodeid":2,"name":"hp2","votes":1,"ip":"10.0.0.2","online":true,"local":true}]}
                """);
        assertEquals("""

                Membership information
                ----------------------
                    Nodeid      Votes Name
                         1          1 hp1
                         2          1 hp2 (local)
                         3          1 hp3
                """, StatusFormatter.nodes(q));
    }

    @Test
    void membersAreSortedByAddressNumerically() throws Exception {
        JsonNode q = JSON.readTree("""
                {"node_id":1,"members":[
                  {"nodeid":1,"name":"a","votes":1,"ip":"10.0.0.10","online":true,"local":true},
                  {"nodeid":2,"name":"b","votes":1,"ip":"10.0.0.9","online":true,"local":false},
                  {"nodeid":3,"name":"c","votes":2,"ip":"fd00::1","online":true,"local":false},
                  {"nodeid":12,"name":"d","votes":1,"ip":"9.1.1.1","online":true,"local":false}]}
                """);
        assertEquals("""

                Membership information
                ----------------------
                    Nodeid      Votes Name
                        12          1 d
                         2          1 b
                         1          1 a (local)
                         3          2 c
                """, StatusFormatter.nodes(q));
    }

    @Test
    void wideNodeIdsAndHexPadding() throws Exception {
        JsonNode q = JSON.readTree("""
                {"node_id":4294967295,"quorate":true,"expected_votes":1,"highest_expected":1,"total_votes":1,
                 "quorum":1,"flags":"Quorate","ring_id":"1.1","members":[
                  {"nodeid":4294967295,"name":"big","votes":1,"ip":"10.0.0.1","online":true,"local":true}]}
                """);
        assertEquals(true, StatusFormatter.status(q, WHEN).contains("Node ID:          0xffffffff\n"));
        assertEquals(true, StatusFormatter.nodes(q).endsWith("4294967295          1 big (local)\n"));
    }

    @Test
    void dateIsCtimeWithSpacePaddedDayInTheGivenZone() {
        ZonedDateTime d = ZonedDateTime.of(2024, 3, 4, 1, 2, 3, 0, ZoneId.of("Europe/Vienna"));
        assertEquals("Mon Mar  4 01:02:03 2024", StatusFormatter.CTIME.format(d));
    }

    @Test
    void headerDefaultsForMissingTotemKeys() {
        assertEquals("""
                Cluster information
                -------------------
                Name:             UNKOWN?
                Config Version:   -1
                Transport:        knet
                Secure auth:      off

                """, StatusFormatter.clusterHeader(Map.of("token", "3000")));
        assertEquals("", StatusFormatter.clusterHeader(Map.of()));
        assertEquals("", StatusFormatter.clusterHeader(null));
        assertEquals(true, StatusFormatter.clusterHeader(Map.of("transport", "udpu", "cluster_name", "x"))
                .contains("Transport:        udpu\n"));
    }

    @Test
    void quorumtoolPadding() {
        assertEquals("    Nodeid ", StatusFormatter.padded("Nodeid"));
        assertEquals("         1 ", StatusFormatter.padded("1"));
        assertEquals("12345678901 ", StatusFormatter.padded("12345678901"));
    }

    @Test
    void linksInTheLayoutOfCorosyncCfgtool() throws Exception {
        JsonNode q = JSON.readTree("""
                {"node_id":1,"members":[
                  {"nodeid":2,"local":false,"links":[{"link":0,"address":"10.0.0.2","connected":false},
                                                     {"link":1,"address":"10.1.0.2","connected":true}]},
                  {"nodeid":1,"local":true,"links":[{"link":0,"address":"10.0.0.1","connected":true},
                                                    {"link":1,"address":"10.1.0.1","connected":true}]},
                  {"nodeid":3,"local":false,"links":[{"link":0,"address":"10.0.0.3","connected":false}]}]}
                """);
        assertEquals("""
                Local node ID 1, transport knet
                nodeid: 2 reachable
                   LINK: 0 udp (10.0.0.1->10.0.0.2) enabled disconnected
                   LINK: 1 udp (10.1.0.1->10.1.0.2) enabled connected
                nodeid: 3 unreachable
                   LINK: 0 udp (10.0.0.1->10.0.0.3) enabled disconnected
                """, StatusFormatter.links(q));
    }
}
