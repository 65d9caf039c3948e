package org.pmxcfs.pvecm;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pmxcfs.quorum.QuorumFlag;
import org.pmxcfs.quorum.QuorumStatus;

/**
 * The texts of {@code pvecm status} and {@code pvecm nodes} (reference 4.6): pvecm's
 * "Cluster information" header from the totem section, then what
 * {@code corosync-quorumtool -siH} and {@code -l} print, built from the daemon's
 * {@code get_quorum_status} answer. Pure: the caller passes the time.
 */
public final class StatusFormatter {

    /** C {@code ctime()} without the newline, in the C locale: {@code Tue Sep 14 11:06:47 2021}. */
    static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);

    private StatusFormatter() {
    }

    /**
     * pvecm's own header (labels padded to 17 characters plus a space), or {@code ""} if there is
     * no totem section. Defaults for missing keys as in pvecm, including its {@code UNKOWN?}.
     *
     * @param totem the totem section's keys and values (last one wins), empty or null if none
     */
    public static String clusterHeader(Map<String, String> totem) {
        if (totem == null || totem.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        sb.append("Cluster information\n");
        sb.append("-------------------\n");
        label(sb, "Name:", totem.getOrDefault("cluster_name", "UNKOWN?"));
        label(sb, "Config Version:", totem.getOrDefault("config_version", "-1"));
        label(sb, "Transport:", totem.getOrDefault("transport", "knet"));
        label(sb, "Secure auth:", totem.getOrDefault("secauth", "off"));
        sb.append('\n');
        return sb.toString();
    }

    private static void label(StringBuilder sb, String label, String value) {
        sb.append(String.format("%-17s %s", label, value)).append('\n');
    }

    /**
     * What {@code corosync-quorumtool -siH} prints: quorum, votequorum and membership
     * information, node ids in hex, members by their IP address.
     *
     * @param q   the {@code get_quorum_status} result
     * @param now the time for the {@code Date:} line, in the zone to print
     */
    public static String status(JsonNode q, ZonedDateTime now) {
        List<JsonNode> members = onlineMembers(q);
        QuorumStatus st = quorumStatus(q);
        StringBuilder sb = new StringBuilder();
        sb.append("Quorum information\n");
        sb.append("------------------\n");
        sb.append("Date:             ").append(CTIME.format(now)).append('\n');
        sb.append("Quorum provider:  corosync_votequorum\n");
        sb.append("Nodes:            ").append(members.size()).append('\n');
        sb.append("Node ID:          ").append(hex(q.path("node_id").asLong())).append('\n');
        sb.append("Ring ID:          ").append(q.path("ring_id").asText("")).append('\n');
        sb.append("Quorate:          ").append(q.path("quorate").asBoolean() ? "Yes" : "No").append('\n');
        sb.append('\n');
        sb.append("Votequorum information\n");
        sb.append("----------------------\n");
        sb.append("Expected votes:   ").append(st.expectedVotes()).append('\n');
        sb.append("Highest expected: ").append(st.highestExpected()).append('\n');
        sb.append("Total votes:      ").append(st.totalVotes()).append('\n');
        sb.append("Quorum:           ").append(st.quorumText()).append('\n');
        sb.append("Flags:            ").append(st.flagsText()).append('\n');
        sb.append(membership(members, true, q.path("qdevice")));
        return sb.toString();
    }

    /** What {@code corosync-quorumtool -l} prints: decimal node ids, names from the nodelist. */
    public static String nodes(JsonNode q) {
        return membership(onlineMembers(q), false, q.path("qdevice"));
    }

    /**
     * The membership table. With a device (the answer has a {@code qdevice} object) quorumtool
     * adds a {@code Qdevice} column with each node's device flags and a last row for the device
     * itself: node id 0, its votes if it casts them now (else 0 and {@code (votes N)} after the name).
     */
    private static String membership(List<JsonNode> members, boolean hexAndIp, JsonNode device) {
        boolean withDevice = device.isObject();
        StringBuilder sb = new StringBuilder();
        sb.append("\nMembership information\n");
        sb.append("----------------------\n");
        sb.append(padded("Nodeid")).append(padded("Votes")).append(withDevice ? padded("Qdevice") : "").append("Name\n");
        for (JsonNode m : members) {
            long id = m.path("nodeid").asLong();
            sb.append(hexAndIp ? hex(id) + " " : padded(Long.toString(id)));
            sb.append(padded(Long.toString(m.path("votes").asLong())));
            if (withDevice) {
                sb.append(padded(m.path("qdevice").asText("NR")));
            }
            String name = m.path("name").asText("");
            String ip = m.path("ip").asText("");
            sb.append(hexAndIp && !ip.isEmpty() ? ip : name);
            if (m.path("local").asBoolean()) {
                sb.append(" (local)");
            }
            sb.append('\n');
        }
        if (withDevice) {
            boolean casting = device.path("casting").asBoolean();
            long votes = device.path("votes").asLong();
            sb.append(hexAndIp ? hex(0) + " " : padded("0"));
            sb.append(padded(Long.toString(casting ? votes : 0))).append(padded("")).append("Qdevice");
            if (!casting) {
                sb.append(" (votes ").append(votes).append(')');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** quorumtool's {@code print_string_padded}: right-aligned to 10 characters, then a space. */
    static String padded(String s) {
        return " ".repeat(Math.max(0, 10 - s.length())) + s + " ";
    }

    static String hex(long nodeId) {
        return String.format("0x%08x", nodeId);
    }

    /** The votequorum numbers of the answer, for {@link QuorumStatus}'s texts. */
    static QuorumStatus quorumStatus(JsonNode q) {
        Set<QuorumFlag> flags = EnumSet.noneOf(QuorumFlag.class);
        for (String word : q.path("flags").asText("").trim().split("\\s+")) {
            for (QuorumFlag f : QuorumFlag.values()) {
                if (f.label().equals(word)) {
                    flags.add(f);
                }
            }
        }
        boolean quorate = q.path("quorate").asBoolean();
        return new QuorumStatus(q.path("total_votes").asInt(), q.path("expected_votes").asInt(),
                q.path("highest_expected").asInt(), q.path("quorum").asInt(), quorate, false, flags);
    }

    /**
     * The members corosync would list: the online ones, in corosync's order (by address; IPv4
     * before IPv6, numerically; names that are not IP literals last, by text; then by node id).
     */
    static List<JsonNode> onlineMembers(JsonNode q) {
        List<JsonNode> members = new ArrayList<>();
        for (JsonNode m : q.path("members")) {
            if (m.path("online").asBoolean()) {
                members.add(m);
            }
        }
        members.sort(Comparator.comparing((JsonNode m) -> AddressKey.of(m.path("ip").asText("")))
                .thenComparingLong(m -> m.path("nodeid").asLong()));
        return members;
    }

    private record AddressKey(int family, BigInteger value, String text) implements Comparable<AddressKey> {

        static AddressKey of(String address) {
            if (Params.isIp(address)) {
                try {
                    byte[] b = InetAddress.getByName(address).getAddress();
                    return new AddressKey(b.length == 4 ? 0 : 1, new BigInteger(1, b), address);
                } catch (UnknownHostException e) {
                    // not a literal after all: sorted by text below
                }
            }
            return new AddressKey(2, BigInteger.ZERO, address);
        }

        @Override
        public int compareTo(AddressKey o) {
            int c = Integer.compare(family, o.family);
            if (c == 0) {
                c = value.compareTo(o.value);
            }
            return c != 0 ? c : text.compareTo(o.text);
        }
    }

    /**
     * What {@code corosync-cfgtool -n} prints for a knet cluster: this node, then every other
     * node with each of its links, this node's address and the peer's on that link, and whether
     * the link is connected (heard from by the link pings).
     */
    public static String links(JsonNode q) {
        StringBuilder sb = new StringBuilder();
        sb.append("Local node ID ").append(q.path("node_id").asLong()).append(", transport knet\n");
        Map<Integer, String> mine = new java.util.TreeMap<>();
        for (JsonNode m : q.path("members")) {
            if (m.path("local").asBoolean()) {
                for (JsonNode l : m.path("links")) {
                    mine.put(l.path("link").asInt(), l.path("address").asText());
                }
            }
        }
        for (JsonNode m : q.path("members")) {
            if (m.path("local").asBoolean()) {
                continue;
            }
            boolean reachable = false;
            StringBuilder links = new StringBuilder();
            for (JsonNode l : m.path("links")) {
                int link = l.path("link").asInt();
                if (!mine.containsKey(link)) {
                    continue;
                }
                boolean connected = l.path("connected").asBoolean();
                reachable |= connected;
                links.append("   LINK: ").append(link).append(" udp (").append(mine.get(link)).append("->")
                        .append(l.path("address").asText()).append(") enabled ")
                        .append(connected ? "connected" : "disconnected").append('\n');
            }
            sb.append("nodeid: ").append(m.path("nodeid").asLong()).append(reachable ? " reachable" : " unreachable")
                    .append('\n').append(links);
        }
        return sb.toString();
    }
}
