package org.pmxcfs.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A copy of this machine's root to install packages into: an overlay of {@code /} whose changes
 * go to a tmpfs, with its own /dev, /proc, /run and /tmp, in a mount namespace of its own held by
 * one {@code sleep} process. Commands run chrooted into it ({@link #run}); nothing reaches the
 * real root, and ending the holder (and whatever was started inside) drops every mount at once.
 */
final class ThrowawayRoot implements AutoCloseable {

    static final long COMMAND_TIMEOUT_MS = 120_000;

    private final Path dir;
    private final Process holder;
    private final long nsPid;

    private ThrowawayRoot(Path dir, Process holder, long nsPid) {
        this.dir = dir;
        this.holder = holder;
        this.nsPid = nsPid;
    }

    /** Sets the root up under {@code dir} (which must exist and be empty). */
    static ThrowawayRoot create(Path dir) throws IOException {
        String r = dir.resolve("root").toString();
        String rw = dir.resolve("rw").toString();
        String setup = String.join("; ",
                "set -e",
                "mkdir -p " + r + " " + rw,
                "mount -t tmpfs tmpfs " + rw,
                "mkdir " + rw + "/upper " + rw + "/work",
                "mount -t overlay overlay -o lowerdir=/,upperdir=" + rw + "/upper,workdir=" + rw + "/work " + r,
                "mount --rbind /dev " + r + "/dev",
                "mount -t proc proc " + r + "/proc",
                "mount -t tmpfs tmpfs " + r + "/run",
                "mount -t tmpfs tmpfs " + r + "/tmp",
                "echo ready $$",
                // bounded: a test that forgets to close its root does not leave it for ever
                "exec sleep 900");
        Process p = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "--fork", "sh", "-c", setup)
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = lines.readLine();
        if (line == null || !line.startsWith("ready ")) {
            p.destroyForcibly();
            throw new IOException("could not set up the throwaway root: " + line);
        }
        return new ThrowawayRoot(dir, p, Long.parseLong(line.substring(6).trim()));
    }

    /** A path of the root as seen from inside, e.g. {@code /etc/pve}, as the host reaches it. */
    Path path(String inside) {
        return Path.of("/proc", Long.toString(nsPid), "root").resolve(dir.resolve("root").toString().substring(1))
                .resolve(inside.substring(1));
    }

    /** Runs {@code sh -c script} chrooted into the root; output and error together. */
    Command.Result run(String script) throws IOException, InterruptedException {
        return Command.run(List.of("nsenter", "-t", Long.toString(nsPid), "-m", "--", "chroot",
                dir.resolve("root").toString(), "sh", "-c", script), COMMAND_TIMEOUT_MS);
    }

    /** Whether a mount point of the root (inside path) is mounted, in the root's namespace. */
    boolean isMounted(String inside) throws IOException {
        String target = dir.resolve("root").resolve(inside.substring(1)).toString();
        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(nsPid), "mountinfo"))) {
            String[] f = l.split(" ");
            if (f.length > 4 && f[4].equals(target)) {
                return true;
            }
        }
        return false;
    }

    /** Ends the holder; the caller stops what it started inside first (a live process keeps the mounts). */
    @Override
    public void close() {
        ProcessHandle.of(nsPid).ifPresent(ProcessHandle::destroy);
        holder.destroy();
        try {
            if (!holder.waitFor(10, TimeUnit.SECONDS)) {
                holder.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
