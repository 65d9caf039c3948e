package org.pmxcfs.pvecm;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cluster's SSH trust as {@code PVE::Cluster::Setup} keeps it: every node's root key in
 * {@code priv/authorized_keys} of the tree, which {@code /root/.ssh/authorized_keys} links to;
 * every node's host key in {@code priv/known_hosts} (by name and IP) and in
 * {@code nodes/<node>/ssh_known_hosts}; {@code /etc/ssh/ssh_known_hosts} once linked to
 * {@code priv/known_hosts} (legacy, undone by {@link #unmergeKnownHosts}).
 *
 * <p>The host's files are looked up below {@code root} (normally {@code /}), so that tests
 * never touch the real {@code /root}. Problems with the host's files are warnings, as in the
 * original: the cluster works without SSH, migrations need it.
 */
public final class SshTrust {

    private static final Pattern AUTH_KEY = Pattern.compile("(^|\\s)(ssh-\\S+|ecdsa-\\S+)\\s+(\\S+)(\\s+\\S+)?$");
    private static final Pattern HOST_KEY = Pattern.compile("(?m)^(ssh-rsa\\s\\S+)(\\s.*)?$");
    private static final String SSH_CONFIG = "Ciphers aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,"
            + "aes256-gcm@openssh.com,chacha20-poly1305@openssh.com\n";

    private final Path mountpoint;
    private final Path root;
    private final PrintStream err;

    /**
     * @param mountpoint the tree
     * @param root       where the host's {@code /root} and {@code /etc/ssh} are ({@code /} on a node)
     * @param err        where warnings go
     */
    public SshTrust(Path mountpoint, Path root, PrintStream err) {
        this.mountpoint = mountpoint;
        this.root = root;
        this.err = err;
    }

    private Path sshDir() {
        return root.resolve("root/.ssh");
    }

    private Path rootAuthKeys() {
        return sshDir().resolve("authorized_keys");
    }

    private Path rootAuthKeysBackup() {
        return sshDir().resolve("authorized_keys.org");
    }

    private Path clusterAuthKeys() {
        return mountpoint.resolve("priv/authorized_keys");
    }

    private Path clusterKnownHosts() {
        return mountpoint.resolve("priv/known_hosts");
    }

    private Path globalKnownHosts() {
        return root.resolve("etc/ssh/ssh_known_hosts");
    }

    /** {@code setup_rootsshconfig}: root's RSA key (ssh-keygen, 4096 bits) and ssh config, if missing. */
    public void setupRootSshConfig() throws IOException, InterruptedException {
        Files.createDirectories(sshDir());
        Path key = sshDir().resolve("id_rsa");
        if (!Files.exists(key.resolveSibling("id_rsa.pub"))) {
            Process p;
            try {
                p = new ProcessBuilder("ssh-keygen", "-q", "-t", "rsa", "-N", "", "-b", "4096", "-f", key.toString())
                        .redirectErrorStream(true).start();
            } catch (IOException e) {
                err.print("unable to create the root SSH key '" + key + "' - " + e.getMessage() + "\n");
                return;
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                err.print("unable to create the root SSH key '" + key + "' - ssh-keygen: " + out.strip() + "\n");
            }
        }
        Path config = sshDir().resolve("config");
        if (!Files.exists(config)) {
            Files.writeString(config, SSH_CONFIG);
            Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r-----"));
        }
    }

    /**
     * {@code setup_ssh_keys}: {@code priv/authorized_keys} made from root's own file if missing;
     * root's file kept as {@code authorized_keys.org} and replaced by a link to the tree's. The
     * backup goes only once {@link #mergeKeys} took it in: a join replaces the tree in between
     * (the original loses root's earlier keys there).
     */
    public void setupSshKeys() throws IOException {
        Files.createDirectories(mountpoint.resolve("priv"));
        if (!Files.exists(clusterAuthKeys())) {
            byte[] old = Files.isRegularFile(rootAuthKeys()) ? Files.readAllBytes(rootAuthKeys()) : new byte[0];
            NodeFiles.writeFile(clusterAuthKeys(), old);
        }
        Files.createDirectories(sshDir());
        if (Files.exists(rootAuthKeys(), LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(rootAuthKeys())) {
            Files.move(rootAuthKeys(), rootAuthKeysBackup(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isSymbolicLink(rootAuthKeys())) {
            try {
                Files.createSymbolicLink(rootAuthKeys(), clusterAuthKeys());
            } catch (IOException e) {
                err.print("can't create symlink for ssh keys '" + rootAuthKeys() + "' -> '" + clusterAuthKeys() + "'\n");
            }
        }
    }

    /**
     * {@code ssh_merge_keys}: the tree's authorized keys, a left-over backup of root's own and
     * this node's public key, each key once, into {@code priv/authorized_keys}.
     */
    public void mergeKeys() throws IOException {
        StringBuilder data = new StringBuilder();
        appendLines(data, clusterAuthKeys());
        boolean backup = appendLines(data, rootAuthKeysBackup());
        appendLines(data, sshDir().resolve("id_rsa.pub"));
        StringBuilder merged = new StringBuilder();
        Set<String> seen = new HashSet<>();
        for (String line : data.toString().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Matcher m = AUTH_KEY.matcher(line);
            if (!line.startsWith("#") && m.find() && !seen.add(m.group(3))) {
                continue;
            }
            merged.append(line).append('\n');
        }
        NodeFiles.writeFile(clusterAuthKeys(), merged.toString());
        if (backup && Files.isSymbolicLink(rootAuthKeys())) {
            Files.deleteIfExists(rootAuthKeysBackup());
        }
    }

    private static boolean appendLines(StringBuilder to, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        to.append(Files.readString(file, StandardCharsets.UTF_8).stripTrailing()).append('\n');
        return true;
    }

    /**
     * {@code ssh_merge_known_hosts}: this node's host key under its name and IP (lower case, as
     * ssh compares) added to {@code priv/known_hosts} unless there; the lines of a non-linked
     * {@code /etc/ssh/ssh_known_hosts} merged in. Nothing without a host key (warned).
     */
    public void mergeKnownHosts(String nodename, String ip) throws IOException {
        String hostKey = hostKey();
        if (hostKey == null) {
            return;
        }
        String name = nodename.toLowerCase(Locale.ROOT);
        String addr = ip.toLowerCase(Locale.ROOT);
        StringBuilder data = new StringBuilder();
        Set<String> hosts = new HashSet<>();
        boolean[] found = new boolean[2];
        if (Files.isRegularFile(clusterKnownHosts())) {
            merge(Files.readString(clusterKnownHosts()), true, data, hosts, name, addr, hostKey, found);
        }
        if (Files.isRegularFile(globalKnownHosts()) && !Files.isSymbolicLink(globalKnownHosts())) {
            merge(Files.readString(globalKnownHosts()), false, data, hosts, name, addr, hostKey, found);
        }
        if (!found[0]) {
            data.append(name).append(' ').append(hostKey).append('\n');
        }
        if (!found[1]) {
            data.append(addr).append(' ').append(hostKey).append('\n');
        }
        NodeFiles.writeFile(clusterKnownHosts(), data.toString());
    }

    private static void merge(String text, boolean all, StringBuilder data, Set<String> hosts, String name,
                              String addr, String hostKey, boolean[] found) {
        Pattern entry = Pattern.compile("^(\\S+)\\s(ssh-rsa\\s\\S+)(\\s.*)?$");
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = entry.matcher(line);
            if (m.matches()) {
                String host = m.group(1).toLowerCase(Locale.ROOT);
                if (!hosts.add(host)) {
                    continue;
                }
                if (host.equals(addr)) {
                    found[1] |= m.group(2).equals(hostKey);
                } else if (host.equals(name)) {
                    found[0] |= m.group(2).equals(hostKey);
                }
                data.append(line).append('\n');
            } else if (all) {
                data.append(line).append('\n');
            }
        }
    }

    /** {@code ssh_unmerge_known_hosts}: a linked {@code /etc/ssh/ssh_known_hosts} becomes a copy again. */
    public void unmergeKnownHosts() throws IOException {
        if (!Files.isSymbolicLink(globalKnownHosts())) {
            return;
        }
        byte[] old = Files.isRegularFile(clusterKnownHosts()) ? Files.readAllBytes(clusterKnownHosts()) : new byte[0];
        Files.delete(globalKnownHosts());
        Files.write(globalKnownHosts(), old);
    }

    /** {@code ssh_create_node_known_hosts}: {@code nodes/<node>/ssh_known_hosts} with this node's host key. */
    public void createNodeKnownHosts(String nodename) throws IOException {
        String hostKey = hostKey();
        if (hostKey != null) {
            Path f = mountpoint.resolve("nodes/" + nodename + "/ssh_known_hosts");
            Files.createDirectories(f.getParent());
            NodeFiles.writeFile(f, nodename + " " + hostKey + "\n");
        }
    }

    /** The {@code ssh-rsa <key>} of {@code /etc/ssh/ssh_host_rsa_key.pub}; null (warned) without one. */
    private String hostKey() throws IOException {
        Path f = root.resolve("etc/ssh/ssh_host_rsa_key.pub");
        Matcher m = Files.isRegularFile(f) ? HOST_KEY.matcher(Files.readString(f)) : null;
        if (m == null || !m.find()) {
            err.print("can't parse " + f + " - SSH host key not merged (is openssh-server installed?)\n");
            return null;
        }
        return m.group(1);
    }
}
