"""The phases of the cluster benchmark of ours alone (scripts/bench --cluster, bench.py): writes on
the coordinator and on another node, propagation, failover after kill -9, the return of the killed
node, the sync of a joining node with an empty database.  Standard library only."""

import errno
import os
import shutil
import signal
import threading
import time

from benchlib import SMALL, content, fmt_s, is_mounted, lazy_umount, log, mono_ns, pid_alive, replace, write_new
from clusterlib import (LogWatch, PropReader, Workload, count_tree, fill_tree, members_online, members_quorate,
                        prop_body, propagation, read_members, tree_bytes, tree_differences, tree_synced, watch_start)

CL_PHASE_BOUND = 60.0        # failover / return / join: give up after this
CL_CONVERGE_BOUND = 60.0     # unmeasured checks that the other nodes caught up


class ClusterWorkload(Workload):
    """The measured phases of ours alone, run in a worker thread; results go to self.r (name -> dict)."""

    def __init__(self, a, cl, deadline):
        super().__init__(cl, deadline)
        self.a = a
        self.r = {}
        self.fail = a.fail_node
        self.writer = 1 if a.fail_node != 1 else 2    # the node writing while the other one fails

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
        self.r["create" + sfx] = self.timed_ops("create 1 KiB on %s" % node, range(n),
                                                lambda i: write_new(files[i], datas[i]))
        self.r["replace" + sfx] = self.timed_ops("replace 1 KiB on %s" % node, range(n),
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
        self.r["delete" + sfx] = self.timed_ops("delete on %s" % node, files, os.unlink)
        self.end_phase(ps)
        od = self.m(other, "bench", sub)
        self.wait_until("node%d seeing all %d deletes" % (other, n),
                        lambda: not os.path.exists(od) or not os.listdir(od), CL_CONVERGE_BOUND, step=0.02)
        os.rmdir(d)

    # ------------------------------------------------------------------ phase 2
    def phase_propagation(self):
        a = self.a
        os.makedirs(self.m(1, "bench", "prop"))
        self.wait_until("bench/prop on node3", lambda: os.path.isdir(self.m(3, "bench", "prop")), 10)
        reader = PropReader(self.c.mnt(3), self.check)
        try:
            ps = self.stat_phase("propagation, %d + %d samples (+ %d warm-up)" % (a.prop_samples, a.prop_samples, 20))
            for variant in ("create", "replace"):
                self.r["prop_" + variant] = propagation(self, reader, 1, variant, a.prop_samples)
            self.end_phase(ps)
        finally:
            reader.close()

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

        def synced():
            try:
                with open(self.m(f, "bench", "ret", "marker"), "rb") as fh:
                    return fh.read() == body
            except OSError:
                return False
        st = watch_start(self, p, t0, {
            "mounted": lambda: is_mounted(self.c.mnt(f)),
            "quorate": lambda: members_quorate(read_members(self.c.mnt(f))),
            "synced": synced,
            "seen1": lambda: members_online(read_members(self.c.mnt(W)), name) is True}, CL_PHASE_BOUND, lw, 0.005)
        self.end_phase(ps)
        self.c.down.discard(f)
        self.r["return"] = dict(st, node=name, writer=wname, log=lw.rel(t0))
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
    def phase_join(self):
        a = self.a
        nf, size = a.join_files, a.join_size
        # the 30 MiB cap: make room first
        for sub in os.listdir(self.m(1, "bench")):
            p = self.m(1, "bench", sub)
            if os.path.isdir(p):
                shutil.rmtree(p)
            else:
                os.unlink(p)
        ps = self.stat_phase("fill: %s files of %s B via node1 (4 threads)" % (format(nf, ","), format(size, ",")))
        fill_s = fill_tree(self, 1, nf, size)
        t_fill_end = mono_ns()
        conv = {}
        for k in range(1, self.c.nodes + 1):
            t = self.wait_until("node%d holding all %d files" % (k, nf), lambda k=k: count_tree(self.c.mnt(k), nf) == nf,
                                CL_CONVERGE_BOUND, step=0.02)
            conv[k] = t - t_fill_end
        self.end_phase(ps)
        log("  filled %d files in %.1f s (%.0f creates/s, 4 threads); all nodes had them %s after the last close"
            % (nf, fill_s, nf / fill_s, fmt_s(max(conv.values()))))
        total = tree_bytes(self.c.mnt(1))

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
        lw = LogWatch(self.c.logfile(j))
        t0 = mono_ns()
        p = self.c.start_node(j)
        mnt = self.c.mnt(j)
        r = watch_start(self, p, t0, {
            "mounted": lambda: is_mounted(mnt),
            "quorate": lambda: members_quorate(read_members(mnt)),
            "count": lambda: count_tree(mnt, nf) == nf,
            "synced": tree_synced(mnt, nf, size)}, CL_PHASE_BOUND, lw)
        self.end_phase(ps)
        self.c.down.discard(j)
        r["log"] = lw.rel(t0)
        r.update({"node": name, "files": nf, "size": size, "total": total, "fill_s": fill_s,
                  "conv": max(conv.values()), "stop_s": gone, "killed": killed})
        self.r["join"] = r
        log("  join of %s (empty db): start command returned %s, mounted %s, quorate %s, %d files %s, sample "
            "checksum ok %s" % (name, fmt_s(r["cmd"]), fmt_s(r["mounted"]), fmt_s(r["quorate"]), nf,
                                fmt_s(r["count"]), fmt_s(r["synced"])))
        if r["rc"] not in (None, 0):
            raise RuntimeError("`scripts/cluster start $DIR %d` failed (rc %d):\n%s" % (j, r["rc"], self.c.start_output(j)))
        missing = [k for k in ("cmd", "mounted", "quorate", "count", "synced") if r[k] is None]
        if missing:
            raise RuntimeError("%s not %s within %.0f s of its start (%d of %d files there)"
                               % (name, ", ".join(missing), CL_PHASE_BOUND, count_tree(mnt, nf), nf))
        # unmeasured: every file, byte for byte
        bad = tree_differences(self, mnt, nf, size)
        if bad:
            raise RuntimeError("%s: %d of %d files differ from what was written (e.g. f%05d)" % (name, len(bad), nf, bad[0]))
        try:
            r["db"] = ", ".join("%s %s B" % (x, format(os.path.getsize(os.path.join(self.c.datadir(j), x)), ","))
                                for x in sorted(os.listdir(self.c.datadir(j))) if x.startswith("config.db"))
        except OSError:
            pass

    # ------------------------------------------------------------------ driver
    def run(self):
        self.run_phases([("writes", self.phase_writes), ("propagation", self.phase_propagation),
                         ("failover", self.phase_failover), ("return", self.phase_return), ("join", self.phase_join)])
