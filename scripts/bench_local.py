#!/usr/bin/env python3
"""Local-mode benchmark of pmxcfs-java side by side with baselines, in one run (scripts/bench).

Every target is mounted for the whole run and measured by the same client (this process):
  - pmxcfs-java: scripts/pmxcfs -f -l, config.db in a fresh dir under /var/tmp;
  - bindfs (always): a trivial FUSE pass-through (libfuse 2, Debian's bindfs) over a fresh
    directory under /var/tmp (the same disk) and/or over a fresh tmpfs (FUSE alone), --bindfs-on;
  - the original pmxcfs (with --baseline-original PATH): `PATH -f -l` in its own private
    mount/uts/net namespaces, since it uses fixed paths: /etc/pve (an overlay on /etc gives it the
    mount point and an /etc/hosts line for its host name), /var/lib/pve-cluster (bind-mounted from
    a fresh dir under /var/tmp, so its config.db is on the same disk as ours) and /run (a tmpfs).
    The client reaches its mount through /proc/<pid>/root.
Rounds are interleaved: each phase runs on every target before the next phase starts, and the
order of the targets rotates from round to round, so machine noise hits all of them alike.  The
report gives medians with min..max over the rounds and, per round, the ratio of ours to each
baseline (median and min..max of those paired ratios).  --variant adds pmxcfs-java columns with
other options (and their per-round ratio to the default column); --count-requests counts the FUSE
requests per operation of every target under strace in one more, untimed, round.

Standard library only.  Progress goes to stderr, the report to stdout and --out.
"""

import argparse
import datetime
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from benchlib import (BUILD_READY_TIMEOUT, KIB, MIB, PMXCFS, READY_TIMEOUT, ROOT, STOP_TIMEOUT, Interrupted, begin,
                      busy_builds, check_bounds, common_options, describe_disk, finish, fmt_num, fmt_rate, fmt_ratio,
                      fmt_us, is_descendant, is_mounted, jar_stamp, lazy_umount, log, log_tail, median, proc_cpu_ns,
                      proc_io, proc_task_cpu_ns, read_all, read_text, replace, report_head, report_text, run_out,
                      span, spawn, write_new)

NODE = "bench"
GUEST_DIR = "nodes/%s/qemu-server" % NODE
PLAIN_DIR = "bench-plain"
FIRST_VMID = 100
ORIGINAL_STOP_TIMEOUT = 30.0

# the original's start-up inside its namespaces: $1 = its base dir, $2 = the binary
ORIGINAL_SETUP = r'''set -e
base=$1
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/etc-overlay/upper /run/etc-overlay/work
mount -t overlay overlay -o lowerdir=/etc,upperdir=/run/etc-overlay/upper,workdir=/run/etc-overlay/work /etc
mkdir -p /etc/pve
echo "192.0.2.10 %(node)s" >> /etc/hosts
hostname %(node)s
mount -t tmpfs -o mode=0755 tmpfs /var/lib
mkdir -p /var/lib/pve-cluster
mount --bind "$base/db" /var/lib/pve-cluster
exec "$2" -f -l
''' % {"node": NODE}


def body(i, size):
    head = b"# %010d\n" % i
    return head + b"x" * (size - len(head) - 1) + b"\n"


# ---------------------------------------------------------------------------------------------
# targets: each one is a mounted filesystem with a daemon pid and a root directory for the client

class Target:
    def __init__(self, key, label):
        self.key = key
        self.label = label
        self.pid = None        # the process serving the mount (for CPU and write_bytes)
        self.root = None       # where the client works
        self.base = None       # fresh dir under /var/tmp (backing store)
        self.info = []
        self.errors = []

    def make_base(self):
        self.base = tempfile.mkdtemp(prefix="pmxcfs-bench-%s." % self.key, dir="/var/tmp")
        self.disk = describe_disk(self.base)

    def prepare_dirs(self):
        for d in (GUEST_DIR, PLAIN_DIR):
            os.makedirs(os.path.join(self.root, d), exist_ok=True)

    def stats(self):
        """peak RSS and total CPU of the serving process, for the configuration list."""
        rss = None
        for line in (read_text("/proc/%d/status" % self.pid, "") or "").splitlines():
            if line.startswith("VmHWM:"):
                rss = "%.0f MiB" % (int(line.split()[1]) / 1024)
        cpu = proc_cpu_ns(self.pid)
        return "peak RSS %s, total CPU %.1f s" % (rss or "?", (cpu or 0) / 1e9)

    def remove_base(self, keep):
        if not self.base:
            return
        if keep:
            self.info.append("kept %s (--keep)" % self.base)
        else:
            shutil.rmtree(self.base, ignore_errors=True)
        self.base = None


def stop(proc, what, errors):
    """SIGTERM, bounded wait, SIGKILL; records what went wrong."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        errors.append("%s (pid %d) did not exit within %.0f s of SIGTERM; killed" % (what, proc.pid, STOP_TIMEOUT))
        proc.kill()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            errors.append("%s (pid %d) still alive after SIGKILL" % (what, proc.pid))


def wait_ready(proc, cond, bound, logpath, what):
    t_end = time.monotonic() + bound
    while time.monotonic() < t_end:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %s during start-up; log tail:\n%s" % (what, proc.returncode,
                                                                                  log_tail(logpath)))
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise RuntimeError("%s not ready after %.0f s; log tail:\n%s" % (what, bound, log_tail(logpath)))


class Ours(Target):
    def __init__(self, opts, variant=0):
        super().__init__("java%d" % variant if variant else "java",
                         "pmxcfs-java " + " ".join(opts) if variant else "pmxcfs-java")
        self.opts = opts
        self.proc = None

    def setup(self):
        self.make_base()
        mnt = os.path.join(self.base, "mnt")
        run = os.path.join(self.base, "run")
        os.mkdir(mnt)
        self.logpath = os.path.join(self.base, "daemon.log")
        cmd = [PMXCFS, "-f", "-l", "--mountpoint", mnt, "--data-dir", os.path.join(self.base, "data"),
               "--run-dir", run, "--nodename", NODE] + self.opts
        jar_ok = os.path.isdir(os.path.join(ROOT, "pmxcfs", "target", "lib"))
        log("starting %s" % shlex.join(cmd))
        self.proc = spawn(cmd, self.logpath, cwd=ROOT)
        pidfile = os.path.join(run, "pmxcfs.pid")

        def ready():
            txt = (read_text(pidfile) or "").strip()
            if txt.isdigit() and os.path.exists("/proc/" + txt) and is_mounted(mnt):
                return int(txt)
            return None
        self.pid = wait_ready(self.proc, ready, READY_TIMEOUT if jar_ok else BUILD_READY_TIMEOUT,
                              self.logpath, "pmxcfs-java")
        if self.pid != self.proc.pid and not is_descendant(self.pid, self.proc.pid):
            raise RuntimeError("pid file names %d, not the daemon we started (%d)" % (self.pid, self.proc.pid))
        self.root = mnt
        self.info.append("`%s` (pid %d); config.db on %s" % (shlex.join(["scripts/pmxcfs"] + cmd[1:]), self.pid,
                                                             self.disk))

    def teardown(self, keep):
        if self.pid:
            self.info.append("at the end: " + self.stats())
        stop(self.proc, "pmxcfs-java", self.errors)
        if self.root and is_mounted(self.root):
            self.errors.append("mount %s still there after the daemon stopped; unmounted lazily" % self.root)
            lazy_umount(self.root)
        bad = [l for l in (read_text(self.logpath, "") or "").splitlines() if " WARN" in l or "ERROR" in l
               or "Exception" in l] if self.base else []
        if bad:
            self.info.append("daemon log has %d WARN/ERROR lines, first: `%s`" % (len(bad), bad[0].strip()[:200]))
        self.proc = None
        self.remove_base(keep)


class Original(Target):
    def __init__(self, binary):
        super().__init__("orig", "original")
        self.binary = os.path.abspath(binary)
        self.proc = None

    def setup(self):
        self.make_base()
        os.mkdir(os.path.join(self.base, "db"))
        self.logpath = os.path.join(self.base, "pmxcfs.log")
        cmd = ["unshare", "--mount", "--uts", "--net", "--propagation", "private", "--fork", "--",
               "sh", "-c", ORIGINAL_SETUP, "original-setup", self.base, self.binary]
        log("starting the original: %s -f -l in private mount/uts/net namespaces" % self.binary)
        self.proc = spawn(cmd, self.logpath)

        def ready():
            for child in (read_text("/proc/%d/task/%d/children" % (self.proc.pid, self.proc.pid), "") or "").split():
                mi = read_text("/proc/%s/mountinfo" % child, "") or ""
                if any(l.split(" ")[4] == "/etc/pve" and " - fuse" in l for l in mi.splitlines()):
                    return int(child)
            return None
        self.pid = wait_ready(self.proc, ready, READY_TIMEOUT, self.logpath, "the original pmxcfs")
        self.root = "/proc/%d/root/etc/pve" % self.pid
        wait_ready(self.proc, lambda: os.path.exists(os.path.join(self.root, ".version")), READY_TIMEOUT,
                   self.logpath, "the original's mount")
        ver = (read_text("/proc/%d/root/etc/pve/.version" % self.pid, "") or "").replace("\n", " ")
        self.info.append("`%s -f -l` (pid %d) in private mount/uts/net namespaces (hostname `%s`); "
                         "config.db on %s; .version: `%s`" % (self.binary, self.pid, NODE, self.disk, ver[:80]))

    def teardown(self, keep):
        if self.pid and os.path.exists("/proc/%d" % self.pid):
            self.info.append("at the end: " + self.stats())
            try:
                os.kill(self.pid, signal.SIGTERM)   # the daemon itself; unshare then exits with it
            except OSError:
                pass
        if self.proc is not None:
            t0 = time.monotonic()
            try:
                self.proc.wait(ORIGINAL_STOP_TIMEOUT)
                self.info.append("exited %.1f s after SIGTERM" % (time.monotonic() - t0))
            except subprocess.TimeoutExpired:
                # seen a few times after long runs: it logs "teardown filesystem" (its FUSE loop has
                # ended) and then waits forever for its IPC server thread; the figures are complete
                last = ((read_text(self.logpath, "") or "").strip().splitlines() or ["(empty log)"])[-1]
                self.info.append("did not exit within %.0f s of SIGTERM and was killed; its log ends with `%s`"
                                 % (ORIGINAL_STOP_TIMEOUT, last))
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except OSError:
                    pass
                stop(self.proc, "the original's unshare", self.errors)
        self.proc = None
        self.remove_base(keep)


class Bindfs(Target):
    """bindfs over a fresh directory on the disk (next to the config.db files) or on a fresh tmpfs."""

    def __init__(self, backing):
        super().__init__("bindfs" if backing == "disk" else "bindfs-tmpfs",
                         "bindfs" if backing == "disk" else "bindfs on tmpfs")
        self.backing = backing
        self.proc = None

    @staticmethod
    def ensure_installed():
        if shutil.which("bindfs"):
            return None
        log("bindfs not found: apt-get install -y --no-install-recommends bindfs")
        p = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "bindfs"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        if p.returncode != 0 or not shutil.which("bindfs"):
            return ("bindfs is needed as the baseline and could not be installed (apt-get rc %d): %s; "
                    "install it with `apt-get install -y --no-install-recommends bindfs`"
                    % (p.returncode, p.stdout.strip().splitlines()[-1:] if p.stdout else ""))
        return None

    def setup(self):
        self.make_base()
        src = os.path.join(self.base, "src")
        mnt = os.path.join(self.base, "mnt")
        os.mkdir(src)
        os.mkdir(mnt)
        if self.backing == "tmpfs":
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512m", "tmpfs", src], check=True)
            self.disk = "a fresh tmpfs"
        self.logpath = os.path.join(self.base, "bindfs.log")
        cmd = ["bindfs", "-f", src, mnt]
        log("starting %s" % shlex.join(cmd))
        self.proc = spawn(cmd, self.logpath)
        wait_ready(self.proc, lambda: is_mounted(mnt), READY_TIMEOUT, self.logpath, "bindfs")
        self.pid = self.proc.pid
        self.root = mnt
        ver = (run_out(["bindfs", "--version"]) or "?").splitlines()[0]
        self.info.append("`%s` (%s, pid %d, default options: libfuse 2 multi-threaded loop), backing dir on %s"
                         % (shlex.join(cmd), ver, self.pid, self.disk))

    def teardown(self, keep):
        if self.pid:
            self.info.append("at the end: " + self.stats())
        if self.root and is_mounted(self.root):
            run_out(["umount", self.root], timeout=20)
        stop(self.proc, "bindfs", self.errors)
        if self.root and is_mounted(self.root):
            lazy_umount(self.root)
        if self.backing == "tmpfs" and self.base:
            lazy_umount(os.path.join(self.base, "src"))
        self.proc = None
        self.remove_base(keep)


# ---------------------------------------------------------------------------------------------
# phases: each runs on one target with the client's cwd at the target's root

class Sample:
    """One phase on one target in one round."""

    def __init__(self, ops, seconds, lat, cpu, disk):
        self.ops, self.seconds, self.lat, self.cpu, self.disk = ops, seconds, lat, cpu, disk

    @property
    def rate(self):
        return self.ops / self.seconds


def cpu_ns(pid):
    tasks = proc_task_cpu_ns(pid)
    return tasks, proc_cpu_ns(pid)


def cpu_delta(before, after):
    (t0, c0), (t1, c1) = before, after
    if t0 is not None and t1 is not None and set(t0) <= set(t1):
        return sum(v - t0.get(k, 0) for k, v in t1.items())   # ns precision while no thread exited
    if c0 is not None and c1 is not None:
        return c1 - c0
    return None


def write_bytes(pid):
    io = proc_io(pid) or {}
    return io.get("write_bytes")


def timed(target, items, op):
    """Runs op over items with the cwd at the target's root; samples the serving process around it."""
    os.chdir(target.root)
    os.sync()
    c0, w0 = cpu_ns(target.pid), write_bytes(target.pid)
    lat = []
    clock = time.perf_counter_ns
    t0 = clock()
    for it in items:
        s = clock()
        op(it)
        lat.append(clock() - s)
    t1 = clock()
    c1, w1 = cpu_ns(target.pid), write_bytes(target.pid)
    os.sync()
    os.chdir("/")
    disk = w1 - w0 if w0 is not None and w1 is not None else None
    return Sample(len(lat), (t1 - t0) / 1e9, lat, cpu_delta(c0, c1), disk)


def phases(a):
    """(key, title, unit, function(target, round) -> Sample) in running order."""
    n, size = a.n, a.size
    out = []
    for kind, d, name in (("guest", GUEST_DIR, lambda i: "%d.conf" % (FIRST_VMID + i)),
                          ("plain", PLAIN_DIR, lambda i: "f%05d" % i)):
        paths = [os.path.join(d, name(i)) for i in range(n)]
        new = [body(i, size) for i in range(n)]
        upd = [body(i + n, size) for i in range(n)]
        where = ("guest config `%s/<vmid>.conf`" % GUEST_DIR) if kind == "guest" else "plain path"
        tag = str(os.getpid())
        out += [
            ("create-" + kind, "create %d B, %s" % (size, where), "op",
             lambda t, r, p=paths, b=new: timed(t, range(n), lambda i: write_new(p[i], b[i]))),
            ("replace-" + kind, "replace %d B (tmp + rename), %s" % (size, where), "op",
             lambda t, r, p=paths, b=upd: timed(t, range(n), lambda i: replace(p[i], b[i], tag))),
            ("read-" + kind, "read %d B, %s" % (size, where), "op",
             lambda t, r, p=paths: timed(t, p, lambda f: read_all(f, size))),
            ("stat-" + kind, "stat, %s" % where, "op", lambda t, r, p=paths: timed(t, p, os.stat)),
            ("delete-" + kind, "delete, %s" % where, "op", lambda t, r, p=paths: timed(t, p, os.unlink)),
        ]
    big = os.path.join(PLAIN_DIR, "big")
    bigdata = b"B" * MIB
    out.append(("write-1m", "write 1 MiB (one write(), tmp + rename), plain path", "MiB",
                lambda t, r: timed(t, range(a.big_reps), lambda _: replace(big, bigdata, str(os.getpid())))))
    # the worst case of a store that commits every write (the original's, and ours): each chunk
    # commits the whole file so far
    out.append(("chunked-1m", "write 1 MiB in 4 KiB write()s (tmp + rename), plain path", "MiB",
                lambda t, r: timed(t, range(max(1, a.big_reps // 4)),
                                   lambda _: replace(big, bigdata, str(os.getpid()), 4096))))
    return out


# kernel FUSE opcodes (include/uapi/linux/fuse.h) seen with this workload
FUSE_OPCODES = {1: "LOOKUP", 2: "FORGET", 3: "GETATTR", 4: "SETATTR", 9: "MKDIR", 10: "UNLINK", 12: "RENAME",
                14: "OPEN", 15: "READ", 16: "WRITE", 18: "RELEASE", 20: "FSYNC", 22: "GETXATTR", 25: "FLUSH", 34: "ACCESS",
                35: "CREATE", 42: "BATCH_FORGET"}
STRACE_READ = re.compile(r'(?:read\(\d+, |read resumed>\s*)"((?:\\x[0-9a-f]{2}){8})".*= (\d+)$')


def count_requests(target, fn, r, workdir):
    """Runs one phase with strace on the serving process and counts the FUSE requests it read from
    /dev/fuse (a read whose first word, the request length, equals its return value), by opcode."""
    out = os.path.join(workdir, "strace.%s" % target.key)
    st = subprocess.Popen(["strace", "-f", "-qq", "-x", "-s", "8", "-e", "trace=read", "-e", "signal=none",
                           "-p", str(target.pid), "-o", out], stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)   # strace attaches to every thread before the first operation
    s = fn(target, r)
    time.sleep(0.5)   # requests still in flight (RELEASE and FORGET are asynchronous)
    st.terminate()
    st.wait(10)
    counts = {}
    for line in (read_text(out, "") or "").splitlines():
        m = STRACE_READ.search(line)
        if not m:
            continue
        head = bytes(int(h, 16) for h in m.group(1).split("\\x")[1:])
        if int.from_bytes(head[:4], "little") != int(m.group(2)):
            continue
        op = int.from_bytes(head[4:8], "little")
        name = FUSE_OPCODES.get(op, "op %d" % op)
        counts[name] = counts.get(name, 0) + 1
    os.unlink(out)
    return {k: v / s.ops for k, v in counts.items()}


# targets of issue 7: (phase key prefixes, baseline key, minimum ratio)
TARGETS = [
    (("create-", "replace-", "delete-"), "orig", 1.5),
    (("create-", "replace-", "delete-"), "bindfs", 0.9),
    (("create-", "replace-", "delete-"), "bindfs-tmpfs", 0.9),
    (("write-1m",), "orig", 10.0),
    (("read-", "stat-"), "orig", 1.5),
]


# ---------------------------------------------------------------------------------------------
# report

def build_report(a, targets, plist, results, requests, cmdline, started, finished, load0, load1, ns_note, errors,
                 busy):
    out = report_head("pmxcfs local benchmark, side by side", started, finished, cmdline,
                      "Load average at start / end: %s / %s" % (load0, load1), busy, ns_note, targets)
    ours = targets[0]
    bases = [t for t in targets if not isinstance(t, Ours)]
    out.append("## Throughput: median of %d interleaved rounds (min..max)" % a.rounds)
    out.append("")
    out.append("ops/s; the 1 MiB rows in MiB/s. Ratio = ours / baseline, computed per round (same round, "
               "same noise), median (min..max) of the %d rounds." % a.rounds)
    out.append("")
    out.append("| workload | " + " | ".join(t.label for t in targets) + " | "
               + " | ".join("ours / %s" % b.label for b in bases) + " |")
    out.append("|---|" + "---:|" * (len(targets) + len(bases)))
    ratios = {}
    for key, title, unit, _ in plist:
        row = []
        for t in targets:
            ss = results.get((key, t.key), [])
            row.append(span([s.rate for s in ss], fmt_rate) if ss else "n/a")
        for b in bases:
            mine, theirs = results.get((key, ours.key), []), results.get((key, b.key), [])
            rs = [m.rate / o.rate for m, o in zip(mine, theirs)]
            ratios[(key, b.key)] = rs
            row.append(span(rs, fmt_ratio) if rs else "n/a")
        out.append("| %s | %s |" % (title, " | ".join(row)))
    out.append("")

    variants = [t for t in targets if isinstance(t, Ours) and t is not ours]
    if variants:
        out.append("## Variants against the default pmxcfs-java, per round")
        out.append("")
        out.append("Ratio variant / default column, computed per round, median (min..max): a lever's own effect.")
        out.append("")
        out.append("| workload | " + " | ".join(v.label for v in variants) + " |")
        out.append("|---|" + "---:|" * len(variants))
        for key, title, unit, _ in plist:
            row = []
            for v in variants:
                rs = [x.rate / d.rate for x, d in zip(results.get((key, v.key), []), results.get((key, ours.key), []))]
                row.append(span(rs, fmt_ratio) if rs else "n/a")
            out.append("| %s | %s |" % (title, " | ".join(row)))
        out.append("")

    def per_op_table(title, note, value, fmt):
        out.append("## " + title)
        out.append("")
        out.append(note)
        out.append("")
        out.append("| workload | " + " | ".join(t.label for t in targets) + " |")
        out.append("|---|" + "---:|" * len(targets))
        for key, ttl, unit, _ in plist:
            row = []
            for t in targets:
                vals = [v for v in (value(s) for s in results.get((key, t.key), [])) if v is not None]
                row.append(fmt(median(vals)) if vals else "n/a")
            out.append("| %s | %s |" % (ttl, " | ".join(row)))
        out.append("")

    per_op_table("Latency p50 (µs per op, median over rounds)", "Wall time of one operation as the client sees it.",
                 lambda s: sorted(s.lat)[len(s.lat) // 2], fmt_us)
    per_op_table("CPU time of the serving process per op (µs, median over rounds)",
                 "All threads of the daemon (JIT and GC included for ours); the kernel's FUSE work is "
                 "charged to the client and is not in here.",
                 lambda s: s.cpu / s.ops if s.cpu is not None else None, fmt_us)
    per_op_table("Bytes the serving process wrote per op (median over rounds)",
                 "write_bytes of /proc/PID/io: page-cache pages dirtied (4 KiB granularity). bindfs writes "
                 "the files themselves and never syncs; the pmxcfs daemons commit to SQLite (WAL).",
                 lambda s: s.disk / s.ops if s.disk is not None else None, fmt_num)

    if requests:
        out.append("## FUSE requests per op (--count-requests)")
        out.append("")
        out.append("Requests the serving process read from /dev/fuse during one more round of every phase, under "
                   "strace (not timed), per client operation, by kernel opcode. Every request is one round trip: "
                   "the client's syscall waits for it, except RELEASE and FORGET.")
        out.append("")
        out.append("| workload | " + " | ".join(t.label for t in targets) + " |")
        out.append("|---|" + "---:|" * len(targets))
        for key, title, unit, _ in plist:
            row = []
            for t in targets:
                c = requests.get((key, t.key))
                if c is None:
                    row.append("n/a")
                    continue
                big = sorted(((v, k) for k, v in c.items() if v >= 0.05), reverse=True)
                row.append("**%.1f**: %s" % (sum(c.values()), ", ".join("%s %.1f" % (k, v) for v, k in big)))
            out.append("| %s | %s |" % (title, " | ".join(row)))
        out.append("")
    out.append("## Targets (issue 7)")
    out.append("")
    out.append("| target | workload | measured ratio (median of rounds) | met |")
    out.append("|---|---|---:|---|")
    baselines = {b.key: b.label for b in bases}
    for prefixes, bkey, minimum in TARGETS:
        if bkey not in baselines:
            continue
        for key, title, unit, _ in plist:
            if not key.startswith(prefixes):
                continue
            rs = ratios.get((key, bkey))
            if not rs:
                continue
            m = median(rs)
            out.append("| ≥ %sx %s | %s | %s | %s |" % (fmt_num(minimum, 1), baselines[bkey], title, fmt_ratio(m),
                                                      "met" if m >= minimum else "**not met**"))
    out.append("")
    out.append("## Notes")
    out.append("")
    out.append("- Client: this Python process, one operation at a time, relative paths from a cwd at the "
               "target's root (so no target pays for a longer path walk). create = open(O_WRONLY|O_CREAT|O_EXCL) "
               "+ one write() + close; replace = the PVE update pattern: write `<f>.tmp.<pid>` (O_EXCL) then "
               "rename over `<f>`; read = open + read to EOF + close; stat = os.stat; delete = unlink; "
               "1 MiB = one 1 MiB write() to `big.tmp.<pid>` + close + rename over `big`, %d times; "
               "in 4 KiB writes: the same with 256 write()s of 4 KiB, a quarter as many times. "
               "%d files of %d bytes per phase; guest-config paths register VMIDs %d..%d in the pmxcfs "
               "daemons (bindfs has no such notion and sees plain files)."
               % (a.big_reps, a.n, a.size, FIRST_VMID, FIRST_VMID + a.n - 1))
    out.append("- %d unmeasured warm-up round(s) of every phase on every target first (the JIT of ours). "
               "os.sync() before and after every phase, outside the timed region." % a.warmup_rounds)
    out.append("")
    return report_text(out, errors)


# ---------------------------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Local-mode benchmark of pmxcfs-java side by side with bindfs (always) and the original "
                    "pmxcfs (--baseline-original), rounds interleaved. Report (Markdown) on stdout and in --out. "
                    "`scripts/bench --cluster --help` for the cluster benchmark.")
    p.add_argument("--baseline-original", metavar="PATH",
                   help="the original pmxcfs binary (built from pve-cluster's src/pmxcfs); run with -f -l in "
                        "its own namespaces")
    p.add_argument("--bindfs-on", choices=("disk", "tmpfs", "both"), default="disk",
                   help="backing dir of the bindfs baseline: on the disk next to the config.db files (default), "
                        "on a tmpfs (FUSE cost alone), or one column each")
    p.add_argument("--rounds", type=int, default=7, help="measured rounds (default 7)")
    p.add_argument("--warmup-rounds", type=int, default=1, help="unmeasured rounds first (default 1)")
    p.add_argument("--n", type=int, default=1000, help="files per phase (default 1000, max 10000: VMIDs)")
    p.add_argument("--size", type=int, default=512, help="bytes per small file (default 512)")
    p.add_argument("--big-reps", type=int, default=20, help="1 MiB writes per round (default 20)")
    p.add_argument("--daemon-opt", action="append", default=[], metavar="OPT",
                   help="extra option for pmxcfs-java, repeatable, e.g. --daemon-opt=--fuse-threads=1")
    p.add_argument("--variant", action="append", default=[], metavar="OPTS",
                   help="one more pmxcfs-java column with these options (space separated), repeatable, "
                        "e.g. --variant='--fuse-threads=1'; ratios are printed for the first column only")
    p.add_argument("--count-requests", action="store_true",
                   help="after the measured rounds, one more round under strace counting the FUSE requests per op")
    common_options(p, 1800)
    a = p.parse_args(argv)

    check_bounds(p, [("--rounds", a.rounds, 1, 100), ("--warmup-rounds", a.warmup_rounds, 0, 20),
                     ("--n", a.n, 1, 10000), ("--size", a.size, 16, 64 * KIB), ("--big-reps", a.big_reps, 1, 1000),
                     ("--timeout", a.timeout, 10, 24 * 3600)])
    if a.baseline_original and not os.access(a.baseline_original, os.X_OK):
        p.error("--baseline-original %s is not an executable file" % a.baseline_original)
    if not os.access(PMXCFS, os.X_OK):
        p.error("%s not found or not executable" % PMXCFS)
    return a


def main():
    argv = sys.argv[1:]
    a = parse_args(argv)
    cmdline, ns_note = begin(os.path.abspath(__file__), argv, a)
    err = Bindfs.ensure_installed()
    if err:
        sys.exit("scripts/bench: " + err)
    started = datetime.datetime.now(datetime.timezone.utc)
    deadline = time.monotonic() + a.timeout
    load0 = " ".join((read_text("/proc/loadavg", "? ? ?") or "").split()[:3])

    targets = [Ours(a.daemon_opt)] + [Ours(a.daemon_opt + shlex.split(v), i + 1) for i, v in enumerate(a.variant)]
    if a.baseline_original:
        targets.append(Original(a.baseline_original))
    targets += [Bindfs(b) for b in (("disk", "tmpfs") if a.bindfs_on == "both" else (a.bindfs_on,))]
    plist = phases(a)
    results = {}
    requests = {}
    errors = []
    busy = 0
    stamp = jar_stamp()
    try:
        # the original first: its mount namespace then holds no copy of the other FUSE mounts, which
        # would keep their connections alive after they unmount in ours
        for t in sorted(targets, key=lambda t: not isinstance(t, Original)):
            t.setup()
            t.prepare_dirs()
        for r in range(a.warmup_rounds + a.rounds):
            measured = r >= a.warmup_rounds
            log("round %d of %d%s (load %s)" % (r + 1, a.warmup_rounds + a.rounds, "" if measured else ", warm-up",
                                              (read_text("/proc/loadavg", "?") or "?").split()[0]))
            order = targets[r % len(targets):] + targets[:r % len(targets)]
            for key, title, unit, fn in plist:
                if time.monotonic() > deadline:
                    raise RuntimeError("overall timeout (%.0f s) reached" % a.timeout)
                if measured and busy_builds():
                    busy += 1
                line = []
                for t in order:
                    s = fn(t, r)
                    if measured:
                        results.setdefault((key, t.key), []).append(s)
                    line.append("%s %s" % (t.key, fmt_rate(s.rate)))
                log("  %-12s %s" % (key, "  ".join(line)))
        if a.count_requests:
            if not shutil.which("strace"):
                raise RuntimeError("--count-requests needs strace: apt-get install -y strace")
            log("FUSE requests per op (strace, not timed)")
            work = tempfile.mkdtemp(prefix="pmxcfs-bench-strace.", dir="/var/tmp")
            try:
                for key, title, unit, fn in plist:
                    for t in targets:
                        requests[(key, t.key)] = count_requests(t, fn, a.warmup_rounds + a.rounds, work)
                    log("  %-12s %s" % (key, "  ".join("%s %.1f" % (t.key, sum(requests[(key, t.key)].values()))
                                                       for t in targets)))
            finally:
                shutil.rmtree(work, ignore_errors=True)
        if jar_stamp() != stamp:
            errors.append("the daemon's jars were rebuilt during the run: the figures of ours are suspect")
    except Interrupted as e:
        errors.append("interrupted by %s" % e)
    except Exception as e:  # noqa: BLE001 - reported with what was measured so far
        errors.append("%s: %s" % (type(e).__name__, e))
        log("FAILED: %s" % e)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.chdir("/")
        for t in targets:
            try:
                t.teardown(a.keep)
            except Exception as e:  # noqa: BLE001
                errors.append("%s: teardown: %s" % (t.label, e))
            errors.extend("%s: %s" % (t.label, e) for e in t.errors)
    # rows of targets that never started are meaningless
    targets = [t for t in targets if t.pid is not None] or targets
    finished = datetime.datetime.now(datetime.timezone.utc)
    load1 = " ".join((read_text("/proc/loadavg", "? ? ?") or "").split()[:3])
    report = build_report(a, targets, plist, results, requests, cmdline, started, finished, load0, load1, ns_note,
                          errors, busy)
    return finish(report, a.out, errors)


if __name__ == "__main__":
    sys.exit(main())
