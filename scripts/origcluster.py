"""The original pmxcfs with Debian's corosync 3 as a cluster on this machine, for the side-by-side
benchmark (bench_versus.py).  Standard library only.

Node k lives in the network namespace that `scripts/cluster net` made for it (the same layout as
ours with --netns: one veth per node on a bridge in one more namespace) and, since the original and
corosync use fixed paths, in a private mount and UTS namespace of its own: /run is a tmpfs, /etc
an overlay (its upper half in that tmpfs) holding /etc/pve, /etc/corosync/{corosync.conf,authkey}
written by scripts/cluster and /etc/hosts lines for every node, /var/lib a tmpfs with
/var/lib/pve-cluster bind-mounted from DIR/node<k>/db (config.db on the same disk as ours), /dev/shm
a tmpfs of its own (libqb's rings), host name node<k>.  corosync -f starts first, then the original
with -f; it connects to corosync through libqb's abstract sockets, which are per network
namespace.  The client reaches node k's mount through /proc/<pid>/root/etc/pve.  Nothing of the
machine's own /etc/pve, /etc/corosync or /var/lib/pve-cluster is touched.

Build the original outside the repository as docs/BENCHMARKS.md says; its path comes from
--baseline-original."""

import os
import shutil
import signal
import subprocess
import tempfile
import time

from benchlib import (ROOT, describe_disk, kill_child, log, log_tail, pid_alive, proc_cpu_ns, read_text, rss_kib,
                      spawn)
from clusterlib import members_quorate, read_members

UP_TIMEOUT = 90.0            # all nodes quorate
STOP_TIMEOUT = 15.0          # SIGTERM -> exit, before SIGKILL (it sometimes hangs in its teardown)

# one node: $1 = the cluster dir, $2 = k, $3 = the original's binary
NODE_SETUP = r'''set -e
dir=$1 k=$2 bin=$3
d=$dir/node$k
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/etc-overlay/upper /run/etc-overlay/work /run/corosync /run/pve-cluster
mount -t overlay overlay -o lowerdir=/etc,upperdir=/run/etc-overlay/upper,workdir=/run/etc-overlay/work /etc
mkdir -p /etc/pve /etc/corosync
cp "$dir/corosync.conf" /etc/corosync/corosync.conf
install -m 0400 "$dir/authkey" /etc/corosync/authkey
cat "$dir/hosts" >> /etc/hosts
hostname "node$k"
mount -t tmpfs -o mode=0755 tmpfs /var/lib
mkdir -p /var/lib/pve-cluster /var/lib/corosync
mount --bind "$d/db" /var/lib/pve-cluster
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=0755 tmpfs /var/log
corosync -f > "$d/corosync.log" 2>&1 &
echo $! > "$d/corosync.pid"
echo $$ > "$d/pmxcfs.pid"
exec "$bin" -f > "$d/pmxcfs.log" 2>&1
'''


def build_hint():
    return ("build it outside the repository as docs/BENCHMARKS.md (\"Building the original as a baseline\") says, "
            "and pass its path with --baseline-original")


class OriginalCluster:
    """N nodes of the original pmxcfs + corosync in namespaces: setup, mnt(k), snap_nodes, teardown."""

    label = "original"

    def __init__(self, nodes, binary, keep=False):
        self.nodes = nodes
        self.binary = os.path.abspath(binary)
        self.keep = keep
        self.base = None
        self.dir = None
        self.down = set()
        self.procs = {}       # k -> the nsenter/unshare Popen
        self.pids = {}        # k -> (pmxcfs pid, corosync pid)
        self.errors = []
        self.info = []
        self.warnings = []
        self.up_seconds = None
        self.disk_desc = None
        self.torn_down = False

    def script(self):
        return os.path.join(ROOT, "scripts", "cluster")

    def node_dir(self, k):
        return os.path.join(self.dir, "node%d" % k)

    def mnt(self, k):
        return "/proc/%d/root/etc/pve" % self.pids[k][0]

    def setup(self, deadline):
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError("the original pmxcfs %s is not an executable file; %s" % (self.binary, build_hint()))
        if shutil.which("corosync") is None:
            raise RuntimeError("corosync not found: apt-get install -y corosync (Debian's corosync 3)")
        self.base = tempfile.mkdtemp(prefix="pmxcfs-obench.", dir="/var/tmp")
        self.dir = os.path.join(self.base, "cluster")
        self.disk_desc = (self.base, describe_disk(self.base))
        p = subprocess.run([self.script(), "net", str(self.nodes), self.dir], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("`scripts/cluster net %d` failed (rc %d): %s" % (self.nodes, p.returncode, p.stdout))
        nodes = [line.split() for line in p.stdout.splitlines() if line.startswith("node")]
        with open(os.path.join(self.dir, "hosts"), "w") as f:
            for name, _, addr in nodes:
                f.write("%s %s\n" % (addr, name))
        t0 = time.monotonic()
        for k, (name, ns, addr) in enumerate(nodes, 1):
            os.makedirs(os.path.join(self.node_dir(k), "db"))
            cmd = ["nsenter", "--net=/run/netns/" + ns, "--", "unshare", "--mount", "--uts", "--propagation",
                   "private", "--fork", "--", "sh", "-c", NODE_SETUP, "original-node", self.dir, str(k), self.binary]
            self.procs[k] = spawn(cmd, os.path.join(self.node_dir(k), "launch.log"))
        t_end = time.monotonic() + min(UP_TIMEOUT, max(5.0, deadline - time.monotonic()))
        while not all(self.node_ready(k) for k in range(1, self.nodes + 1)):
            for k, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError("original node%d exited during start-up (rc %s):%s"
                                       % (k, proc.returncode, self.log_tails()))
            if time.monotonic() > t_end:
                raise RuntimeError("the original's cluster is not quorate after %.0f s:%s" % (UP_TIMEOUT,
                                                                                              self.log_tails()))
            time.sleep(0.1)
        self.up_seconds = time.monotonic() - t0
        ver = (run_version(self.binary) or "?")
        coro = (subprocess.run(["corosync", "-v"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True).stdout.splitlines() or ["?"])[0]
        self.info.append("%d nodes of `%s -f` (%s) each with its own `corosync -f` (%s), in network namespaces of "
                         "`scripts/cluster net` and private mount/UTS namespaces; the corosync.conf and authkey that "
                         "scripts/cluster writes for ours; all quorate %.1f s after the start; config.db on %s"
                         % (self.nodes, self.binary, ver, coro, self.up_seconds, self.disk_desc[1]))
        log("original cluster up in %.1f s" % self.up_seconds)

    def node_ready(self, k):
        if k not in self.pids:
            d = self.node_dir(k)
            pp, cp = read_text(os.path.join(d, "pmxcfs.pid")), read_text(os.path.join(d, "corosync.pid"))
            if not (pp and cp and pp.strip().isdigit() and cp.strip().isdigit()):
                return False
            self.pids[k] = (int(pp), int(cp))
        return members_quorate(read_members(self.mnt(k)))

    def snap_nodes(self):
        """{k: (pmxcfs pid, CPU ns of pmxcfs + corosync, RSS KiB of both)}"""
        d = {}
        for k, (pp, cp) in self.pids.items():
            if k not in self.down and pid_alive(pp):
                d[k] = (pp, (proc_cpu_ns(pp) or 0) + (proc_cpu_ns(cp) or 0), (rss_kib(pp) or 0) + (rss_kib(cp) or 0))
        return d

    def daemon_cpu(self):
        """CPU ns since their start, summed over the nodes, by program."""
        return {"pmxcfs": sum(proc_cpu_ns(pp) or 0 for pp, _ in self.pids.values()),
                "corosync": sum(proc_cpu_ns(cp) or 0 for _, cp in self.pids.values())}

    def rss(self):
        """{program: [RSS KiB per node]}"""
        return {"pmxcfs": [rss_kib(pp) or 0 for pp, _ in self.pids.values()],
                "corosync": [rss_kib(cp) or 0 for _, cp in self.pids.values()]}

    def log_tails(self, n=8):
        out = []
        for k in range(1, self.nodes + 1):
            for f in ("launch.log", "corosync.log", "pmxcfs.log"):
                out.append("\n  original node%d %s:\n%s" % (k, f, log_tail(os.path.join(self.node_dir(k), f), n)))
        return "".join(out)

    def stop(self, pids, what):
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
        t_end = time.monotonic() + STOP_TIMEOUT
        for pid in pids:
            while pid_alive(pid) and time.monotonic() < t_end:
                time.sleep(0.05)
            if pid_alive(pid):
                # seen after long runs: it logs "teardown filesystem" and waits for its IPC thread
                self.info.append("%s pid %d did not exit within %.0f s of SIGTERM and was killed"
                                 % (what, pid, STOP_TIMEOUT))
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def teardown(self):
        if self.torn_down or self.base is None:
            return
        self.torn_down = True
        self.stop([pp for pp, _ in self.pids.values()], "the original pmxcfs")
        self.stop([cp for _, cp in self.pids.values()], "corosync")
        for proc in self.procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                kill_child(proc)
        if self.dir and os.path.exists(os.path.join(self.dir, "netns")):
            p = subprocess.run([self.script(), "down", self.dir], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, universal_newlines=True, timeout=60)
            if p.returncode != 0:
                self.errors.append("`scripts/cluster down` of the original's namespaces failed: %s" % p.stdout)
        if self.keep:
            self.info.append("Kept %s (--keep)" % self.base)
        else:
            shutil.rmtree(self.base, ignore_errors=True)


def run_version(binary):
    """The pve-cluster version the binary was built from, when its source tree is next to it."""
    src = os.environ.get("PMXCFS_ORIGINAL_SRC", "/work/original-src")
    out = subprocess.run(["git", "-C", src, "describe", "--tags", "--always"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, universal_newlines=True)
    return ("source %s at %s" % (src, out.stdout.strip())) if out.returncode == 0 and out.stdout.strip() else None
