"""Network faults under a writing cluster: three nodes in network namespaces on --links links
(scripts/cluster up 3 DIR --netns --links 2), a writer on every node (a 64-byte file replaced
every 10 ms), and per round:
  link   (two links or more) link 0 of node 2 cut for --cut seconds: write latency p50/p99 of
         every node meanwhile (the failover stall) and the longest time a node completed no write
  silent every link of node 3 cut: node 3 read-only (its first EACCES) after, the majority's
         longest time without a write; after the heal: node 3 quorate (.members) and writable
  kill   node 3 killed with SIGKILL: node 1 shows it offline (.members) after, the majority's
         longest time without a write; then node 3 is started again
Medians with min..max over --rounds.  Markdown on stdout; progress on stderr.  Needs root (network
namespaces, FUSE).  Standard library only."""

import argparse
import errno
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clusterlib import members_online, members_quorate, read_members  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLUSTER = os.path.join(ROOT, "scripts", "cluster")


def log(msg):
    print("[bench-net] " + msg, file=sys.stderr, flush=True)


def cluster(*args):
    subprocess.run([CLUSTER, *map(str, args)], check=True, stdout=subprocess.DEVNULL, timeout=180)


class Writer(threading.Thread):
    """Replaces slot files of one node every 10 ms; every attempt as (start, end, errno)."""

    def __init__(self, mnt, k):
        super().__init__(daemon=True)
        self.dir = os.path.join(mnt, "bench-net-w%d" % k)
        self.attempts = []
        self.running = True

    def run(self):
        deadline = time.monotonic() + 3600
        seq = 0
        while self.running and time.monotonic() < deadline:
            t0 = time.monotonic()
            rc = 0
            try:
                with open(os.path.join(self.dir, "%d.cfg" % (seq % 50)), "w") as f:
                    f.write("seq %08d %s\n" % (seq, "x" * 50))
            except OSError as e:
                rc = e.errno
            self.attempts.append((t0, time.monotonic(), rc))
            seq += 1
            time.sleep(0.01)

    def gap(self, t0, t1):
        """The longest time in [t0, t1] in which no write of this node completed."""
        last, worst = t0, 0.0
        for s, e, rc in list(self.attempts):
            if rc == 0 and t0 < e <= t1:
                worst, last = max(worst, e - last), e
        return max(worst, t1 - last)

    def latencies(self, t0, t1):
        return [e - s for s, e, rc in list(self.attempts) if t0 <= s <= t1 and rc == 0]

    def first(self, t0, rc):
        """Seconds from t0 until the first attempt started after t0 ended with rc; None if none."""
        for s, e, r in list(self.attempts):
            if s >= t0 and r == rc:
                return e - t0
        return None


def until(cond, bound):
    """Seconds until cond() held (polled every 10 ms), None after bound seconds."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < bound:
        if cond():
            return time.monotonic() - t0
        time.sleep(0.01)
    return None


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100))] if v else None


def summary(values, unit="s", scale=1.0):
    got = [v * scale for v in values if v is not None]
    if not got:
        return "n/a"
    missing = len(values) - len(got)
    text = "%.2f %s (%.2f..%.2f, %d runs)" % (statistics.median(got), unit, min(got), max(got), len(got))
    return text + ("; %d without a result" % missing if missing else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--links", type=int, default=2, choices=range(1, 9))
    ap.add_argument("--cut", type=float, default=5.0, help="seconds a link or node stays cut")
    ap.add_argument("--out")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("scripts/bench net: needs root (network namespaces, FUSE)")
    d = tempfile.mkdtemp(prefix="pmxcfs-bench-net.")
    rows = {k: [] for k in ("p50", "p99", "link_gap", "ro", "maj_gap", "quorate", "writable", "offline", "kill_gap")}
    writers = []
    try:
        log("cluster up in " + d)
        cluster("up", 3, d, "--netns", "--links", a.links)
        mnt = lambda k: os.path.join(d, "node%d" % k, "mnt")
        for k in (1, 2, 3):
            os.makedirs(os.path.join(mnt(k), "bench-net-w%d" % k), exist_ok=True)
            writers.append(Writer(mnt(k), k))
        for w in writers:
            w.start()
        time.sleep(3)
        for r in range(a.rounds):
            if a.links > 1:
                log("round %d: link 0 of node 2" % (r + 1))
                t0 = time.monotonic()
                cluster("cut", d, 2, 0)
                time.sleep(a.cut)
                t1 = time.monotonic()
                cluster("heal", d)
                lat = [x for w in writers for x in w.latencies(t0, t1)]
                rows["p50"].append(pct(lat, 50))
                rows["p99"].append(pct(lat, 99))
                rows["link_gap"].append(max(w.gap(t0, t1) for w in writers))
                time.sleep(3)

            log("round %d: every link of node 3" % (r + 1))
            t0 = time.monotonic()
            cluster("cut", d, 3)
            time.sleep(a.cut)
            t1 = time.monotonic()
            rows["ro"].append(writers[2].first(t0, errno.EACCES))
            rows["maj_gap"].append(max(w.gap(t0, t1) for w in writers[:2]))
            cluster("heal", d)
            rows["quorate"].append(until(lambda: members_quorate(read_members(mnt(3))), 30))
            time.sleep(1)
            rows["writable"].append(writers[2].first(t1, 0))
            time.sleep(2)

            log("round %d: SIGKILL of node 3" % (r + 1))
            with open(os.path.join(d, "node3", "pid")) as f:
                pid = int(f.read().strip())
            writers[2].running = False
            writers[2].join(10)
            t0 = time.monotonic()
            os.kill(pid, signal.SIGKILL)
            rows["offline"].append(until(lambda: members_online(read_members(mnt(1)), "node3") is False, 30))
            time.sleep(2)
            rows["kill_gap"].append(max(w.gap(t0, time.monotonic()) for w in writers[:2]))
            cluster("start", d, 3)
            until(lambda: members_quorate(read_members(mnt(3))), 30)
            writers[2] = Writer(mnt(3), 3)
            writers[2].start()
            time.sleep(3)
    finally:
        for w in writers:
            w.running = False
        for w in writers:
            w.join(10)
        subprocess.run([CLUSTER, "down", d], check=False, stdout=subprocess.DEVNULL)
    report = "\n".join([
        "| 3 nodes, %d link(s), netns (%d rounds, %.0f s cuts) | median (min..max) |" % (a.links, a.rounds, a.cut),
        "|---|---|",
        "| link 0 of node 2 cut: write latency p50 | %s |" % summary(rows["p50"], "ms", 1000),
        "| link 0 of node 2 cut: write latency p99 | %s |" % summary(rows["p99"], "ms", 1000),
        "| link 0 of node 2 cut: longest time a node completed no write | %s |" % summary(rows["link_gap"]),
        "| every link of node 3 cut: node 3 read-only after | %s |" % summary(rows["ro"]),
        "| every link of node 3 cut: majority's longest time without a write | %s |" % summary(rows["maj_gap"]),
        "| heal: node 3 quorate after | %s |" % summary(rows["quorate"]),
        "| heal: node 3 writable after | %s |" % summary(rows["writable"]),
        "| SIGKILL of node 3: offline on node 1 after | %s |" % summary(rows["offline"]),
        "| SIGKILL of node 3: majority's longest time without a write | %s |" % summary(rows["kill_gap"]),
    ])
    print(report)
    if a.out:
        with open(a.out, "w") as f:
            f.write(report + "\n")


if __name__ == "__main__":
    main()
