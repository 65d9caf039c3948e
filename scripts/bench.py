#!/usr/bin/env python3
"""Cluster benchmark of pmxcfs-java (scripts/bench --cluster).

Starts a 3-node cluster with scripts/cluster (in /var/tmp/pmxcfs-cbench.XXXX) and measures cluster
writes, propagation to another node, failover after kill -9, the return of the killed node and the
sync of a joining node with an empty database.  The local side-by-side benchmark is bench_local.py.

Standard library only.  Progress goes to stderr, the report to stdout and --out.
"""

import argparse
import datetime
import errno
import hashlib
import json
import os
import random
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

from benchlib import (BUILD_READY_TIMEOUT, CLK_TCK, KIB, MIB, NS_MARK, ROOT, SMALL, BenchTimeout, Interrupted,
                      busy_builds, content, describe_disk, errors_section, fmt_num, fmt_rate, fmt_us, is_mounted, jar_stamp,
                      lazy_umount, log, machine_info, maybe_unshare, pct, proc_cpu_ns, proc_status, read_text,
                      replace, write_new)


# ---------------------------------------------------------------------------------------------
# cluster mode (--cluster): a 3-node cluster of scripts/cluster on loopback

CL_NODES = 3
CL_UP_TIMEOUT = 180.0        # scripts/cluster up (its own bound for quorum is 60 s)
CL_PHASE_BOUND = 60.0        # failover / return / join: give up after this
CL_STOP_TIMEOUT = 20.0       # SIGTERM -> exit of one daemon, before SIGKILL
CL_CONVERGE_BOUND = 60.0     # unmeasured checks that the other nodes caught up
CL_PROBE_BOUND = 15.0        # health probe: one create on node 1 must return within this

# absolute targets only: a ratio to the original needs it measured in the same run (not done here yet)
CL_TARGET = {
    "prop_p99_ms": 5.0,
    "failover_s": 2.0,
    "join_s": 3.0,
}

# the propagation reader: a separate process (no GIL shared with the writer) polling node 3
PROP_READER = r'''
import os, sys, time
root = sys.argv[1]
clock = lambda: time.clock_gettime_ns(time.CLOCK_MONOTONIC)
inp, out = sys.stdin, sys.stdout
def body(value, size):
    head = value.encode() + b"\n"
    return head + b"p" * (size - len(head) - 1) + b"\n"
for line in inp:
    f = line.split()
    if not f:
        continue
    if f[0] == "quit":
        break
    path = os.path.join(root, f[1])
    want = body(f[2], int(f[3]))
    limit = clock() + int(f[4]) * 1000000
    out.write("ready\n")
    out.flush()
    n = 0
    start = clock()
    while True:
        try:
            fd = os.open(path, os.O_RDONLY)
            try:
                got = os.read(fd, 65536)
            finally:
                os.close(fd)
        except OSError:
            got = None
        now = clock()
        n += 1
        if got == want:
            out.write("seen %d %d %d\n" % (now, n, start))
            break
        if now > limit:
            out.write("timeout %d\n" % n)
            break
    out.flush()
'''


def mono_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def prop_body(value, size):
    head = value.encode() + b"\n"
    return head + b"p" * (size - len(head) - 1) + b"\n"


def join_body(i, size):
    head = b"%010d join\n" % i
    filler = (b"%08x" % ((i * 2654435761) & 0xffffffff)) * (size // 8 + 1)
    return head + filler[:size - len(head) - 1] + b"\n"


def read_members(mnt):
    txt = read_text(os.path.join(mnt, ".members"))
    if not txt:
        return None
    try:
        return json.loads(txt)
    except ValueError:
        return None


def members_quorate(m):
    return bool(m) and (m.get("cluster") or {}).get("quorate") == 1


def members_online(m, name):
    """True / False from the nodelist, None when the node is not listed or there is no member info."""
    if not m:
        return None
    e = (m.get("nodelist") or {}).get(name)
    if e is None:
        return None
    return e.get("online") == 1


def pid_alive(pid):
    st = read_text("/proc/%d/stat" % pid)
    if not st:
        return False
    try:
        return st[st.rindex(")") + 2] != "Z"
    except (ValueError, IndexError):
        return False


def rss_kib(pid):
    v = proc_status(pid, "VmRSS") if pid else None
    if v and v.endswith(" kB"):
        return int(v.split()[0])
    return None


def port_free(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((addr, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def pick_base_port(nodes):
    """A port that is free on 127.0.0.1..N, with the FD_SOCK2 ports above it (base+100..+109 on the
    wildcard address) free too, outside the ephemeral range."""
    eph = (read_text("/proc/sys/net/ipv4/ip_local_port_range", "32768 60999") or "32768 60999").split()
    lo, hi = int(eph[0]), int(eph[1])
    rnd = random.Random(os.getpid() ^ time.time_ns())
    for _ in range(300):
        p = rnd.randrange(10000, 30000, 10)
        if p + 120 >= lo and p <= hi:
            continue
        if all(port_free("127.0.0.%d" % k, p) for k in range(1, nodes + 1)) and \
                all(port_free("0.0.0.0", p + 100 + j) for j in range(10)):
            return p
    raise RuntimeError("no free base port found in 10000..30000")


def bounded(fn, seconds, what):
    """Run fn in a daemon thread; its result, its exception, or RuntimeError when it does not return
    within seconds (the thread is then left behind, stuck in the filesystem; the teardown frees it)."""
    box = {}

    def body():
        try:
            box["r"] = fn()
        except BaseException as e:  # noqa: BLE001
            box["e"] = e
    th = threading.Thread(target=body, daemon=True, name="bounded")
    th.start()
    th.join(seconds)
    if th.is_alive():
        raise RuntimeError("%s did not return within %.0f s" % (what, seconds))
    if "e" in box:
        raise box["e"]
    return box.get("r")


def fmt_s(ns, digits=2):
    if ns is None:
        return "n/a"
    return "%.*f s" % (digits, ns / 1e9)


def fmt_ms(ns):
    if ns is None:
        return "n/a"
    ms = ns / 1e6
    if abs(ms) < 10:
        return "%.2f ms" % ms
    return "%.1f ms" % ms


class PhaseStat:
    """Wall time, load and each daemon's CPU and RSS over one cluster phase."""

    def __init__(self, name):
        self.name = name
        self.seconds = None
        self.load = None
        self.before = {}
        self.after = {}
        self.builds = []


class LogWatch:
    """Follows a node's log from its current end and notes when (our clock) milestone lines appear."""

    MILESTONES = (
        ("log", None),                                   # the new process's first log line
        ("connect", "[dcdb] notice: start cluster connection"),
        ("members", "[dcdb] notice: members:"),
        ("uptodate", "[dcdb] notice: all data is up to date"),
        ("quorum", "[quorum] notice: node has quorum"),
        ("mounted", "[main] notice: mounted"),
    )

    def __init__(self, path):
        self.path = path
        try:
            self.off = os.path.getsize(path)
        except OSError:
            self.off = 0
        self.buf = b""
        self.seen = {}

    def poll(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.off)
                data = f.read()
        except OSError:
            return
        if not data:
            return
        now = mono_ns()
        self.off += len(data)
        self.buf += data
        *lines, self.buf = self.buf.split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", "replace")
            for key, pat in self.MILESTONES:
                if key not in self.seen and (pat is None or pat in line):
                    self.seen[key] = now

    def rel(self, t0):
        return {k: v - t0 for k, v in self.seen.items()}


def fmt_milestones(ms):
    names = {"log": "first log line", "connect": "start cluster connection", "members": "first membership",
             "uptodate": "dcdb \"all data is up to date\"", "quorum": "\"node has quorum\"", "mounted": "\"mounted\""}
    parts = ["%s %s" % (names[k], fmt_s(ms[k])) for k, _ in LogWatch.MILESTONES if k in ms]
    return ", ".join(parts) if parts else "no log lines seen"


class Cluster:
    """The 3-node cluster in a fresh directory: start, stop one node, start one node, teardown."""

    def __init__(self, a):
        self.a = a
        self.base = None
        self.root = None      # frozen copy of scripts/ and the daemon jars
        self.dir = None       # the scripts/cluster directory
        self.port = a.base_port
        self.errors = []
        self.info = []
        self.warnings = []
        self.children = []    # Popen objects we started (scripts/cluster, the propagation reader)
        self.down = set()     # nodes currently stopped on purpose
        self.pids_seen = {}   # node -> pids we verified from its pid file
        self.final = {}       # node -> stats taken just before the teardown
        self.up_seconds = None
        self.torn_down = False
        self.disk_desc = None
        self.jar_desc = None

    # paths
    def node_dir(self, k):
        return os.path.join(self.dir, "node%d" % k)

    def mnt(self, k):
        return os.path.join(self.node_dir(k), "mnt")

    def pidfile(self, k):
        return os.path.join(self.node_dir(k), "pid")

    def logfile(self, k):
        return os.path.join(self.node_dir(k), "log")

    def datadir(self, k):
        return os.path.join(self.node_dir(k), "data")

    def script(self):
        return os.path.join(self.root, "scripts", "cluster")

    def node_pid(self, k):
        """The pid in node k's pid file if that process is alive and is the daemon we started for
        this pid file (its command line names the pid file), else None."""
        txt = read_text(self.pidfile(k))
        if not txt or not txt.strip().isdigit():
            return None
        pid = int(txt.strip())
        cmd = read_text("/proc/%d/cmdline" % pid)
        if not cmd or self.pidfile(k) not in cmd.split("\0") or not pid_alive(pid):
            return None
        self.pids_seen.setdefault(k, set()).add(pid)
        return pid

    def snap_nodes(self):
        d = {}
        for k in range(1, CL_NODES + 1):
            pid = self.node_pid(k)
            if pid:
                d[k] = (pid, proc_cpu_ns(pid), rss_kib(pid))
        return d

    # set-up
    def snapshot(self, deadline):
        """Copy scripts/cluster, scripts/pmxcfs and the built jars into a private root, so a build
        running elsewhere on this machine cannot change the daemons under the benchmark."""
        tgt = os.path.join(ROOT, "pmxcfs", "target")

        def built():
            return os.path.isdir(os.path.join(tgt, "lib")) and any(
                f.startswith("pmxcfs-") and f.endswith(".jar") for f in os.listdir(tgt))
        if not (os.path.isdir(tgt) and built()):
            log("no built jar yet: building the project first (mvn -q -B -DskipTests package)")
            p = subprocess.run(["mvn", "-q", "-B", "-DskipTests", "package"], cwd=ROOT, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                               timeout=max(10, min(BUILD_READY_TIMEOUT, deadline - time.monotonic())))
            if p.returncode != 0 or not built():
                raise RuntimeError("build failed (rc %d):\n%s" % (p.returncode, p.stdout[-3000:]))
        for attempt in range(5):
            if attempt:
                log("the jars changed while they were copied (a build is running?); again in 10 s")
                time.sleep(10)
            st0 = jar_stamp()
            if os.path.isdir(self.root):
                shutil.rmtree(self.root)
            os.makedirs(os.path.join(self.root, "scripts"))
            os.makedirs(os.path.join(self.root, "pmxcfs", "target", "lib"))
            for f in ("cluster", "pmxcfs"):
                shutil.copy2(os.path.join(ROOT, "scripts", f), os.path.join(self.root, "scripts", f))
            jars = []
            for f in sorted(os.listdir(tgt)):
                if f.startswith("pmxcfs-") and f.endswith(".jar"):
                    shutil.copy2(os.path.join(tgt, f), os.path.join(self.root, "pmxcfs", "target", f))
                    jars.append(os.path.join(self.root, "pmxcfs", "target", f))
            for f in sorted(os.listdir(os.path.join(tgt, "lib"))):
                shutil.copy2(os.path.join(tgt, "lib", f), os.path.join(self.root, "pmxcfs", "target", "lib", f))
                jars.append(os.path.join(self.root, "pmxcfs", "target", "lib", f))
            st1 = jar_stamp()
            ok = st0 == st1 and bool(st0)
            for j in jars:
                try:
                    with zipfile.ZipFile(j) as z:
                        if j.endswith(".jar") and os.path.basename(j).startswith("pmxcfs-") and z.testzip() is not None:
                            ok = False
                except (OSError, zipfile.BadZipFile):
                    ok = False
            if ok:
                main_jar = [j for j in jars if os.path.basename(j).startswith("pmxcfs-")][0]
                mt = datetime.datetime.fromtimestamp(os.path.getmtime(main_jar))
                self.jar_desc = ("pmxcfs/target/%s (built %s) and pmxcfs/target/lib/ (%d jars), copied to %s at "
                                 "the start so a rebuild elsewhere cannot change the running daemons"
                                 % (os.path.basename(main_jar), mt.strftime("%Y-%m-%d %H:%M:%S"),
                                    len(jars) - 1, self.root))
                return
        raise RuntimeError("the daemon jars kept changing while they were copied (a build is running)")

    def setup(self, deadline):
        self.base = tempfile.mkdtemp(prefix="pmxcfs-cbench.", dir="/var/tmp")
        self.root = os.path.join(self.base, "root")
        self.dir = os.path.join(self.base, "cluster")
        self.disk_desc = (self.base, describe_disk(self.base))
        log("cluster dir %s" % self.base)
        self.snapshot(deadline)
        if self.port is None:
            self.port = pick_base_port(CL_NODES)
        cmd = [self.script(), "up", str(CL_NODES), self.dir, "--base-port", str(self.port)]
        log("starting: %s" % shlex.join(cmd))
        t0 = time.monotonic()
        out = os.path.join(self.base, "cluster-up.out")
        with open(out, "wb") as f:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT,
                                 start_new_session=True, cwd=self.base)
            self.children.append(p)
            bound = max(5.0, min(CL_UP_TIMEOUT, deadline - time.monotonic()))
            try:
                rc = p.wait(bound)
            except subprocess.TimeoutExpired:
                self.kill_child(p)
                raise RuntimeError("`scripts/cluster up` did not return within %.0f s; output:\n%s"
                                   % (bound, self.tail(out)))
        self.up_seconds = time.monotonic() - t0
        if rc != 0:
            raise RuntimeError("`scripts/cluster up` failed (rc %d):\n%s%s" % (rc, self.tail(out), self.log_tails()))
        for k in range(1, CL_NODES + 1):
            if self.node_pid(k) is None:
                raise RuntimeError("node%d: no live daemon for its pid file after `scripts/cluster up`" % k)
        log("cluster up in %.1f s (base port %d)" % (self.up_seconds, self.port))
        cmd1 = (read_text("/proc/%d/cmdline" % self.node_pid(1), "") or "").rstrip("\0").split("\0")
        # from the main class on: the JVM options and class path are not interesting here
        try:
            cmd1 = cmd1[cmd1.index("org.pmxcfs.daemon.Main") + 1:]
        except ValueError:
            pass
        self.info.append("Cluster: `%s` (%.1f s until all nodes were quorate); node 1's daemon runs "
                         "`... org.pmxcfs.daemon.Main %s` (the daemonized child; `--foreground` is added by the "
                         "parent)" % (shlex.join(["scripts/cluster"] + cmd[1:]), self.up_seconds,
                                      shlex.join(cmd1).replace(self.base, "$DIR")))

    def start_node(self, k):
        """`scripts/cluster start DIR K` in the background; returns the Popen."""
        out = open(os.path.join(self.base, "start-node%d.out" % k), "ab")
        p = subprocess.Popen([self.script(), "start", self.dir, str(k)], stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT, start_new_session=True, cwd=self.base)
        out.close()
        self.children.append(p)
        return p

    def start_output(self, k):
        return self.tail(os.path.join(self.base, "start-node%d.out" % k))

    def stop_node(self, k, sig=signal.SIGTERM, bound=CL_STOP_TIMEOUT):
        """Signal node k's daemon (verified pid) and wait until it is gone, SIGKILL after bound seconds.
        Returns (seconds until gone, killed with SIGKILL?). Unmounts a leftover mount lazily."""
        pid = self.node_pid(k)
        if pid is None:
            raise RuntimeError("node%d: no live daemon for %s" % (k, self.pidfile(k)))
        t0 = time.monotonic()
        os.kill(pid, sig)
        killed = sig == signal.SIGKILL
        while pid_alive(pid):
            if time.monotonic() - t0 > bound and not killed:
                self.errors.append("node%d (pid %d) did not exit within %.0f s of %s; killed with SIGKILL"
                                   % (k, pid, bound, signal.Signals(sig).name))
                os.kill(pid, signal.SIGKILL)
                killed = True
            if time.monotonic() - t0 > bound + 10:
                raise RuntimeError("node%d (pid %d) still alive after SIGKILL" % (k, pid))
            time.sleep(0.005)
        gone = time.monotonic() - t0
        self.down.add(k)
        return gone, killed

    def kill_child(self, p):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                try:
                    p.kill()
                except OSError:
                    pass
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                pass

    def tail(self, path, n=15):
        txt = read_text(path, "") or ""
        return "\n".join("    " + l for l in txt.splitlines()[-n:])

    def log_tails(self, n=8):
        out = []
        for k in range(1, CL_NODES + 1):
            out.append("\n  node%d log:\n%s" % (k, self.tail(self.logfile(k), n)))
        return "".join(out)

    def teardown(self):
        if self.torn_down or self.base is None:
            return
        self.torn_down = True
        for p in self.children:
            # the propagation reader, and `scripts/cluster` wrappers still waiting for a daemon to mount or
            # for quorum (a daemon in its own session, started by one of them, is stopped via its pid file)
            self.kill_child(p)
        if self.dir and os.path.isdir(self.dir):
            for k in range(1, CL_NODES + 1):
                pid = self.node_pid(k)
                if pid is None:
                    continue
                try:
                    hwm = proc_status(pid, "VmHWM")
                    self.final[k] = (pid, proc_cpu_ns(pid), hwm, proc_status(pid, "Threads"))
                except Exception:  # noqa: BLE001
                    pass
            for k in range(1, CL_NODES + 1):
                pid = self.node_pid(k)
                if pid is not None:
                    try:
                        os.kill(pid, signal.SIGTERM)
                    except OSError:
                        pass
            t0 = time.monotonic()
            for k in range(1, CL_NODES + 1):
                for pid in sorted(self.pids_seen.get(k, ())):
                    while pid_alive(pid) and time.monotonic() - t0 < CL_STOP_TIMEOUT:
                        time.sleep(0.05)
                pid = self.node_pid(k)
                if pid is not None:
                    self.errors.append("node%d (pid %d) did not exit within %.0f s of SIGTERM at the teardown; "
                                       "killed with SIGKILL" % (k, pid, CL_STOP_TIMEOUT))
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
        # a daemon that was still starting has no pid file yet: wait for it to write one (or to die)
        t0 = time.monotonic()
        while self.dir and self.leftovers() and time.monotonic() - t0 < 30:
            for k in range(1, CL_NODES + 1):
                pid = self.node_pid(k)
                if pid is not None:
                    try:
                        os.kill(pid, signal.SIGTERM if time.monotonic() - t0 < 20 else signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.2)
        if self.dir:
            for k in range(1, CL_NODES + 1):
                if is_mounted(self.mnt(k)):
                    lazy_umount(self.mnt(k))
                if is_mounted(self.mnt(k)):
                    self.errors.append("could not unmount %s" % self.mnt(k))
        # daemons of this run that no pid file names (never expected): report, do not kill
        left = self.leftovers()
        if left:
            self.errors.append("daemon processes of this run still alive after the teardown (not in any pid file, "
                               "not killed): %s" % " ".join(map(str, left)))
        self.scan_logs()
        mounted = self.dir and any(is_mounted(self.mnt(k)) for k in range(1, CL_NODES + 1))
        if self.a.keep or left or mounted:
            why = "--keep" if self.a.keep else "processes or mounts left"
            self.info.append("Kept %s (%s)" % (self.base, why))
            log("kept %s (%s)" % (self.base, why))
        else:
            shutil.rmtree(self.base, ignore_errors=True)

    def leftovers(self):
        """pids of live daemon processes of this run (their command line names our directory)."""
        left = []
        for d in os.listdir("/proc"):
            if d.isdigit() and int(d) != os.getpid():
                cmd = read_text("/proc/%s/cmdline" % d, "") or ""
                if self.base in cmd and "org.pmxcfs.daemon.Main" in cmd and pid_alive(int(d)):
                    left.append(int(d))
        return left

    def scan_logs(self):
        for k in range(1, CL_NODES + 1):
            txt = read_text(self.logfile(k)) if self.dir else None
            if not txt:
                continue
            bad = [l for l in txt.splitlines()
                   if ("ERROR" in l or "Exception" in l or " WARN" in l or "crit:" in l or " err:" in l
                       or "error:" in l)]
            if bad:
                self.info.append("node%d log: %d crit/error/warning lines, first: `%s`%s"
                                 % (k, len(bad), bad[0].strip()[:240],
                                    "; last: `%s`" % bad[-1].strip()[:240] if len(bad) > 1 else ""))


class ClusterWorkload:
    """The measured phases, run in a worker thread; results go to self.r (name -> dict)."""

    def __init__(self, a, cl, deadline):
        self.a = a
        self.c = cl
        self.deadline = deadline
        self.stop = False
        self.r = {}
        self.pstats = []
        self.errors = []
        self.notrun = []
        self.tag = str(os.getpid())
        self.reader = None
        self.fail = a.fail_node
        self.writer = 1 if a.fail_node != 1 else 2    # the node writing while the other one fails

    def check(self):
        if self.stop:
            raise BenchTimeout("stopped")
        if time.monotonic() > self.deadline:
            raise BenchTimeout("overall timeout reached")

    def m(self, k, *rel):
        return os.path.join(self.c.mnt(k), *rel)

    def stat_phase(self, name):
        ps = PhaseStat(name)
        ps.load = (read_text("/proc/loadavg", "?") or "?").split()[0]
        ps.builds = busy_builds()
        ps.before = self.c.snap_nodes()
        ps.t0 = time.monotonic()
        self.pstats.append(ps)
        return ps

    def end_phase(self, ps):
        ps.seconds = time.monotonic() - ps.t0
        ps.after = self.c.snap_nodes()

    def wait_until(self, what, cond, bound, step=0.005):
        """Poll cond() until true; its first true time (mono ns); RuntimeError after bound seconds."""
        t_end = time.monotonic() + bound
        while True:
            if cond():
                return mono_ns()
            if time.monotonic() > t_end:
                raise RuntimeError("%s: not within %.0f s" % (what, bound))
            self.check()
            time.sleep(step)

    # ------------------------------------------------------------------ health
    def health(self):
        """None if all running nodes are quorate and see each other and a create on node 1 shows up
        on all of them; else what is wrong."""
        live = [k for k in range(1, CL_NODES + 1) if k not in self.c.down]
        try:
            for k in live:
                m = bounded(lambda: read_members(self.c.mnt(k)), 10, "reading node%d/.members" % k)
                if not members_quorate(m):
                    return "node%d is not quorate (.members: %s)" % (k, json.dumps(m)[:300] if m else "unreadable")
                for j in live:
                    if members_online(m, "node%d" % j) is not True:
                        return "node%d does not list node%d as online" % (k, j)
            w = live[0]
            bounded(lambda: os.makedirs(self.m(w, "bench"), exist_ok=True), CL_PROBE_BOUND, "a mkdir on node%d" % w)
            probe = "bench/health.%d" % mono_ns()
            data = prop_body(probe.split(".")[-1], 64)
            bounded(lambda: write_new(self.m(w, probe), data), CL_PROBE_BOUND, "a create on node%d" % w)
            for k in live:
                def seen(k=k):
                    try:
                        with open(self.m(k, probe), "rb") as f:
                            return f.read() == data
                    except OSError:
                        return False
                self.wait_until("the probe file on node%d" % k, lambda: bounded(seen, 10, "a read on node%d" % k), 10)
            bounded(lambda: os.unlink(self.m(w, probe)), CL_PROBE_BOUND, "an unlink on node%d" % w)
        except BenchTimeout:
            raise
        except Exception as e:  # noqa: BLE001
            return "%s: %s" % (type(e).__name__, e)
        return None

    # ------------------------------------------------------------------ phase 1
    def timed_ops(self, key, label, items, op):
        lat = []
        t0 = time.perf_counter_ns()
        for k, it in enumerate(items):
            if k & 31 == 0:
                self.check()
            s = time.perf_counter_ns()
            op(it)
            lat.append(time.perf_counter_ns() - s)
        t1 = time.perf_counter_ns()
        self.r[key] = {"ops": len(lat), "seconds": (t1 - t0) / 1e9, "lat": sorted(lat), "label": label}
        log("  %-28s %6d ops %7.2f s %9.1f ops/s  p50 %s p99 %s" % (
            label, len(lat), (t1 - t0) / 1e9, len(lat) / ((t1 - t0) / 1e9), fmt_us(pct(sorted(lat), 50)),
            fmt_us(pct(sorted(lat), 99))))

    def phase_writes(self):
        # node1 is the JGroups coordinator (it started first), which also orders all messages (SEQUENCER):
        # its own writes need no hop to another node first. node3 shows a node without that advantage.
        self.writes_on(1, 3, "")
        self.writes_on(3, 1, "3")

    def writes_on(self, k, other, sfx):
        a = self.a
        n = a.n
        node = "node%d" % k
        w = self.m(k, "bench", "warm")
        os.makedirs(w)
        wn = a.warmup
        log("  warm-up: %d creates, replaces and deletes on %s (not measured)" % (wn, node))
        ps = self.stat_phase("warm-up on %s (%d creates+replaces+deletes)" % (node, wn))
        wf = [os.path.join(w, "w%05d" % i) for i in range(wn)]
        for i, f in enumerate(wf):
            if i & 31 == 0:
                self.check()
            write_new(f, content(i))
        for i, f in enumerate(wf):
            if i & 31 == 0:
                self.check()
            replace(f, content(i + 1), self.tag)
        for i, f in enumerate(wf):
            if i & 31 == 0:
                self.check()
            os.unlink(f)
        os.rmdir(w)
        self.end_phase(ps)

        sub = "w" + sfx
        d = self.m(k, "bench", sub)
        os.makedirs(d)
        files = [os.path.join(d, "f%05d" % i) for i in range(n)]
        datas = [content(i) for i in range(n)]
        rdatas = [content(i + n) for i in range(n)]
        ps = self.stat_phase("create, replace %d x 1 KiB on %s" % (n, node))
        self.timed_ops("create" + sfx, "create 1 KiB on %s" % node, range(n), lambda i: write_new(files[i], datas[i]))
        self.timed_ops("replace" + sfx, "replace 1 KiB on %s" % node, range(n),
                       lambda i: replace(files[i], rdatas[i], self.tag))
        t_end = mono_ns()
        self.end_phase(ps)
        # unmeasured: the other node must hold the replaced content of every file
        pending = set(range(n))

        def all_there():
            for i in sorted(pending):
                try:
                    with open(self.m(other, "bench", sub, "f%05d" % i), "rb") as f:
                        if f.read() == rdatas[i]:
                            pending.discard(i)
                except OSError:
                    pass
            return not pending
        try:
            t = self.wait_until("node%d holding the replaced content of all %d files" % (other, n), all_there,
                                CL_CONVERGE_BOUND, step=0.02)
            self.r["replace_conv" + sfx] = t - t_end
        except RuntimeError as e:
            raise RuntimeError("%s (%d still missing or different, e.g. f%05d)" % (e, len(pending), min(pending)))
        ps = self.stat_phase("delete %d on %s" % (n, node))
        self.timed_ops("delete" + sfx, "delete on %s" % node, files, os.unlink)
        self.end_phase(ps)
        od = self.m(other, "bench", sub)
        self.wait_until("node%d seeing all %d deletes" % (other, n),
                        lambda: not os.path.exists(od) or not os.listdir(od), CL_CONVERGE_BOUND, step=0.02)
        os.rmdir(d)

    # ------------------------------------------------------------------ phase 2
    def reader_start(self):
        p = subprocess.Popen([sys.executable, "-c", PROP_READER, self.c.mnt(3)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True, bufsize=1)
        self.c.children.append(p)
        self.reader = p
        return p

    def reader_line(self, bound):
        p = self.reader
        t_end = time.monotonic() + bound
        while True:
            r, _, _ = select.select([p.stdout], [], [], 0.2)
            if r:
                line = p.stdout.readline()
                if not line:
                    raise RuntimeError("the propagation reader exited (rc %s)" % p.poll())
                return line.split()
            if time.monotonic() > t_end:
                raise RuntimeError("no answer from the propagation reader within %.0f s" % bound)
            self.check()

    def prop_sample(self, rel, value, op):
        """One sample: the reader polls node 3 for rel holding value; we run op on node 1.
        Returns (seen - op returned, seen - op started, polls, mean poll ns)."""
        self.reader.stdin.write("expect %s %s %d %d\n" % (rel, value, SMALL, 10000))
        self.reader.stdin.flush()
        if self.reader_line(10) != ["ready"]:
            raise RuntimeError("the propagation reader is confused")
        t0 = mono_ns()
        op()
        t1 = mono_ns()
        ans = self.reader_line(15)
        if ans[0] != "seen":
            raise RuntimeError("%s with value %s not readable on node3 within 10 s of the write (%s polls)"
                               % (rel, value, ans[1] if len(ans) > 1 else "?"))
        seen, polls, start = int(ans[1]), int(ans[2]), int(ans[3])
        return seen - t1, seen - t0, polls, (seen - start) / max(1, polls)

    def phase_propagation(self):
        a = self.a
        os.makedirs(self.m(1, "bench", "prop"))
        self.wait_until("bench/prop on node3", lambda: os.path.isdir(self.m(3, "bench", "prop")), 10)
        self.reader_start()
        rpath = self.m(1, "bench", "prop", "r")
        write_new(rpath, prop_body("initial", SMALL))
        ps = self.stat_phase("propagation, %d + %d samples (+ %d warm-up)" % (a.prop_samples, a.prop_samples, 20))
        uniq = "%d-%d" % (os.getpid(), mono_ns() % 1000000007)
        for variant in ("create", "replace"):
            res = []
            polls = []
            for i in range(-20, a.prop_samples):
                self.check()
                value = "%s-%s-%d" % (variant[0], uniq, i)
                if variant == "create":
                    rel = "bench/prop/c%05d" % (i + 20)
                    body = prop_body(value, SMALL)
                    s = self.prop_sample(rel, value, lambda: write_new(self.m(1, rel), body))
                else:
                    rel = "bench/prop/r"
                    body = prop_body(value, SMALL)
                    s = self.prop_sample(rel, value, lambda: replace(rpath, body, self.tag))
                if i >= 0:
                    res.append(s)
                    polls.append(s[3])
            after = sorted(x[0] for x in res)
            since = sorted(x[1] for x in res)
            self.r["prop_" + variant] = {
                "after": after, "since": since, "poll_ns": sum(polls) / len(polls),
                "negative": sum(1 for x in after if x < 0), "n": len(res)}
            log("  propagation %-8s p50 %s p99 %s after the %s returned (p50 %s p99 %s after it started); "
                "mean poll %.0f µs" % (variant, fmt_ms(pct(after, 50)), fmt_ms(pct(after, 99)),
                                       "close" if variant == "create" else "rename",
                                       fmt_ms(pct(since, 50)), fmt_ms(pct(since, 99)), sum(polls) / len(polls) / 1e3))
        self.end_phase(ps)
        try:
            self.reader.stdin.write("quit\n")
            self.reader.stdin.flush()
            self.reader.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            self.c.kill_child(self.reader)

    # ------------------------------------------------------------------ phase 3
    def phase_failover(self):
        f = self.fail
        name = "node%d" % f
        W = self.writer
        wname = "node%d" % W
        pid = self.c.node_pid(f)
        if pid is None:
            raise RuntimeError("%s is not running" % name)
        os.makedirs(self.m(W, "bench", "fo"))
        ps = self.stat_phase("failover: kill -9 %s" % name)
        st = {"off": None, "quorate_lost": None, "umount": None, "gone": None}
        done = threading.Event()

        def watch_members():
            while not done.is_set():
                try:
                    mm = read_members(self.c.mnt(W))
                except Exception:  # noqa: BLE001
                    mm = None
                now = mono_ns()
                if mm:
                    if st["off"] is None and members_online(mm, name) is False:
                        st["off"] = now
                    if st["quorate_lost"] is None and not members_quorate(mm):
                        st["quorate_lost"] = now
                time.sleep(0.002)

        def reap():
            t_end = time.monotonic() + 10
            while pid_alive(pid) and time.monotonic() < t_end:
                time.sleep(0.001)
            st["gone"] = mono_ns()
            # the killed daemon leaves its FUSE mount behind (ENOTCONN): lazy unmount
            lazy_umount(self.c.mnt(f))
            st["umount"] = mono_ns()
        watcher = threading.Thread(target=watch_members, daemon=True, name="members")
        watcher.start()
        time.sleep(0.05)
        t_kill = mono_ns()
        os.kill(pid, signal.SIGKILL)
        self.c.down.add(f)
        reaper = threading.Thread(target=reap, daemon=True, name="reap")
        reaper.start()
        attempts = []        # (start, end, error or None)
        i = 0
        bound_ns = int(CL_PHASE_BOUND * 1e9)
        try:
            while True:
                self.check()
                s = mono_ns()
                if s - t_kill > bound_ns:
                    break
                err = None
                try:
                    write_new(self.m(W, "bench", "fo", "a%05d" % i), content(i))
                except OSError as e:
                    err = errno.errorcode.get(e.errno, str(e.errno))
                e_ = mono_ns()
                attempts.append((s, e_, err))
                i += 1
                off = st["off"]
                ok_after = [x for x in attempts if x[2] is None and off is not None and x[1] > off]
                if off is not None and len(ok_after) >= 3 and e_ - off > 1e9:
                    break
                time.sleep(0.01)
        finally:
            done.set()
            watcher.join(5)
            reaper.join(12)
        self.end_phase(ps)
        oks = [x for x in attempts if x[2] is None]
        fails = [x for x in attempts if x[2] is not None]
        gaps = []
        prev = t_kill
        for x in oks:
            gaps.append((x[1] - prev, x[1]))
            prev = x[1]
        if attempts and attempts[-1][2] is not None:
            gaps.append((attempts[-1][1] - prev, attempts[-1][1]))
        outage = max(gaps) if gaps else (None, None)
        off = st["off"]
        first_after_off = next((x for x in oks if off is not None and x[1] > off), None)
        errs = {}
        for x in fails:
            errs[x[2]] = errs.get(x[2], 0) + 1
        self.r["failover"] = {
            "node": name, "attempts": len(attempts), "ok": len(oks), "fails": errs,
            "first_ok": (oks[0][1] - t_kill) if oks else None,
            "off": (off - t_kill) if off is not None else None,
            "quorate_lost": (st["quorate_lost"] - t_kill) if st["quorate_lost"] is not None else None,
            "outage": outage[0], "outage_end": (outage[1] - t_kill) if outage[1] else None,
            "after_off": (first_after_off[1] - t_kill) if first_after_off else None,
            "max_lat": max((x[1] - x[0] for x in attempts), default=None),
            "gone": (st["gone"] - t_kill) if st["gone"] else None,
            "files": len(oks), "writer": wname,
        }
        r = self.r["failover"]
        log("  kill -9 %s: offline in %s/.members after %s, first write there ok after %s, longest time without a "
            "completed write %s (ending %s after the kill), %d attempts, failures %s"
            % (name, wname, fmt_s(r["off"]), fmt_s(r["first_ok"], 3), fmt_s(r["outage"], 3), fmt_s(r["outage_end"]),
               len(attempts), errs or "none"))
        if off is None:
            raise RuntimeError("%s's .members did not show %s offline within %.0f s of the kill"
                               % (wname, name, CL_PHASE_BOUND))
        if first_after_off is None:
            raise RuntimeError("%s did not complete a write within %.0f s after %s was killed (%d attempts, %s)"
                               % (wname, CL_PHASE_BOUND, name, len(attempts), errs or "all blocked"))
        if fails:
            self.errors.append("failover: %d of %d creates on %s failed after %s was killed: %s (the slowest took %s)"
                               % (len(fails), len(attempts), wname, name,
                                  ", ".join("%s x%d" % kv for kv in sorted(errs.items())),
                                  fmt_s(max(x[1] - x[0] for x in fails), 2)))

    # ------------------------------------------------------------------ phase 4
    def phase_return(self):
        f = self.fail
        name = "node%d" % f
        W = self.writer
        wname = "node%d" % W
        if self.c.node_pid(f) is not None:
            raise RuntimeError("%s is running; nothing to return" % name)
        if is_mounted(self.c.mnt(f)):
            lazy_umount(self.c.mnt(f))
        fo_files = sorted(os.listdir(self.m(W, "bench", "fo")))
        os.makedirs(self.m(W, "bench", "ret"), exist_ok=True)
        value = "ret-%d" % mono_ns()
        body = prop_body(value, SMALL)
        write_new(self.m(W, "bench", "ret", "marker"), body)
        ps = self.stat_phase("return: restart %s" % name)
        lw = LogWatch(self.c.logfile(f))
        t0 = mono_ns()
        p = self.c.start_node(f)
        st = {"cmd": None, "rc": None, "mounted": None, "quorate": None, "synced": None, "seen1": None}
        t_end = time.monotonic() + CL_PHASE_BOUND
        while None in st.values():
            self.check()
            now = mono_ns()
            if st["cmd"] is None and p.poll() is not None:
                st["cmd"], st["rc"] = now, p.returncode
                if p.returncode != 0:
                    break
            if st["mounted"] is None and is_mounted(self.c.mnt(f)):
                st["mounted"] = now
            if st["mounted"] is not None:
                if st["quorate"] is None and members_quorate(read_members(self.c.mnt(f))):
                    st["quorate"] = mono_ns()
                if st["synced"] is None:
                    try:
                        with open(self.m(f, "bench", "ret", "marker"), "rb") as fh:
                            if fh.read() == body:
                                st["synced"] = mono_ns()
                    except OSError:
                        pass
            if st["seen1"] is None and members_online(read_members(self.c.mnt(W)), name) is True:
                st["seen1"] = mono_ns()
            lw.poll()
            if time.monotonic() > t_end:
                break
            time.sleep(0.005)
        lw.poll()
        self.end_phase(ps)
        self.c.down.discard(f)
        self.r["return"] = {k: (v - t0 if v is not None and k != "rc" else v) for k, v in st.items()}
        self.r["return"]["node"] = name
        self.r["return"]["writer"] = wname
        self.r["return"]["log"] = lw.rel(t0)
        r = self.r["return"]
        log("  restart %s: start command returned %s, mounted %s, quorate %s, marker readable %s, online in "
            "%s/.members %s" % (name, fmt_s(r["cmd"]), fmt_s(r["mounted"]), fmt_s(r["quorate"]),
                                fmt_s(r["synced"]), wname, fmt_s(r["seen1"])))
        if st["rc"] not in (None, 0):
            raise RuntimeError("`scripts/cluster start %s %d` failed (rc %d):\n%s"
                               % ("$DIR", f, st["rc"], self.c.start_output(f)))
        missing = [k for k, v in st.items() if v is None and k != "rc"]
        if missing:
            raise RuntimeError("%s not %s within %.0f s of its start" % (name, ", ".join(missing), CL_PHASE_BOUND))
        # unmeasured: the creates made while it was away are there
        want = set(fo_files)
        self.wait_until("%s holding the %d files written while it was down" % (name, len(want)),
                        lambda: want <= set(os.listdir(self.m(f, "bench", "fo"))), CL_CONVERGE_BOUND, step=0.02)

    # ------------------------------------------------------------------ phase 5
    def count_js(self, k, ndirs):
        n = 0
        for d in range(ndirs):
            try:
                n += len(os.listdir(self.m(k, "bench", "js", "d%02d" % d)))
            except OSError:
                pass
        return n

    def phase_join(self):
        a = self.a
        nf, size = a.join_files, a.join_size
        ndirs = max(1, (nf + 999) // 1000)

        def path(k, i):
            return self.m(k, "bench", "js", "d%02d" % (i % ndirs), "f%05d" % i)
        # the 30 MiB cap: make room first
        for sub in os.listdir(self.m(1, "bench")):
            p = self.m(1, "bench", sub)
            if os.path.isdir(p):
                shutil.rmtree(p)
            else:
                os.unlink(p)
        for d in range(ndirs):
            os.makedirs(self.m(1, "bench", "js", "d%02d" % d))
        nth = 4
        ps = self.stat_phase("fill: %s files of %s B via node1 (%d threads)" % (format(nf, ","), format(size, ","), nth))
        errs = []
        t0 = time.monotonic()

        def filler(t):
            try:
                for i in range(t, nf, nth):
                    if self.stop or time.monotonic() > self.deadline:
                        errs.append("stopped")
                        return
                    write_new(path(1, i), join_body(i, size))
            except Exception as e:  # noqa: BLE001
                errs.append("%s: %s" % (type(e).__name__, e))
        ths = [threading.Thread(target=filler, args=(t,), daemon=True) for t in range(nth)]
        for t in ths:
            t.start()
        for t in ths:
            while t.is_alive():
                t.join(0.5)
                self.check()
        fill_s = time.monotonic() - t0
        t_fill_end = mono_ns()
        if errs:
            raise RuntimeError("writing the %d files failed: %s" % (nf, errs[0]))
        conv = {}
        for k in range(1, CL_NODES + 1):
            t = self.wait_until("node%d holding all %d files" % (k, nf), lambda k=k: self.count_js(k, ndirs) == nf,
                                CL_CONVERGE_BOUND, step=0.02)
            conv[k] = t - t_fill_end
        self.end_phase(ps)
        log("  filled %d files in %.1f s (%.0f creates/s, %d threads); all nodes had them %s after the last close"
            % (nf, fill_s, nf / fill_s, nth, fmt_s(max(conv.values()))))
        total = 0
        for dp, _, fs in os.walk(self.c.mnt(1)):
            for fn in fs:
                if not fn.startswith("."):
                    try:
                        total += os.stat(os.path.join(dp, fn)).st_size
                    except OSError:
                        pass

        # stop node 3 and wipe its database
        j = 3
        name = "node%d" % j
        ps = self.stat_phase("join: %s with an empty data dir" % name)
        gone, killed = self.c.stop_node(j)
        if is_mounted(self.c.mnt(j)):
            self.errors.append("join: %s left its mount behind after SIGTERM" % name)
            lazy_umount(self.c.mnt(j))
        self.wait_until("node1 listing %s offline" % name,
                        lambda: members_online(read_members(self.c.mnt(1)), name) is False, 30)
        shutil.rmtree(self.c.datadir(j))
        sample = list(range(0, nf, max(1, nf // 200)))
        want_sum = hashlib.sha256(b"".join(join_body(i, size) for i in sample)).hexdigest()
        lw = LogWatch(self.c.logfile(j))
        t0 = mono_ns()
        p = self.c.start_node(j)
        st = {"cmd": None, "rc": None, "mounted": None, "quorate": None, "count": None, "synced": None}
        last_count = 0
        t_end = time.monotonic() + CL_PHASE_BOUND
        while None in st.values():
            self.check()
            now = mono_ns()
            if st["cmd"] is None and p.poll() is not None:
                st["cmd"], st["rc"] = now, p.returncode
                if p.returncode != 0:
                    break
            if st["mounted"] is None and is_mounted(self.c.mnt(j)):
                st["mounted"] = now
            if st["mounted"] is not None:
                if st["quorate"] is None and members_quorate(read_members(self.c.mnt(j))):
                    st["quorate"] = mono_ns()
                if st["synced"] is None:
                    last_count = self.count_js(j, ndirs)
                    if last_count == nf:
                        if st["count"] is None:
                            st["count"] = mono_ns()
                        h = hashlib.sha256()
                        try:
                            for i in sample:
                                with open(path(j, i), "rb") as fh:
                                    h.update(fh.read())
                            if h.hexdigest() == want_sum:
                                st["synced"] = mono_ns()
                        except OSError:
                            pass
            lw.poll()
            if time.monotonic() > t_end:
                break
            time.sleep(0.01)
        lw.poll()
        self.end_phase(ps)
        self.c.down.discard(j)
        r = {k: (v - t0 if v is not None and k != "rc" else v) for k, v in st.items()}
        r["log"] = lw.rel(t0)
        r.update({"node": name, "files": nf, "size": size, "total": total, "fill_s": fill_s,
                  "conv": max(conv.values()), "stop_s": gone, "killed": killed})
        self.r["join"] = r
        log("  join of %s (empty db): start command returned %s, mounted %s, quorate %s, %d files %s, sample "
            "checksum ok %s" % (name, fmt_s(r["cmd"]), fmt_s(r["mounted"]), fmt_s(r["quorate"]), nf,
                                fmt_s(r["count"]), fmt_s(r["synced"])))
        if st["rc"] not in (None, 0):
            raise RuntimeError("`scripts/cluster start $DIR %d` failed (rc %d):\n%s" % (j, st["rc"], self.c.start_output(j)))
        missing = [k for k, v in st.items() if v is None and k != "rc"]
        if missing:
            raise RuntimeError("%s not %s within %.0f s of its start (%d of %d files there)"
                               % (name, ", ".join(missing), CL_PHASE_BOUND, last_count, nf))
        # unmeasured: every file, byte for byte
        bad = []
        for i in range(nf):
            if i & 255 == 0:
                self.check()
            try:
                with open(path(j, i), "rb") as fh:
                    if fh.read() != join_body(i, size):
                        bad.append(i)
            except OSError as e:
                bad.append(i)
                if len(bad) == 1:
                    log("  %s: %s" % (path(j, i), e))
        if bad:
            raise RuntimeError("%s: %d of %d files differ from what was written (e.g. f%05d)" % (name, len(bad), nf, bad[0]))
        try:
            r["db"] = ", ".join("%s %s B" % (x, format(os.path.getsize(os.path.join(self.c.datadir(j), x)), ","))
                                for x in sorted(os.listdir(self.c.datadir(j))) if x.startswith("config.db"))
        except OSError:
            pass

    # ------------------------------------------------------------------ driver
    def run(self):
        phases = [("writes", self.phase_writes), ("propagation", self.phase_propagation),
                  ("failover", self.phase_failover), ("return", self.phase_return), ("join", self.phase_join)]
        for i, (name, fn) in enumerate(phases):
            self.check()
            bad = self.health()
            if bad:
                self.errors.append("cluster not healthy before the %s phase: %s%s" % (name, bad, self.c.log_tails()))
                self.notrun = [n for n, _ in phases[i:]]
                log("cluster not healthy before the %s phase: %s" % (name, bad))
                return
            log("--- %s" % name)
            try:
                fn()
            except BenchTimeout:
                raise
            except Exception as e:  # noqa: BLE001
                self.errors.append("%s phase: %s: %s" % (name, type(e).__name__, e))
                log("  %s FAILED: %s: %s" % (name, type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
        bad = self.health()
        if bad:
            self.errors.append("cluster not healthy at the end: %s" % bad)


def cl_met(ok):
    if ok is None:
        return "n/a"
    return "met" if ok else "**not met**"


def build_cluster_report(a, cl, wl, cmdline, started, finished, errors, warnings, ns_note, load0, load1):
    r = wl.r if wl else {}
    out = ["# pmxcfs cluster benchmark (%d nodes on loopback)" % CL_NODES, ""]
    out.append("- Date: %s (UTC), %.0f s wall time" % (started.strftime("%Y-%m-%d %H:%M:%S"),
                                                       (finished - started).total_seconds()))
    out.append("- Command: `%s`" % cmdline)
    out.extend(machine_info([cl] if cl.disk_desc else []))
    if cl.jar_desc:
        out.append("- Daemon: %s" % cl.jar_desc)
    out.append("- Load average at start / end: %s / %s (the 1-minute load at the start of every phase is in the "
               "CPU table)" % (load0, load1))
    env = ["%s=%s" % (k, v) for k, v in sorted(os.environ.items())
           if k.startswith("PMXCFS_") and k not in (NS_MARK, "PMXCFS_BENCH_ARGV0")]
    out.append("- PMXCFS_* environment (read by the daemons): %s" % (" ".join("`%s`" % e for e in env) if env
                                                                     else "none (daemon defaults)"))
    out.append("- %s" % ns_note)
    out.append("")
    out.append("## Configuration")
    out.append("")
    for i in cl.info:
        out.append("- " + i)
    out.append("")

    out.append("## Results")
    out.append("")
    out.append("| measurement | pmxcfs-java | target | |")
    out.append("|---|---:|---:|---|")

    def row(name, ours, target="", met=None):
        out.append("| %s | %s | %s | %s |" % (name, ours, target, cl_met(met) if target else ""))

    def lat_cell(x):
        return "%s / %s ms" % (fmt_num(pct(x["lat"], 50) / 1e6, 2), fmt_num(pct(x["lat"], 99) / 1e6, 2))

    for sfx, where in (("", "node1 (coordinator)"), ("3", "node3")):
        for key, label in (("create", "create 1 KiB (O_EXCL + write + close)"),
                           ("replace", "replace 1 KiB (tmp + rename)"), ("delete", "delete")):
            x = r.get(key + sfx)
            if x:
                row("%s on %s, ops/s" % (label, where), fmt_rate(x["ops"] / x["seconds"]))
                row("&nbsp;&nbsp;latency p50 / p99", lat_cell(x))
            else:
                row("%s on %s, ops/s" % (label, where), "not run" if "writes" in wl.notrun else "FAILED")
    for variant, what in (("create", "close()"), ("replace", "rename()")):
        x = r.get("prop_" + variant)
        label = ("propagation, %s: node1's %s returned → new content readable on node3, p50 / p99"
                 % (variant, what))
        if x:
            row(label, "%s / %s" % (fmt_ms(pct(x["after"], 50)), fmt_ms(pct(x["after"], 99))),
                "p99 ≤ %s ms" % fmt_num(CL_TARGET["prop_p99_ms"]), pct(x["after"], 99) <= CL_TARGET["prop_p99_ms"] * 1e6)
        else:
            row(label, "not run" if "propagation" in wl.notrun else "FAILED",
                "p99 ≤ %s ms" % fmt_num(CL_TARGET["prop_p99_ms"]))
    fo = r.get("failover")
    fname = "node%d" % a.fail_node
    wname = "node%d" % (1 if a.fail_node != 1 else 2)
    fdesc = fname + (", the JGroups coordinator" if a.fail_node == 1 else "")
    if fo:
        row("failover (kill -9 %s): longest time %s completed no write (creates tried every 10 ms)" % (fdesc, wname),
            fmt_s(fo["outage"], 3), "≤ %s s to writable" % fmt_num(CL_TARGET["failover_s"]),
            fo["outage"] is not None and fo["outage"] <= CL_TARGET["failover_s"] * 1e9)
        row("&nbsp;&nbsp;kill → first create accepted on %s" % wname, fmt_s(fo["first_ok"], 3))
        row("&nbsp;&nbsp;kill → %s offline in %s's .members" % (fname, wname), fmt_s(fo["off"]))
        row("&nbsp;&nbsp;kill → first create completed after that", fmt_s(fo["after_off"]))
    else:
        row("failover (kill -9 %s): longest time %s completed no write" % (fdesc, wname),
            "not run" if "failover" in wl.notrun else "FAILED", "≤ %s s" % fmt_num(CL_TARGET["failover_s"]))
    rt = r.get("return")
    if rt:
        row("return (restart %s): start → quorate (its .members)" % fname, fmt_s(rt["quorate"]))
        row("&nbsp;&nbsp;start → a file written on %s just before is readable on %s" % (wname, fname),
            fmt_s(rt["synced"]))
    else:
        row("return (restart %s): start → quorate" % fname, "not run" if "return" in wl.notrun else "FAILED")
    js = r.get("join")
    if js:
        label = ("join sync: node3 restarted with an empty data dir, cluster holding %s files / %s MiB: "
                 "start → all files there (count + sample checksum)" % (format(js["files"], ","),
                                                                        fmt_num(js["total"] / MIB, 1)))
        row(label, fmt_s(js["synced"]), "≤ %s s" % fmt_num(CL_TARGET["join_s"]),
            js["synced"] is not None and js["synced"] <= CL_TARGET["join_s"] * 1e9)
        row("&nbsp;&nbsp;start → node3 quorate", fmt_s(js["quorate"]))
    else:
        row("join sync of %s files to an empty node3" % format(a.join_files, ","),
            "not run" if "join" in wl.notrun else "FAILED", "≤ %s s" % fmt_num(CL_TARGET["join_s"]))
    out.append("")

    out.append("## Details")
    out.append("")
    det = []
    if cl.up_seconds is not None:
        det.append("`scripts/cluster up` took %.1f s (three JVM starts one after the other, then quorum)." % cl.up_seconds)
    for key in ("create", "replace", "delete", "create3", "replace3", "delete3"):
        x = r.get(key)
        if x:
            det.append("%s: %d ops in %.2f s, latency p50 %s / p90 %s / p99 %s / max %s µs." % (
                x["label"], x["ops"], x["seconds"], fmt_us(pct(x["lat"], 50)), fmt_us(pct(x["lat"], 90)),
                fmt_us(pct(x["lat"], 99)), fmt_us(x["lat"][-1])))
    for sfx, k, other in (("", 1, 3), ("3", 3, 1)):
        if "replace_conv" + sfx in r:
            det.append("After the last replace returned on node%d, node%d held the new content of all %d files %s "
                       "later (checked by reading them all, every 20 ms)." % (k, other, a.n, fmt_ms(r["replace_conv" + sfx])))
    for variant in ("create", "replace"):
        x = r.get("prop_" + variant)
        if x:
            det.append("propagation, %s: %d samples; after the call returned: p50 %s, p90 %s, p99 %s, max %s, "
                       "min %s (%d samples were readable on node3 before the call returned on node1); "
                       "from the start of the %s: p50 %s, p99 %s; one poll of node3 (open + read + close) took %.0f µs "
                       "on average, the resolution of these numbers." % (
                           variant, x["n"], fmt_ms(pct(x["after"], 50)), fmt_ms(pct(x["after"], 90)),
                           fmt_ms(pct(x["after"], 99)), fmt_ms(x["after"][-1]), fmt_ms(x["after"][0]), x["negative"],
                           "create" if variant == "create" else "tmp write", fmt_ms(pct(x["since"], 50)),
                           fmt_ms(pct(x["since"], 99)), x["poll_ns"] / 1e3))
    if fo:
        det.append("failover: %s's daemon was gone %s after the kill (its dead FUSE mount then unmounted with "
                   "`umount -l`); %s tried %d creates, %d succeeded, failures: %s; the slowest single create took "
                   "%s; the longest time without a completed create ended %s after the kill; %s %s." % (
                       fname, fmt_ms(fo["gone"]), wname, fo["attempts"], fo["ok"],
                       ", ".join("%s ×%d" % kv for kv in sorted(fo["fails"].items())) or "none",
                       fmt_s(fo["max_lat"], 3), fmt_s(fo["outage_end"]), wname,
                       "stayed quorate" if fo["quorate_lost"] is None else
                       "lost quorum %s after the kill" % fmt_s(fo["quorate_lost"])))
    if rt:
        det.append("return: `scripts/cluster start $DIR %d` returned after %s (the daemonizing parent waits until "
                   "the daemon has mounted); mounted %s, quorate %s, marker file readable %s, listed online in "
                   "%s's .members %s after the start; then it also held all %d files created on %s while "
                   "it was down." % (a.fail_node, fmt_s(rt["cmd"]), fmt_s(rt["mounted"]), fmt_s(rt["quorate"]),
                                     fmt_s(rt["synced"]), wname, fmt_s(rt["seen1"]), fo["files"] if fo else 0, wname))
        det.append("return, from %s's log (lines timed when they appeared, ±5 ms): %s." % (fname, fmt_milestones(rt["log"])))
    if js:
        det.append("join: filling took %.1f s (%s files of %s B through node1 with 4 client threads, %s creates/s); "
                   "all nodes listed all files %s after the last create returned. node3 stopped %s after SIGTERM%s; "
                   "its data dir was deleted (its local corosync.conf kept). After `scripts/cluster start`: command "
                   "returned %s, mounted %s, quorate %s, all %s files listed %s, checksum of %d sampled files right %s; "
                   "afterwards every file was read back on node3 and compared (all equal). node3's data dir then: %s." % (
                       js["fill_s"], format(js["files"], ","), format(js["size"], ","), fmt_rate(js["files"] / js["fill_s"]),
                       fmt_s(js["conv"]), fmt_s(js["stop_s"] * 1e9), " (needed SIGKILL)" if js["killed"] else "",
                       fmt_s(js["cmd"]), fmt_s(js["mounted"]), fmt_s(js["quorate"]), format(js["files"], ","),
                       fmt_s(js["count"]), len(range(0, js["files"], max(1, js["files"] // 200))), fmt_s(js["synced"]),
                       js.get("db") or "?"))
        det.append("join, from node3's log (lines timed when they appeared, ±10 ms): %s." % fmt_milestones(js["log"]))
    if wl and wl.notrun:
        det.append("Not run: %s (see Errors)." % ", ".join(wl.notrun))
    for d in det:
        out.append("- " + d)
    out.append("")

    if wl and wl.pstats:
        out.append("## Daemon CPU and RSS per phase")
        out.append("")
        out.append("CPU = utime+stime of the daemon process over the phase (/proc/PID/stat, %d Hz ticks); RSS = "
                   "VmRSS at the end of the phase. `new` = a daemon started during the phase (CPU since its start); "
                   "`—` = not running at the end." % CLK_TCK)
        out.append("")
        hdr = "| phase | wall | load (1 min) | " + " | ".join("node%d CPU" % k for k in range(1, CL_NODES + 1)) + \
              " | " + " | ".join("node%d RSS" % k for k in range(1, CL_NODES + 1)) + " |"
        out.append(hdr)
        out.append("|---|---:|---:|" + "---:|" * (2 * CL_NODES))
        for ps in wl.pstats:
            cpu, rss = [], []
            for k in range(1, CL_NODES + 1):
                b, e = ps.before.get(k), ps.after.get(k)
                if e is None:
                    cpu.append("—")
                    rss.append("—")
                    continue
                if b is not None and b[0] == e[0] and b[1] is not None and e[1] is not None:
                    cpu.append("%.2f s" % ((e[1] - b[1]) / 1e9))
                elif e[1] is not None:
                    cpu.append("%.2f s new" % (e[1] / 1e9))
                else:
                    cpu.append("?")
                rss.append("%.0f MiB" % (e[2] / 1024) if e[2] else "?")
            out.append("| %s | %s | %s | %s | %s |" % (ps.name, "%.1f s" % ps.seconds if ps.seconds is not None
                                                       else "n/a", ps.load, " | ".join(cpu), " | ".join(rss)))
        out.append("")
        if cl.final:
            parts = []
            for k in sorted(cl.final):
                pid, cpu, hwm, thr = cl.final[k]
                parts.append("node%d pid %d: CPU %.1f s since its start, peak RSS %s, %s threads"
                             % (k, pid, (cpu or 0) / 1e9, ("%.0f MiB" % (int(hwm.split()[0]) / 1024))
                                if hwm and hwm.endswith(" kB") else "?", thr))
            out.append("At the teardown: " + "; ".join(parts) + ".")
            out.append("")

    out.append("## Notes")
    out.append("")
    notes = [
        "The cluster: `scripts/cluster up %d` in a fresh directory under /var/tmp (real disk): node k = `node<k>` on "
        "127.0.0.k, daemonized (`scripts/pmxcfs` without -f), one JVM per node, all on this machine, sharing its "
        "CPUs with the client and anything else running. Stopped (SIGTERM via the pid files, SIGKILL after %.0f s, "
        "`umount -l` of every mount) at the end, also after errors and signals." % (CL_NODES, CL_STOP_TIMEOUT),
        "Client: Python, one operation at a time, wall time per op with time.perf_counter_ns. "
        "create = open(O_WRONLY|O_CREAT|O_EXCL) + one 1 KiB write + close of %d files in one directory; "
        "replace = the PVE update pattern: write `<f>.tmp.<pid>` (O_EXCL) then rename it over `<f>`; "
        "delete = unlink. Before them %d creates, replaces and deletes ran unmeasured (JIT warm-up). "
        "First on node1, then the same on node3: node1 started first, so it is the JGroups coordinator, "
        "which also puts all messages in order (SEQUENCER), so its own writes skip the hop to the orderer "
        "that every other node's writes take; corosync has no such special node. The other phases write on "
        "node1 (node2 when node1 is the node killed)." % (a.n, a.warmup),
        "Propagation: a second process (not a thread: no shared GIL) polls node3 in a tight loop "
        "(open + read + close, comparing the whole 1 KiB content) for a value that is unique per sample; the "
        "writer tells it what to wait for, waits until it polls, then writes on node1. The latency is the "
        "CLOCK_MONOTONIC time at which the poll that saw the new content returned minus the time the writer's "
        "close() (create) or rename() (replace) returned; negative when node3 had it before node1's call returned. "
        "20 unmeasured samples precede each variant. The poller keeps one CPU busy, which on a 2-core machine "
        "competes with the three daemons.",
        "Failover: SIGKILL to %s's daemon (pid from its pid file), then its dead FUSE mount is unmounted with "
        "`umount -l`. From the kill on, %s tries one create every 10 ms (a new file each time) until it has "
        "completed writes for more than 1 s after its .members listed %s offline (bound %.0f s). The headline "
        "number is the longest stretch (from the kill on) in which %s completed no write; with corosync the "
        "original blocks all writes from the failure until the new membership, so this is what the 2 s target "
        "is about. Writes that succeed before the new view are real: the surviving nodes still deliver them. "
        "node1 started first, so it is the JGroups coordinator (and sequencer) unless it is the node killed "
        "(`--fail-node 1`)." % (fname, wname, fname, CL_PHASE_BOUND, wname),
        "Return: `scripts/cluster start $DIR %d` (the same daemon command line as `up`) in the background; polled "
        "every 5 ms: its mount, `\"quorate\": 1` in its .members, and a file written on %s right before the start. "
        "All times include the JVM start." % (a.fail_node, wname),
        "Join sync: everything the earlier phases left is deleted first (the 30 MiB cap on the sum of file sizes), "
        "then %s files of %s B go in through node1; node3 is stopped with SIGTERM, its data dir deleted, and started "
        "again: it starts from an empty database plus its local corosync.conf and gets everything from the others. "
        "Polled every 10 ms: mount, quorate, the file count (listdir of the %d directories), then a SHA-256 over %d "
        "sampled files." % (format(a.join_files, ","), format(a.join_size, ","), max(1, (a.join_files + 999) // 1000),
                            len(range(0, a.join_files, max(1, a.join_files // 200)))),
        "Before every phase a health check: all running nodes quorate and listing each other online, and a create "
        "on node1 readable on all of them. Unmeasured correctness checks: node3 holds the replaced content of all "
        "files and sees the deletes; the returned node holds the files created while it was down; the joined "
        "node's files are compared byte for byte.",
        "Targets (absolute; no ratio to the original: that needs it in the same run): propagation p99 ≤ 5 ms, "
        "≤ 2 s to writable after a node dies, ≤ 3 s to sync 30 MiB to a joining node.",
        "This machine is shared (builds and tests of other people may run at the same time); the load average "
        "above and per phase says how busy it was. Expect run-to-run noise of tens of percent.",
    ]
    for n in notes:
        out.append("- " + n)
    out.append("")
    if warnings:
        out.append("## Warnings")
        out.append("")
        for w in warnings:
            out.append("- " + w)
        out.append("")
    errors_section(out, errors)
    return "\n".join(out) + "\n"


def cluster_main(a, argv, ns_note):
    argv0 = os.environ.get("PMXCFS_BENCH_ARGV0", "scripts/bench")
    cmdline = shlex.join([argv0] + argv)
    if os.geteuid() != 0:
        log("warning: not root; mounting FUSE may fail")
    started = datetime.datetime.now(datetime.timezone.utc)
    t_start = time.monotonic()
    deadline = t_start + a.timeout
    load0 = " ".join((read_text("/proc/loadavg", "? ? ?") or "").split()[:3])
    state = {"interrupted": None}

    def on_signal(signum, frame):
        if state["interrupted"] is None:
            state["interrupted"] = signal.Signals(signum).name
            raise Interrupted(signal.Signals(signum).name)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)

    cl = Cluster(a)
    wl = None
    errors = []
    warnings = []
    th = None
    hung = False
    try:
        b = busy_builds()
        if b:
            warnings.append("a maven build was running at the start (pids %s): numbers are noisy" % " ".join(map(str, b)))
        try:
            cl.setup(deadline)
            wl = ClusterWorkload(a, cl, deadline)
            box = {}

            def body():
                try:
                    wl.run()
                except BaseException as e:  # noqa: BLE001
                    box["exc"] = e
            th = threading.Thread(target=body, name="workload", daemon=True)
            th.start()
            while th.is_alive():
                th.join(0.5)
                if time.monotonic() > deadline + 5:
                    wl.stop = True
                    errors.append("overall timeout (%.0f s) reached with the workload stuck in a filesystem call"
                                  % a.timeout)
                    break
            if th.is_alive():
                cl.teardown()          # stopping the daemons frees a call stuck in FUSE
                th.join(15)
                if th.is_alive():
                    hung = True
                    errors.append("workload thread still stuck after the teardown")
            exc = box.get("exc")
            if exc is not None:
                errors.append("%s: %s" % (type(exc).__name__, exc))
        except Interrupted:
            raise
        except Exception as e:  # noqa: BLE001
            errors.append("set-up: %s: %s" % (type(e).__name__, e))
            log("set-up failed: %s" % e)
    except Interrupted as e:
        errors.append("interrupted by %s" % e)
        log("interrupted by %s, cleaning up" % e)
        if wl is not None:
            wl.stop = True
        if th is not None:
            th.join(10)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        if wl is not None:
            wl.stop = True
        try:
            cl.teardown()
        except Exception as e:  # noqa: BLE001
            errors.append("teardown: %s: %s" % (type(e).__name__, e))
    if wl is not None:
        errors = wl.errors + errors
        busy = [ps for ps in wl.pstats if ps.builds]
        if busy:
            pids = sorted(set(p for ps in busy for p in ps.builds))
            warnings.append("a maven build was running at the start of %d of the %d phases (%s; pids %s): numbers "
                            "are noisy" % (len(busy), len(wl.pstats), "all" if len(busy) == len(wl.pstats) else
                                           ", ".join(ps.name for ps in busy), " ".join(map(str, pids))))
    errors += cl.errors
    warnings += cl.warnings
    finished = datetime.datetime.now(datetime.timezone.utc)
    load1 = " ".join((read_text("/proc/loadavg", "? ? ?") or "").split()[:3])
    if wl is None:
        wl = ClusterWorkload(a, cl, deadline)
        wl.notrun = ["writes", "propagation", "failover", "return", "join"]
    report = build_cluster_report(a, cl, wl, cmdline, started, finished, errors, warnings, ns_note, load0, load1)
    sys.stdout.write(report)
    sys.stdout.flush()
    if a.out:
        try:
            with open(a.out, "w") as f:
                f.write(report)
        except OSError as e:
            errors.append("--out: %s" % e)
            log("cannot write %s: %s" % (a.out, e))
    if errors:
        log("FAILED: %d error(s):" % len(errors))
        for e in errors:
            log("  " + e.splitlines()[0])
        if hung:
            os._exit(1)
        return 1
    log("done in %.0f s" % (time.monotonic() - t_start))
    return 0


# ---------------------------------------------------------------------------------------------
# main

def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Start a 3-node cluster (scripts/cluster) and measure cluster writes, propagation, failover, "
                    "return and join sync. Daemon options go in through the PMXCFS_* environment variables "
                    "(e.g. PMXCFS_FUSE_THREADS). Report (Markdown) on stdout and in --out; progress on stderr.")
    p.add_argument("--cluster", action="store_true", required=True, help="cluster mode (required here)")
    p.add_argument("--n", type=int, default=1000, help="files per phase (default 1000, max 20000)")
    p.add_argument("--out", help="also write the report to this file")
    p.add_argument("--keep", action="store_true", help="keep the nodes' data dirs and logs under /var/tmp")
    p.add_argument("--warmup", type=int, default=300, help="warm-up ops per kind (default 300)")
    p.add_argument("--timeout", type=float, default=900, help="overall time bound in seconds (default 900)")
    p.add_argument("--no-unshare", action="store_true", help="do not re-run inside a private mount namespace")
    p.add_argument("--prop-samples", type=int, default=200,
                   help="propagation samples per variant (create, replace; default 200)")
    p.add_argument("--fail-node", type=int, default=2, choices=(1, 2, 3),
                   help="the node killed with SIGKILL and restarted (default 2); node1 was started first and is "
                        "the JGroups coordinator; with 1 the writes during failover and return go to node2")
    p.add_argument("--join-files", type=int, default=10000, help="files held by the cluster for the join (default 10000)")
    p.add_argument("--join-size", type=int, default=3000, help="bytes per join file (default 3000)")
    p.add_argument("--base-port", type=int, help="cluster port (default: a free one is picked)")
    a = p.parse_args(argv)

    def bound(name, v, lo, hi):
        if not lo <= v <= hi:
            p.error("%s must be in %s..%s" % (name, lo, hi))
    bound("--n", a.n, 1, 20000)
    bound("--warmup", a.warmup, 0, 20000)
    bound("--timeout", a.timeout, 10, 24 * 3600)
    bound("--prop-samples", a.prop_samples, 1, 10000)
    bound("--join-files", a.join_files, 1, 100000)
    bound("--join-size", a.join_size, 64, MIB)
    if a.base_port is not None:
        bound("--base-port", a.base_port, 1024, 65000)
    cap = int(os.environ.get("PMXCFS_MAX_TOTAL_SIZE", 30 * MIB))
    if a.join_files * a.join_size > cap - 64 * KIB:
        p.error("--join-files x --join-size = %d bytes does not fit the daemons' size cap of %d bytes "
                "(raise it with PMXCFS_MAX_TOTAL_SIZE)" % (a.join_files * a.join_size, cap))
    if not os.access(os.path.join(ROOT, "scripts", "cluster"), os.X_OK):
        p.error("scripts/cluster not found or not executable")
    return a

def main():
    argv = sys.argv[1:]
    a = parse_args(argv)
    if a.no_unshare:
        ns_note = "Not in a private mount namespace (--no-unshare)."
    else:
        ns_note = maybe_unshare(os.path.abspath(__file__), argv)
    return cluster_main(a, argv, ns_note)

if __name__ == "__main__":
    sys.exit(main())
