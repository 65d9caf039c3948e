#!/usr/bin/env python3
"""Scale run of pmxcfs-java on this machine (scripts/bench scale): clusters of 5, 9, 16 and 32 nodes.

For each size, one after the other: `scripts/cluster up N DIR --netns` (every node a JVM in a network
namespace of its own on one bridge), then
  - memory: RSS of every node once up, and each one's peak (VmHWM) at the end;
  - the phases of the 3-node benchmark (clusterphases.py): writes on node1 (the coordinator) and on
    node3, propagation node1 -> node3, kill -9 of node1 (the coordinator) with a writer on node2,
    its return, and node3 joining with an empty database while the cluster holds a 10,000-file tree;
  - partition: the largest minority ((N-1)/2 nodes, the last ones) loses its links at once
    (`scripts/cluster cut`); node1 writes every 10 ms meanwhile; then `heal`: time until every
    node is quorate again and holds what node1 wrote during the cut;
  - cold start: every node stopped (SIGTERM), then all started at once; time until all are quorate
    and list all N online.
The daemons run with a smaller heap than scripts/pmxcfs's default (--java-opts), so that 32 of
them fit next to everything else on the machine; the report says which.

Not a CI test.  Standard library only.  Progress on stderr, the report on stdout and in --out.
"""

import argparse
import datetime
import errno
import os
import signal
import subprocess
import sys
import threading
import time
import types

from benchlib import (Interrupted, begin, check_bounds, common_options, content, finish, fmt_ms, fmt_num, fmt_rate,
                      fmt_s, is_mounted, lazy_umount, loadavg, log, machine_info, median, mono_ns, pct, pid_alive,
                      read_text, report_text, write_new)
from clusterlib import members_online, members_quorate, read_members
from clusterphases import ClusterWorkload
from ourcluster import OurCluster

BASE_PORT = 18000            # inside the cluster's namespaces
JAVA_OPTS = "-Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
PER_NODE_BOUND = 10.0        # seconds per node added to the bounds of starting and healing
SETTLE = 120.0               # an unhealthy cluster may recover this long before the next phase


class WriteProbe:
    """One create every 10 ms on node k (a new file each) in a thread: when did writes complete?"""

    def __init__(self, w, k, sub):
        self.w, self.k = w, k
        self.dir = w.m(k, "bench", sub)
        os.makedirs(self.dir)
        self.attempts = []    # (start ns, end ns, errno name or None)
        self.done = threading.Event()
        self.th = threading.Thread(target=self.body, daemon=True, name="write-probe")
        self.th.start()

    def body(self):
        i = 0
        while not self.done.is_set():
            s = mono_ns()
            err = None
            try:
                write_new(os.path.join(self.dir, "p%06d" % i), content(i))
            except OSError as e:
                err = errno.errorcode.get(e.errno, str(e.errno))
            self.attempts.append((s, mono_ns(), err))
            i += 1
            time.sleep(0.01)

    def finish(self):
        self.done.set()
        self.th.join(60)

    def longest_gap(self, t_from, t_to):
        """The longest time between t_from and t_to in which no write completed (ns)."""
        ends = [t_from] + [e for s, e, err in self.attempts if err is None and t_from < e < t_to] + [t_to]
        return max(b - a for a, b in zip(ends, ends[1:]))


class ScaleWorkload(ClusterWorkload):
    """The 3-node phases at size N, plus memory, cold start and partition."""

    def rss_now(self):
        return [r for _, _, r in self.c.snap_nodes().values() if r]

    def all_formed(self):
        for k in range(1, self.c.nodes + 1):
            m = read_members(self.c.mnt(k))
            if not members_quorate(m) or any(members_online(m, "node%d" % j) is not True
                                             for j in range(1, self.c.nodes + 1)):
                return False
        return True

    def phase_cold_start(self):
        c = self.c
        n = c.nodes
        pids = [c.node_pid(k) for k in range(1, n + 1)]
        for pid in pids:
            if pid:
                os.kill(pid, signal.SIGTERM)
        self.wait_until("every node stopped", lambda: not any(p and pid_alive(p) for p in pids), 60)
        for k in range(1, n + 1):
            if is_mounted(c.mnt(k)):
                lazy_umount(c.mnt(k))
        c.down.update(range(1, n + 1))
        ps = self.stat_phase("cold start of %d nodes at once" % n)
        t0 = mono_ns()
        procs = [c.start_node(k) for k in range(1, n + 1)]
        bound = 60 + PER_NODE_BOUND * n
        t_mounted = self.wait_until("every node mounted", lambda: all(is_mounted(c.mnt(k)) for k in range(1, n + 1)),
                                    bound, step=0.05)
        t_formed = self.wait_until("every node quorate with all %d online" % n, self.all_formed, bound, step=0.05)
        self.end_phase(ps)
        c.down.clear()
        bad = [p.returncode for p in procs if p.wait(60) != 0]
        if bad:
            raise RuntimeError("%d of the %d `scripts/cluster start` commands failed" % (len(bad), n))
        self.r["cold"] = {"mounted": t_mounted - t0, "formed": t_formed - t0}
        log("  cold start: all mounted %s, all quorate with all online %s" % (fmt_s(t_mounted - t0),
                                                                           fmt_s(t_formed - t0)))

    def phase_idle(self):
        """The cluster's own cost: every daemon's CPU over 10 s without a client."""
        ps = self.stat_phase("idle, 10 s")
        time.sleep(10)
        self.end_phase(ps)
        cpu = sum(ps.after[k][1] - ps.before[k][1] for k in ps.after
                  if k in ps.before and ps.after[k][0] == ps.before[k][0])
        self.r["idle_cpu"] = cpu / 10 / 1e9
        log("  idle: the daemons used %.0f %% of one CPU together" % (100 * self.r["idle_cpu"]))

    def phase_partition(self):
        c = self.c
        n = c.nodes
        cut = list(range(n - (n - 1) // 2 + 1, n + 1))
        probe = WriteProbe(self, 1, "part")
        ps = self.stat_phase("partition: nodes %d..%d cut off, then healed" % (cut[0], cut[-1]))
        time.sleep(0.5)
        t_cut = mono_ns()
        for k in cut:
            run_cluster(c, "cut", c.dir, str(k))
        st = {}
        try:
            st["off"] = self.wait_until("node1 listing the cut nodes offline", lambda: all(
                members_online(read_members(c.mnt(1)), "node%d" % k) is False for k in cut), 60, step=0.02)
            st["ro"] = self.wait_until("the cut nodes without quorum", lambda: all(
                not members_quorate(read_members(c.mnt(k))) for k in cut), 60, step=0.02)
            time.sleep(2)
        finally:
            t_heal = mono_ns()
            run_cluster(c, "heal", c.dir)
        try:
            st["formed"] = self.wait_until("every node quorate with all %d online after the heal" % n, self.all_formed,
                                           60 + PER_NODE_BOUND * n, step=0.05)
        finally:
            probe.finish()
        want = set("p%06d" % i for i, x in enumerate(probe.attempts) if x[2] is None)
        st["synced"] = self.wait_until("the cut nodes holding node1's writes of the partition", lambda: all(
            want <= set(os.listdir(self.m(k, "bench", "part"))) for k in cut), 60 + PER_NODE_BOUND * n, step=0.05)
        self.end_phase(ps)
        fails = sum(1 for x in probe.attempts if x[2] is not None)
        self.r["partition"] = {"cut": cut, "off": st["off"] - t_cut, "ro": st["ro"] - t_cut,
                               "gap": probe.longest_gap(t_cut, t_heal), "formed": st["formed"] - t_heal,
                               "synced": st["synced"] - t_heal, "fails": fails, "writes": len(want)}
        r = self.r["partition"]
        log("  partition of %d nodes: offline on node1 %s, read-only %s, longest write gap on node1 %s; heal: all "
            "quorate %s, synced %s" % (len(cut), fmt_s(r["off"]), fmt_s(r["ro"]), fmt_s(r["gap"], 3),
                                       fmt_s(r["formed"]), fmt_s(r["synced"])))
        if fails:
            self.errors.append("partition: %d creates on node1 failed" % fails)

    def run(self):
        self.r["rss_up"] = self.rss_now()
        # node1 started first, so it is the coordinator until the cold start, which comes last
        self.run_phases([("idle", self.phase_idle), ("writes", self.phase_writes), ("propagation", self.phase_propagation),
                         ("failover", self.phase_failover), ("return", self.phase_return), ("join", self.phase_join),
                         ("partition", self.phase_partition), ("cold start", self.phase_cold_start)],
                        settle=SETTLE)


def run_cluster(c, *args):
    p = subprocess.run([c.script()] + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("`scripts/cluster %s` failed (rc %d): %s" % (" ".join(args[:1]), p.returncode, p.stdout))


def log_symptoms(c):
    """What the nodes' logs say about stress: membership changes node1 saw, and how many times any
    node's transport thread pool was full."""
    views = full = 0
    for k in range(1, c.nodes + 1):
        for line in (read_text(c.logfile(k), "") or "").splitlines():
            if k == 1 and "[dcdb] notice: members:" in line:
                views += 1
            if "thread pool is full" in line:
                full += 1
    return {"views": views, "pool_full": full}


def run_size(a, n, deadline):
    """One cluster size: returns (workload or None, cluster, errors)."""
    log("=== %d nodes" % n)
    c = OurCluster(n, BASE_PORT, a.keep, netns=True, prefix="pmxcfs-scale%d." % n,
                   up_timeout=120 + PER_NODE_BOUND * n, token=a.token)
    w = None
    errors = []
    try:
        c.setup(deadline)
        w = ScaleWorkload(types.SimpleNamespace(n=a.n, warmup=a.warmup, prop_samples=a.prop_samples, fail_node=1,
                                                join_files=a.join_files, join_size=a.join_size), c, deadline)
        w.run()
    except Interrupted:
        raise
    except Exception as e:  # noqa: BLE001
        errors.append("%d nodes: %s: %s" % (n, type(e).__name__, e))
        log("FAILED: %s" % e)
    finally:
        if w is not None:
            w.stop = True
        if c.dir:
            c.symptoms = log_symptoms(c)
        c.teardown()
    if w is not None:
        errors = ["%d nodes: %s" % (n, e) for e in w.errors] + errors
    errors += ["%d nodes: %s" % (n, e) for e in c.errors]
    return w, c, errors


def build_report(a, runs, cmdline, started, finished, load0, load1, ns_note, errors):
    out = ["# pmxcfs-java at scale: %s nodes on one machine" % ", ".join(str(n) for n, _, _, _ in runs), ""]
    out.append("- Date: %s UTC, %.0f s wall time" % (started.strftime("%Y-%m-%d %H:%M"),
                                                      (finished - started).total_seconds()))
    out.append("- Command: `%s`" % cmdline)
    out.extend(machine_info([], show_jars=True))
    out.append("- JVM options of every node (PMXCFS_JAVA_OPTS): `%s`; totem token: %s"
               % (a.java_opts, "%d ms" % a.token if a.token else "corosync's default (3000 ms)"))
    out.append("- Load average at start / end: %s / %s; at the start of each size: %s"
               % (load0, load1, ", ".join("%d nodes %s" % (n, ld) for n, _, _, ld in runs)))
    out.append("- %s" % ns_note)
    out.append("")
    out.append("| measurement | " + " | ".join("%d nodes" % n for n, _, _, _ in runs) + " |")
    out.append("|---|" + "---:|" * len(runs))

    def row(title, fn):
        cells = []
        for n, w, c, _ in runs:
            try:
                v = fn(w.r if w else {}, c)
            except (AttributeError, KeyError, TypeError, ValueError, ZeroDivisionError):
                v = None
            cells.append(v if v is not None else "n/a")
        out.append("| %s | %s |" % (title, " | ".join(cells)))

    def mib(xs):
        return "%s / %s MiB" % (fmt_num(median(xs) / 1024), fmt_num(max(xs) / 1024))

    def rate(x):
        return "%s (%s / %s ms)" % (fmt_rate(x["ops"] / x["seconds"]), fmt_num(pct(x["lat"], 50) / 1e6, 1),
                                    fmt_num(pct(x["lat"], 99) / 1e6, 1))
    row("`scripts/cluster up` (nodes started one after the other, then quorum)", lambda r, c: fmt_s(c.up_seconds * 1e9))
    row("nodes running at the end", lambda r, c: fmt_num(len(c.final)))
    row("RSS per node once up, median / max", lambda r, c: mib(r["rss_up"]))
    row("idle cluster: CPU of all daemons together, % of one core", lambda r, c: "%.0f %%" % (100 * r["idle_cpu"]))
    row("threads per node at the end, median / max", lambda r, c: "%s / %s" % (
        fmt_num(median([int(v[3]) for v in c.final.values()])), fmt_num(max(int(v[3]) for v in c.final.values()))))
    row("membership changes in node1's log, whole run", lambda r, c: fmt_num(c.symptoms["views"]))
    row("\"thread pool is full\" lines in the nodes' logs, whole run", lambda r, c: fmt_num(c.symptoms["pool_full"]))
    row("peak RSS (VmHWM) per node at the end, median / max",
        lambda r, c: mib([int(v[2].split()[0]) for v in c.final.values() if v[2]]))
    row("cold start, all nodes started at once → all mounted", lambda r, c: fmt_s(r["cold"]["mounted"]))
    row("cold start → every node quorate, listing all online", lambda r, c: fmt_s(r["cold"]["formed"]))
    for key, title in (("create", "create 1 KiB on node1 (coordinator), ops/s (p50 / p99)"),
                       ("replace", "replace 1 KiB on node1, ops/s (p50 / p99)"),
                       ("create3", "create 1 KiB on node3, ops/s (p50 / p99)")):
        row(title, lambda r, c, key=key: rate(r[key]))
    row("CPU of all daemons per create or replace on node1", lambda r, c: cpu_per_write(r, c))
    row("propagation node1 → node3 after close(), p50 / p99",
        lambda r, c: "%s / %s" % (fmt_ms(pct(r["prop_create"]["after"], 50)), fmt_ms(pct(r["prop_create"]["after"], 99))))
    row("kill -9 node1 (coordinator): longest time node2 completed no write",
        lambda r, c: fmt_s(r["failover"]["outage"], 3))
    row("&nbsp;&nbsp;node1 offline in node2's .members after", lambda r, c: fmt_s(r["failover"]["off"]))
    row("node1 restarted: start → quorate", lambda r, c: fmt_s(r["return"]["quorate"]))
    row("join: node3 with an empty database, %s files in the tree: start → all there" % format(a.join_files, ","),
        lambda r, c: fmt_s(r["join"]["synced"]))
    row("partition: nodes cut off (all links down at once)",
        lambda r, c: "%d..%d" % (r["partition"]["cut"][0], r["partition"]["cut"][-1]))
    row("&nbsp;&nbsp;cut → node1 lists them offline", lambda r, c: fmt_s(r["partition"]["off"]))
    row("&nbsp;&nbsp;cut → all of them without quorum", lambda r, c: fmt_s(r["partition"]["ro"]))
    row("&nbsp;&nbsp;longest time node1 completed no write (one create per 10 ms)",
        lambda r, c: fmt_s(r["partition"]["gap"], 3))
    row("heal → every node quorate, listing all online", lambda r, c: fmt_s(r["partition"]["formed"]))
    row("heal → the cut nodes hold node1's writes of the partition", lambda r, c: fmt_s(r["partition"]["synced"]))
    out.append("")
    out.append("## Notes")
    out.append("")
    out.append("- Each size is a fresh cluster (`scripts/cluster up N DIR --netns --base-port %d`), torn down before "
               "the next. Writes: %d creates then %d replaces (tmp + rename) of 1 KiB files, one at a time, after %d "
               "unmeasured of each. Propagation: %d samples. The join tree: %s files of %s B written through node1 "
               "by 4 client threads; node3 is stopped, its data dir deleted, and started again. All of it is "
               "what `scripts/bench --cluster` does at 3 nodes (see its report's notes for the details)."
               % (BASE_PORT, a.n, a.n, a.warmup, a.prop_samples, format(a.join_files, ","), format(a.join_size, ",")))
    out.append("- Every node is a JVM on the same 2 cores; with N nodes each gets 2/N of a core at best, so times "
               "that need every node to act (forming, healing, a write's acknowledgements) grow with N here "
               "where separate machines would not.")
    out.append("")
    return report_text(out, errors)


def cpu_per_write(r, c):
    ps = next((p for p in c.pstats if p.name.startswith("create, replace") and p.name.endswith("on node1")), None)
    if ps is None:
        return None
    cpu = sum(ps.after[k][1] - ps.before[k][1] for k in ps.after if k in ps.before and ps.after[k][0] == ps.before[k][0])
    return "%s ms" % fmt_num(cpu / (2 * r["create"]["ops"]) / 1e6, 2)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="scripts/bench scale",
        description="pmxcfs-java clusters of growing size on this machine, each node in a network namespace: "
                    "memory, cold start, writes, propagation, failover, join of a 10k-file tree, partition and "
                    "heal. Report (Markdown) on stdout and in --out; progress on stderr.")
    p.add_argument("--sizes", default="5,9,16,32", help="cluster sizes, comma separated (default 5,9,16,32)")
    p.add_argument("--java-opts", default=os.environ.get("PMXCFS_JAVA_OPTS", JAVA_OPTS),
                   help="JVM options of every node (default: $PMXCFS_JAVA_OPTS or `%s`)" % JAVA_OPTS)
    p.add_argument("--token", type=int, help="totem token in ms written to corosync.conf (default: none, i.e. 3000); "
                                             "a silent node is suspected after a third of token + 125 ms per node "
                                             "beyond two")
    p.add_argument("--n", type=int, default=300, help="files per write phase (default 300)")
    p.add_argument("--warmup", type=int, default=100, help="warm-up ops per kind (default 100)")
    p.add_argument("--prop-samples", type=int, default=100, help="propagation samples (default 100)")
    p.add_argument("--join-files", type=int, default=10000, help="files in the join tree (default 10000)")
    p.add_argument("--join-size", type=int, default=1000, help="bytes per join file (default 1000)")
    common_options(p, 7200)
    a = p.parse_args(argv)
    try:
        a.sizes = [int(x) for x in a.sizes.split(",")]
    except ValueError:
        p.error("--sizes must be numbers separated by commas, e.g. 5,9,16,32")
    if any(not 3 <= n <= 99 for n in a.sizes):
        p.error("every size must be 3..99 (scripts/cluster's node numbers)")
    check_bounds(p, [("--n", a.n, 1, 10000), ("--warmup", a.warmup, 0, 10000),
                     ("--prop-samples", a.prop_samples, 1, 10000), ("--join-files", a.join_files, 1, 99999),
                     ("--join-size", a.join_size, 64, 1024 * 1024), ("--timeout", a.timeout, 10, 86400),
                     ("--token", a.token or 3000, 1000, 60000)])
    if a.join_files * a.join_size > 28 * 1024 * 1024:
        p.error("--join-files x --join-size must stay below the daemons' 30 MiB cap")
    return a


def main():
    argv = sys.argv[1:]
    a = parse_args(argv)
    cmdline, ns_note = begin(os.path.abspath(__file__), argv, a, ["scale"])
    os.environ["PMXCFS_JAVA_OPTS"] = a.java_opts
    started = datetime.datetime.now(datetime.timezone.utc)
    deadline = time.monotonic() + a.timeout
    load0 = loadavg()
    runs = []
    errors = []
    try:
        for n in a.sizes:
            ld = loadavg().split()[0]
            w, c, errs = run_size(a, n, deadline)
            c.pstats = w.pstats if w else []
            runs.append((n, w, c, ld))
            errors += errs
    except Interrupted as e:
        errors.append("interrupted by %s" % e)
    finished = datetime.datetime.now(datetime.timezone.utc)
    report = build_report(a, runs, cmdline, started, finished, load0, loadavg(), ns_note, errors)
    return finish(report, a.out, errors)


if __name__ == "__main__":
    sys.exit(main())
