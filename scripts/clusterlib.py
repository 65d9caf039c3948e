"""What the cluster benchmarks (bench.py, bench_versus.py, bench_scale.py) share about a running
cluster: its .members, the propagation reader, log milestones, per-phase CPU/RSS snapshots, free
ports, and the 10k-file tree of the join measurements.  Works on any cluster object with
mnt(k) (where the client reaches node k's mount) and, for PhaseStat, snap_nodes().
Standard library only."""

import hashlib
import json
import os
import random
import select
import socket
import subprocess
import sys
import threading
import time

from benchlib import (SMALL, BenchTimeout, Interrupted, bounded, busy_builds, fmt_ms, fmt_s, fmt_us, kill_child, log,
                      mono_ns, pct, read_text, replace, write_new)

# the propagation reader: a separate process (no GIL shared with the writer) polling one node
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


PROBE_BOUND = 15.0        # health probe: one create on the first live node must return within this


class PropReader:
    """The propagation reader process: told what to wait for on its node, it polls until it sees it."""

    def __init__(self, root, check):
        self.check = check
        self.p = subprocess.Popen([sys.executable, "-c", PROP_READER, root], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True,
                                  bufsize=1)

    def line(self, bound):
        t_end = time.monotonic() + bound
        while True:
            r, _, _ = select.select([self.p.stdout], [], [], 0.2)
            if r:
                line = self.p.stdout.readline()
                if not line:
                    raise RuntimeError("the propagation reader exited (rc %s)" % self.p.poll())
                return line.split()
            if time.monotonic() > t_end:
                raise RuntimeError("no answer from the propagation reader within %.0f s" % bound)
            self.check()

    def sample(self, rel, value, op, size=SMALL):
        """One sample: the reader polls for rel holding prop_body(value, size) while op runs on the writer.
        Returns (seen - op returned, seen - op started, polls, mean poll ns)."""
        self.p.stdin.write("expect %s %s %d %d\n" % (rel, value, size, 10000))
        self.p.stdin.flush()
        if self.line(10) != ["ready"]:
            raise RuntimeError("the propagation reader is confused")
        t0 = mono_ns()
        op()
        t1 = mono_ns()
        ans = self.line(15)
        if ans[0] != "seen":
            raise RuntimeError("%s with value %s not readable within 10 s of the write (%s polls)"
                               % (rel, value, ans[1] if len(ans) > 1 else "?"))
        seen, polls, start = int(ans[1]), int(ans[2]), int(ans[3])
        return seen - t1, seen - t0, polls, (seen - start) / max(1, polls)

    def close(self):
        try:
            self.p.stdin.write("quit\n")
            self.p.stdin.flush()
            self.p.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            kill_child(self.p)


def propagation(w, reader, k, variant, samples, warmup=20):
    """Propagation samples of one variant written on node k of workload w, seen by reader (polling
    another node): create = a new file each, timed from close(); replace = tmp + rename over
    bench/prop/r, timed from rename().  {"after", "since" (sorted ns), "poll_ns", "negative", "n"}."""
    uniq = "%d-%d" % (os.getpid(), mono_ns() % 1000000007)
    rpath = w.m(k, "bench", "prop", "r")
    if variant == "replace" and not os.path.exists(rpath):
        write_new(rpath, prop_body("initial", SMALL))
    res = []
    for i in range(-warmup, samples):
        w.check()
        value = "%s-%s-%d" % (variant[0], uniq, i)
        body = prop_body(value, SMALL)
        if variant == "create":
            rel = "bench/prop/c-%s-%05d" % (uniq, i + warmup)
            s = reader.sample(rel, value, lambda: write_new(w.m(k, rel), body))
        else:
            s = reader.sample("bench/prop/r", value, lambda: replace(rpath, body, w.tag))
        if i >= 0:
            res.append(s)
    after = sorted(x[0] for x in res)
    since = sorted(x[1] for x in res)
    polls = [x[3] for x in res]
    log("  propagation %-8s p50 %s p99 %s after the %s returned (p50 %s p99 %s after it started); "
        "mean poll %.0f µs" % (variant, fmt_ms(pct(after, 50)), fmt_ms(pct(after, 99)),
                               "close" if variant == "create" else "rename",
                               fmt_ms(pct(since, 50)), fmt_ms(pct(since, 99)), sum(polls) / len(polls) / 1e3))
    return {"after": after, "since": since, "poll_ns": sum(polls) / len(polls),
            "negative": sum(1 for x in after if x < 0), "n": len(res)}


class Workload:
    """What every cluster workload does: bounded waits, per-phase CPU/RSS, health checks, timed loops.
    The cluster c offers nodes, down (nodes stopped on purpose), mnt(k) and snap_nodes()."""

    def __init__(self, c, deadline):
        self.c = c
        self.deadline = deadline
        self.stop = False
        self.pstats = []
        self.errors = []
        self.notrun = []
        self.tag = str(os.getpid())

    def run_phases(self, phases, settle=0.0):
        """Runs (name, fn) in order, each after a health check; a failed phase is an error, a cluster
        still unhealthy settle seconds later ends the run (the rest goes to self.notrun)."""
        for i, (name, fn) in enumerate(phases):
            self.check()
            bad = self.settled("before the %s phase" % name, settle)
            if bad:
                self.errors.append("cluster not healthy before the %s phase: %s%s" % (name, bad, self.c.log_tails()))
                self.notrun = [n for n, _ in phases[i:]]
                log("cluster not healthy before the %s phase: %s" % (name, bad))
                return
            log("--- %s" % name)
            try:
                fn()
            except (BenchTimeout, Interrupted):
                raise
            except Exception as e:  # noqa: BLE001
                self.errors.append("%s phase: %s: %s" % (name, type(e).__name__, e))
                log("  %s FAILED: %s: %s" % (name, type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
        bad = self.settled("at the end", settle)
        if bad:
            self.errors.append("cluster not healthy at the end: %s" % bad)

    def settled(self, when, settle):
        """The health check, repeated for up to settle seconds while it fails; what is still wrong."""
        bad = self.health()
        t_end = time.monotonic() + settle
        while bad and time.monotonic() < t_end:
            time.sleep(2)
            bad = self.health()
            if not bad:
                self.errors.append("cluster unhealthy %s, healthy again %.0f s later"
                                   % (when, settle - (t_end - time.monotonic())))
        return bad

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

    def health(self):
        """None if all running nodes are quorate and see each other and a create on the first of them
        shows up on all of them; else what is wrong."""
        live = [k for k in range(1, self.c.nodes + 1) if k not in self.c.down]
        try:
            for k in live:
                m = bounded(lambda: read_members(self.c.mnt(k)), 10, "reading node%d/.members" % k)
                if not members_quorate(m):
                    return "node%d is not quorate (.members: %s)" % (k, json.dumps(m)[:300] if m else "unreadable")
                for j in live:
                    if members_online(m, "node%d" % j) is not True:
                        return "node%d does not list node%d as online" % (k, j)
            w = live[0]
            bounded(lambda: os.makedirs(self.m(w, "bench"), exist_ok=True), PROBE_BOUND, "a mkdir on node%d" % w)
            probe = "bench/health.%d" % mono_ns()
            data = prop_body(probe.split(".")[-1], 64)
            bounded(lambda: write_new(self.m(w, probe), data), PROBE_BOUND, "a create on node%d" % w)
            for k in live:
                def seen(k=k):
                    try:
                        with open(self.m(k, probe), "rb") as f:
                            return f.read() == data
                    except OSError:
                        return False
                self.wait_until("the probe file on node%d" % k, lambda: bounded(seen, 10, "a read on node%d" % k), 10)
            bounded(lambda: os.unlink(self.m(w, probe)), PROBE_BOUND, "an unlink on node%d" % w)
        except (BenchTimeout, Interrupted):
            raise
        except Exception as e:  # noqa: BLE001
            return "%s: %s" % (type(e).__name__, e)
        return None

    def timed_ops(self, label, items, op):
        """op over items, one at a time: {"ops", "seconds", "lat" (sorted ns), "label"}."""
        lat = []
        t0 = time.perf_counter_ns()
        for k, it in enumerate(items):
            if k & 31 == 0:
                self.check()
            s = time.perf_counter_ns()
            op(it)
            lat.append(time.perf_counter_ns() - s)
        t1 = time.perf_counter_ns()
        lat.sort()
        log("  %-28s %6d ops %7.2f s %9.1f ops/s  p50 %s p99 %s" % (
            label, len(lat), (t1 - t0) / 1e9, len(lat) / ((t1 - t0) / 1e9), fmt_us(pct(lat, 50)),
            fmt_us(pct(lat, 99))))
        return {"ops": len(lat), "seconds": (t1 - t0) / 1e9, "lat": lat, "label": label}


# ---------------------------------------------------------------------------------------------
# the tree a joining node has to fetch: NF files of SIZE bytes in directories of 1000

def tree_dirs(nf):
    return max(1, (nf + 999) // 1000)


def tree_path(mnt, i, nf):
    return os.path.join(mnt, "bench", "js", "d%02d" % (i % tree_dirs(nf)), "f%05d" % i)


def fill_tree(w, k, nf, size, nth=4):
    """Writes the tree through node k of workload w with nth client threads; returns the seconds."""
    for d in range(tree_dirs(nf)):
        os.makedirs(w.m(k, "bench", "js", "d%02d" % d))
    errs = []
    t0 = time.monotonic()

    def filler(t):
        try:
            for i in range(t, nf, nth):
                if w.stop or time.monotonic() > w.deadline:
                    errs.append("stopped")
                    return
                write_new(tree_path(w.c.mnt(k), i, nf), join_body(i, size))
        except Exception as e:  # noqa: BLE001
            errs.append("%s: %s" % (type(e).__name__, e))
    ths = [threading.Thread(target=filler, args=(t,), daemon=True) for t in range(nth)]
    for t in ths:
        t.start()
    for t in ths:
        while t.is_alive():
            t.join(0.5)
            w.check()
    if errs:
        raise RuntimeError("writing the %d files failed: %s" % (nf, errs[0]))
    return time.monotonic() - t0


def count_tree(mnt, nf):
    n = 0
    for d in range(tree_dirs(nf)):
        try:
            n += len(os.listdir(os.path.join(mnt, "bench", "js", "d%02d" % d)))
        except OSError:
            pass
    return n


def tree_sample(nf):
    return list(range(0, nf, max(1, nf // 200)))


def tree_synced(mnt, nf, size):
    """A check for watch_start: True once the node lists all nf files and a sample of them is right."""
    sample = tree_sample(nf)
    want = hashlib.sha256(b"".join(join_body(i, size) for i in sample)).hexdigest()

    def synced():
        if count_tree(mnt, nf) != nf:
            return False
        h = hashlib.sha256()
        try:
            for i in sample:
                with open(tree_path(mnt, i, nf), "rb") as fh:
                    h.update(fh.read())
        except OSError:
            return False
        return h.hexdigest() == want
    return synced


def tree_bytes(mnt):
    """The sum of the sizes of the files under mnt (the dot files of the status plug left out)."""
    total = 0
    for dp, _, fs in os.walk(mnt):
        for fn in fs:
            if not fn.startswith("."):
                try:
                    total += os.stat(os.path.join(dp, fn)).st_size
                except OSError:
                    pass
    return total


def tree_differences(w, mnt, nf, size):
    """Indexes of the files of the tree under mnt that are not what was written (every file read)."""
    bad = []
    for i in range(nf):
        if i & 255 == 0:
            w.check()
        try:
            with open(tree_path(mnt, i, nf), "rb") as fh:
                if fh.read() != join_body(i, size):
                    bad.append(i)
        except OSError as e:
            bad.append(i)
            if len(bad) == 1:
                log("  %s: %s" % (tree_path(mnt, i, nf), e))
    return bad


def watch_start(w, proc, t0, checks, bound, logwatch=None, step=0.01):
    """Polls while a node starts (proc: its `scripts/cluster start`, run at t0): {"cmd", "rc", and every
    name of checks (name -> fn() -> bool)}: ns from t0 until the command returned / the check first
    held, None if not within bound seconds (or once the command failed)."""
    st = {"cmd": None, "rc": None}
    st.update({name: None for name in checks})
    t_end = time.monotonic() + bound
    while any(v is None for k, v in st.items() if k != "rc"):
        w.check()
        if st["cmd"] is None and proc.poll() is not None:
            st["cmd"], st["rc"] = mono_ns(), proc.returncode
            if proc.returncode != 0:
                break
        for name, fn in checks.items():
            if st[name] is None and fn():
                st[name] = mono_ns()
        if logwatch:
            logwatch.poll()
        if time.monotonic() > t_end:
            break
        time.sleep(step)
    if logwatch:
        logwatch.poll()
    return {k: (v - t0 if v is not None and k != "rc" else v) for k, v in st.items()}
