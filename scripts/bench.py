#!/usr/bin/env python3
"""Cluster benchmark of pmxcfs-java alone (scripts/bench --cluster).

Starts a 3-node cluster with scripts/cluster (ourcluster.py, in /var/tmp/pmxcfs-cbench.XXXX) and
measures cluster writes, propagation to another node, failover after kill -9, the return of the
killed node and the sync of a joining node with an empty database (clusterphases.py).  The cluster
side by side with the original pmxcfs is bench_versus.py, the local one bench_local.py, the scale
run bench_scale.py.

Standard library only.  Progress goes to stderr, the report to stdout and --out.
"""

import argparse
import datetime
import os
import shlex
import signal
import sys
import threading
import time

from benchlib import (CLK_TCK, KIB, MIB, NS_MARK, ROOT, Interrupted, busy_builds, check_bounds, common_options,
                      fmt_ms, fmt_num, fmt_rate, fmt_s, fmt_us, loadavg, log, machine_info, maybe_unshare, pct,
                      report_text)
from clusterlib import fmt_milestones
from clusterphases import CL_PHASE_BOUND, ClusterWorkload
from ourcluster import STOP_TIMEOUT, OurCluster

CL_NODES = 3

# absolute targets only: the ratios to the original are bench_versus.py's
CL_TARGET = {
    "prop_p99_ms": 5.0,
    "failover_s": 2.0,
    "join_s": 3.0,
}


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
        "`umount -l` of every mount) at the end, also after errors and signals." % (CL_NODES, STOP_TIMEOUT),
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
    return report_text(out, errors)


def cluster_main(a, argv, ns_note):
    argv0 = os.environ.get("PMXCFS_BENCH_ARGV0", "scripts/bench")
    cmdline = shlex.join([argv0] + argv)
    if os.geteuid() != 0:
        log("warning: not root; mounting FUSE may fail")
    started = datetime.datetime.now(datetime.timezone.utc)
    t_start = time.monotonic()
    deadline = t_start + a.timeout
    load0 = loadavg()
    state = {"interrupted": None}

    def on_signal(signum, frame):
        if state["interrupted"] is None:
            state["interrupted"] = signal.Signals(signum).name
            raise Interrupted(signal.Signals(signum).name)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)

    cl = OurCluster(CL_NODES, a.base_port, a.keep)
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
    load1 = loadavg()
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
    common_options(p, 900)
    p.add_argument("--warmup", type=int, default=300, help="warm-up ops per kind (default 300)")
    p.add_argument("--prop-samples", type=int, default=200,
                   help="propagation samples per variant (create, replace; default 200)")
    p.add_argument("--fail-node", type=int, default=2, choices=(1, 2, 3),
                   help="the node killed with SIGKILL and restarted (default 2); node1 was started first and is "
                        "the JGroups coordinator; with 1 the writes during failover and return go to node2")
    p.add_argument("--join-files", type=int, default=10000, help="files held by the cluster for the join (default 10000)")
    p.add_argument("--join-size", type=int, default=3000, help="bytes per join file (default 3000)")
    p.add_argument("--base-port", type=int, help="cluster port (default: a free one is picked)")
    a = p.parse_args(argv)

    check_bounds(p, [("--n", a.n, 1, 20000), ("--warmup", a.warmup, 0, 20000), ("--timeout", a.timeout, 10, 24 * 3600),
                     ("--prop-samples", a.prop_samples, 1, 10000), ("--join-files", a.join_files, 1, 100000),
                     ("--join-size", a.join_size, 64, MIB)])
    if a.base_port is not None:
        check_bounds(p, [("--base-port", a.base_port, 1024, 65000)])
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
