#!/usr/bin/env python3
"""Cluster benchmark side by side: pmxcfs-java and the original pmxcfs with corosync 3, three nodes
each, in one run (scripts/bench --cluster --baseline-original PATH).

Both clusters are up for the whole run, each node in a network namespace of its own on a bridge:
ours with `scripts/cluster up 3 DIR --netns` (ourcluster.py), the original with the namespaces of
`scripts/cluster net` and corosync (origcluster.py), with the same corosync.conf and key.  The same
client (this process) measures both: every phase runs on each cluster before the next phase
starts, the order of the clusters alternates from round to round, and the report gives medians
with min..max over the rounds and the ratio ours / original computed per round.  The daemons' CPU
(/proc/PID/stat of every pmxcfs, and of corosync) is summed over each phase.

Standard library only.  Progress goes to stderr, the report to stdout and --out.
"""

import argparse
import datetime
import os
import signal
import sys
import time

from benchlib import (KIB, MIB, Interrupted, begin, busy_builds, check_bounds, common_options, content, finish,
                      fmt_num, fmt_rate, fmt_ratio, fmt_us, loadavg, log, median, pct, replace, report_head,
                      report_text, span, write_new)
from clusterlib import PropReader, Workload, propagation
from origcluster import OriginalCluster, build_hint
from ourcluster import OurCluster

NODES = 3
BASE_PORT = 17900            # ours, inside its namespaces
WRITER, OTHER = 1, 3         # node1 writes; node3 is a node that is not ours' coordinator

# issue 13: (phase key, minimum ratio ours / original)
TARGETS = [("create-w", 3.0), ("replace-w", 3.0), ("create-o", 3.0), ("replace-o", 3.0)]
PROP_P99_MS = 5.0


class Sample:
    """One phase on one cluster in one round."""

    def __init__(self, ops, seconds, lat, cpu, amount=None):
        self.ops, self.seconds, self.lat, self.cpu = ops, seconds, lat, cpu
        self.amount = amount if amount is not None else ops    # what the rate counts (ops, or MiB)

    @property
    def rate(self):
        return self.amount / self.seconds


def cpu_delta(c0, c1):
    return {k: c1[k] - c0.get(k, 0) for k in c1}


def timed(w, label, items, op, amount=None):
    c0 = w.c.daemon_cpu()
    r = w.timed_ops(label, items, op)
    return Sample(r["ops"], r["seconds"], r["lat"], cpu_delta(c0, w.c.daemon_cpu()), amount)


def phases(a):
    """(key, title, fn(workload, round) -> Sample) in running order."""
    n = a.n
    data = [content(i) for i in range(n)]
    upd = [content(i + n) for i in range(n)]
    big = b"B" * MIB

    def files(w, k, r, sub):
        d = w.m(k, "bench", "r%d" % r, sub)
        os.makedirs(d, exist_ok=True)
        return [os.path.join(d, "f%05d" % i) for i in range(n)]

    def create(k, sub):
        return lambda w, r: timed(w, "create 1 KiB on node%d" % k, files(w, k, r, sub),
                                  lambda f: write_new(f, data[int(f[-5:])]))

    def replace_all(k, sub):
        return lambda w, r: timed(w, "replace 1 KiB on node%d" % k, files(w, k, r, sub),
                                  lambda f: replace(f, upd[int(f[-5:])], w.tag))

    def delete(k, sub):
        return lambda w, r: timed(w, "delete on node%d" % k, files(w, k, r, sub), os.unlink)

    def prop(w, r):
        c0 = w.c.daemon_cpu()
        t0 = time.perf_counter_ns()
        x = propagation(w, w.reader, WRITER, "create", a.prop_samples)
        return Sample(x["n"], (time.perf_counter_ns() - t0) / 1e9, x["after"], cpu_delta(c0, w.c.daemon_cpu()))

    def big_writes(w, r):
        path = w.m(WRITER, "bench", "big")
        return timed(w, "write 1 MiB on node%d" % WRITER, range(a.big_reps), lambda _: replace(path, big, w.tag),
                     amount=a.big_reps)

    return [
        ("create-w", "create 1 KiB on node1 (ours: the coordinator)", create(WRITER, "w")),
        ("replace-w", "replace 1 KiB (tmp + rename) on node1", replace_all(WRITER, "w")),
        ("delete-w", "delete on node1", delete(WRITER, "w")),
        ("create-o", "create 1 KiB on node3 (not ours' coordinator)", create(OTHER, "o")),
        ("replace-o", "replace 1 KiB (tmp + rename) on node3", replace_all(OTHER, "o")),
        ("delete-o", "delete on node3", delete(OTHER, "o")),
        ("prop", "propagation: node1's close() returned → content readable on node3", prop),
        ("big", "write 1 MiB (one write(), tmp + rename) on node1, MiB/s", big_writes),
    ]


def build_report(a, clusters, plist, results, cmdline, started, finished, load0, load1, loads, ns_note, errors,
                 busy):
    ours, orig = clusters
    out = report_head("pmxcfs cluster benchmark, side by side (%d nodes each, network namespaces)" % NODES, started,
                      finished, cmdline, "Load average at start / end: %s / %s; 1-minute load at the start of each "
                      "round: %s" % (load0, load1, ", ".join(loads)), busy, ns_note, clusters)
    out.append("## Results: median of %d interleaved rounds (min..max)" % a.rounds)
    out.append("")
    out.append("ops/s unless noted. Ratio = ours / original computed per round (same round, same noise), median "
               "(min..max); for the propagation rows original / ours (how many times faster ours is).")
    out.append("")
    out.append("| workload | pmxcfs-java | original + corosync | ratio | target |")
    out.append("|---|---:|---:|---:|---|")
    targets = dict(TARGETS)

    def samples(key, c):
        return results.get((key, c.label), [])
    for key, title, _ in plist:
        mine, theirs = samples(key, ours), samples(key, orig)
        if key == "prop":
            for p in (50, 99):
                rows = [[pct(sorted(s.lat), p) for s in ss] for ss in (mine, theirs)]
                rs = [o / m for m, o in zip(*rows) if m and m > 0]
                tgt = ""
                if p == 99 and rows[0]:
                    tgt = "ours ≤ %s ms: %s" % (fmt_num(PROP_P99_MS), "met" if median(rows[0]) <= PROP_P99_MS * 1e6
                                                else "**not met**")
                out.append("| %s, p%d, ms | %s | %s | %s | %s |" % (
                    title, p, span([x / 1e6 for x in rows[0]], lambda v: fmt_num(v, 2)) if rows[0] else "n/a",
                    span([x / 1e6 for x in rows[1]], lambda v: fmt_num(v, 2)) if rows[1] else "n/a",
                    span(rs, fmt_ratio) if rs else "n/a", tgt))
            continue
        rs = [m.rate / o.rate for m, o in zip(mine, theirs)]
        tgt = ""
        if key in targets and rs:
            tgt = "≥ %s×: %s" % (fmt_num(targets[key], 1), "met" if median(rs) >= targets[key] else "**not met**")
        out.append("| %s | %s | %s | %s | %s |" % (
            title, span([s.rate for s in mine], fmt_rate) if mine else "n/a",
            span([s.rate for s in theirs], fmt_rate) if theirs else "n/a", span(rs, fmt_ratio) if rs else "n/a", tgt))
    out.append("")
    out.append("## Latency per operation, p50 / p99 (µs, median over rounds)")
    out.append("")
    out.append("| workload | pmxcfs-java | original + corosync |")
    out.append("|---|---:|---:|")
    for key, title, _ in plist:
        if key == "prop":
            continue
        title = title.replace(", MiB/s", "")
        cells = []
        for c in clusters:
            ss = samples(key, c)
            cells.append("%s / %s" % (fmt_us(median([pct(sorted(s.lat), 50) for s in ss])),
                                      fmt_us(median([pct(sorted(s.lat), 99) for s in ss]))) if ss else "n/a")
        out.append("| %s | %s |" % (title, " | ".join(cells)))
    out.append("")
    out.append("## Daemon CPU per operation (µs, median over rounds)")
    out.append("")
    out.append("utime + stime (/proc/PID/stat) of every daemon of the cluster over the phase, summed over the %d "
               "nodes, divided by the operations of the phase: the CPU one replicated write costs the whole "
               "cluster. The original's is split into its pmxcfs processes and corosync." % NODES)
    out.append("")
    out.append("| workload | pmxcfs-java | original: pmxcfs | original: corosync | original: total |")
    out.append("|---|---:|---:|---:|---:|")
    for key, title, _ in plist:
        if key == "prop":
            continue    # the reader's polling is served by the daemons too: not a write's cost
        title = title.replace(", MiB/s", "")

        def per_op(c, progs):
            vals = [sum(s.cpu.get(p, 0) for p in progs) / s.ops for s in samples(key, c)]
            return fmt_us(median(vals)) if vals else "n/a"
        out.append("| %s | %s | %s | %s | %s |" % (title, per_op(ours, ["pmxcfs-java"]), per_op(orig, ["pmxcfs"]),
                                                   per_op(orig, ["corosync"]), per_op(orig, ["pmxcfs", "corosync"])))
    out.append("")
    out.append("## Memory at the end (RSS per node)")
    out.append("")
    for c in clusters:
        for prog, vals in (c.final_rss or {}).items():
            out.append("- %s, %s: %s MiB" % (c.label, prog, ", ".join("%.0f" % (v / 1024) for v in vals)))
    out.append("")
    out.append("## Notes")
    out.append("")
    out.append("- Client: this Python process, one operation at a time. create = open(O_WRONLY|O_CREAT|O_EXCL) + one "
               "1 KiB write() + close of %d files in a fresh directory; replace = the PVE update pattern: write "
               "`<f>.tmp.<pid>` (O_EXCL), rename it over `<f>`; delete = unlink; 1 MiB = %d × one 1 MiB write() to "
               "a tmp file + rename over `bench/big`. Propagation: %d samples per round (after 20 unmeasured), "
               "each a new 1 KiB file on node1, polled for on node3 by a second process (open + read + close in a "
               "loop); the time from node1's close() returning to the poll that saw the content (negative when "
               "node3 had it first)." % (a.n, a.big_reps, a.prop_samples))
    out.append("- %d unmeasured warm-up round(s) first (the JIT of ours). ours' node1 started first and is the JGroups "
               "coordinator, which orders all messages (SEQUENCER): its own writes skip a hop that node3's take. "
               "corosync's totem has no such node." % a.warmup_rounds)
    out.append("- Both clusters share this machine's CPUs with the client: on a 2-core machine the daemons of a "
               "3-node cluster compete for the cores, which separate machines would not.")
    out.append("")
    return report_text(out, errors)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="scripts/bench --cluster --baseline-original PATH",
        description="Cluster benchmark side by side: 3 nodes of pmxcfs-java and 3 of the original pmxcfs with "
                    "corosync, each node in a network namespace, rounds interleaved. Report (Markdown) on stdout "
                    "and in --out; progress on stderr.")
    p.add_argument("--cluster", action="store_true", required=True, help="cluster mode (required here)")
    p.add_argument("--baseline-original", metavar="PATH", required=True,
                   help="the original pmxcfs binary; " + build_hint())
    p.add_argument("--rounds", type=int, default=5, help="measured rounds (default 5)")
    p.add_argument("--warmup-rounds", type=int, default=1, help="unmeasured rounds first (default 1)")
    p.add_argument("--n", type=int, default=500, help="files per phase (default 500)")
    p.add_argument("--prop-samples", type=int, default=100, help="propagation samples per round (default 100)")
    p.add_argument("--big-reps", type=int, default=10, help="1 MiB writes per round (default 10)")
    common_options(p, 1800)
    a = p.parse_args(argv)

    check_bounds(p, [("--rounds", a.rounds, 1, 100), ("--warmup-rounds", a.warmup_rounds, 0, 20),
                     ("--n", a.n, 1, 10000), ("--prop-samples", a.prop_samples, 1, 10000),
                     ("--big-reps", a.big_reps, 1, 1000), ("--timeout", a.timeout, 10, 24 * 3600)])
    if not os.access(a.baseline_original, os.X_OK):
        p.error("--baseline-original %s is not an executable file; %s" % (a.baseline_original, build_hint()))
    if a.n * KIB * 2 > 20 * MIB:
        p.error("--n %d: two phases' files must stay well below the 30 MiB cap (at most 10240)" % a.n)
    return a


def main():
    argv = sys.argv[1:]
    a = parse_args(argv)
    cmdline, ns_note = begin(os.path.abspath(__file__), argv, a)
    started = datetime.datetime.now(datetime.timezone.utc)
    deadline = time.monotonic() + a.timeout
    load0 = loadavg()

    # the original first: its mount namespaces then hold no copy of ours' FUSE mounts, which would keep
    # their connections alive after they unmount here
    orig = OriginalCluster(NODES, a.baseline_original, a.keep)
    ours = OurCluster(NODES, BASE_PORT, a.keep, netns=True, prefix="pmxcfs-vbench.")
    clusters = [ours, orig]
    works = []
    plist = phases(a)
    results = {}
    errors = []
    loads = []
    busy = 0
    try:
        for c in (orig, ours):
            c.setup(deadline)
        for c in clusters:
            w = Workload(c, deadline)
            bad = w.health()
            if bad:
                raise RuntimeError("%s cluster not healthy after its start: %s" % (c.label, bad))
            w.reader = PropReader(c.mnt(OTHER), w.check)
            os.makedirs(w.m(WRITER, "bench", "prop"), exist_ok=True)
            works.append(w)
        for r in range(a.warmup_rounds + a.rounds):
            measured = r >= a.warmup_rounds
            loads.append(loadavg().split()[0])
            log("round %d of %d%s (load %s)" % (r + 1, a.warmup_rounds + a.rounds, "" if measured else ", warm-up",
                                              loads[-1]))
            if not measured:
                loads.pop()
            order = works if r % 2 == 0 else works[::-1]
            for key, title, fn in plist:
                if measured and busy_builds():
                    busy += 1
                for w in order:
                    log("  %s" % w.c.label)
                    s = fn(w, r)
                    if measured:
                        results.setdefault((key, w.c.label), []).append(s)
    except Interrupted as e:
        errors.append("interrupted by %s" % e)
    except Exception as e:  # noqa: BLE001 - reported with what was measured so far
        errors.append("%s: %s" % (type(e).__name__, e))
        log("FAILED: %s" % e)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for w in works:
            w.reader.close()
        for c in clusters:
            try:
                c.final_rss = c.rss() if c.up_seconds is not None else None
                c.teardown()
            except Exception as e:  # noqa: BLE001
                errors.append("%s: teardown: %s" % (c.label, e))
            errors.extend("%s: %s" % (c.label, e) for e in c.errors)
    finished = datetime.datetime.now(datetime.timezone.utc)
    report = build_report(a, clusters, plist, results, cmdline, started, finished, load0, loadavg(), loads, ns_note,
                          errors, busy)
    return finish(report, a.out, errors)


if __name__ == "__main__":
    sys.exit(main())
