#!/usr/bin/env python3
"""File-workload benchmark of a pmxcfs mount, with a tmpfs baseline in the same run.

Run through scripts/bench.  By default it starts its own daemon (scripts/pmxcfs -f -l) once per
--threads-list value, each on a fresh data dir on the real disk (/var/tmp/pmxcfs-bench.XXXX) and
a fresh mount point, runs the workload against it, stops it, and finally prints one Markdown
column per daemon configuration plus one for a fresh tmpfs.  With --mount DIR --pid PID it
benchmarks an already mounted filesystem instead (e.g. the C pmxcfs) and manages no daemon.

Standard library only.  Progress goes to stderr, the report to stdout and --out.
"""

import argparse
import ctypes
import datetime
import errno
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

if sys.version_info < (3, 8):
    sys.exit("scripts/bench: needs Python 3.8 or newer")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PMXCFS = os.path.join(ROOT, "scripts", "pmxcfs")
NS_MARK = "PMXCFS_BENCH_IN_NS"

KIB = 1024
MIB = 1024 * 1024
SMALL = 1 * KIB

READY_TIMEOUT = 60.0          # daemon start-up (pid file) bound
BUILD_READY_TIMEOUT = 900.0   # the same when scripts/pmxcfs has to build the project first
STOP_TIMEOUT = 20.0           # SIGTERM -> exit bound, before SIGKILL


class Interrupted(Exception):
    pass


class BenchTimeout(Exception):
    pass


def log(msg):
    sys.stderr.write("[bench] %s\n" % msg)
    sys.stderr.flush()


# ---------------------------------------------------------------------------------------------
# small system helpers

def read_text(path, default=None):
    try:
        with open(path, "r", errors="replace") as f:
            return f.read()
    except OSError:
        return default


def run_out(cmd, timeout=30):
    """stdout+stderr of a short command, or None."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                           timeout=timeout, universal_newlines=True)
        return p.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def unescape_mountinfo(s):
    return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def mount_entry(path):
    """(fstype, source) of the mount exactly at path in this namespace, or None."""
    target = os.path.realpath(path)
    found = None
    for line in (read_text("/proc/self/mountinfo", "") or "").splitlines():
        f = line.split(" ")
        if len(f) > 4 and unescape_mountinfo(f[4]) == target:
            try:
                sep = f.index("-")
                found = (f[sep + 1], f[sep + 2])
            except (ValueError, IndexError):
                found = ("?", "?")
    return found   # the last one wins (topmost mount)


def is_mounted(path):
    return mount_entry(path) is not None


def lazy_umount(path):
    if is_mounted(path):
        run_out(["umount", "-l", path], timeout=20)


def proc_io(pid):
    """dict of /proc/<pid>/io, or None."""
    if pid is None:
        return None
    txt = read_text("/proc/%d/io" % pid)
    if not txt:
        return None
    d = {}
    for line in txt.splitlines():
        k, _, v = line.partition(":")
        try:
            d[k.strip()] = int(v)
        except ValueError:
            pass
    return d


CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def proc_cpu_ns(pid):
    """utime+stime of the whole process (all threads, also exited ones) in ns, or None."""
    if pid is None:
        return None
    txt = read_text("/proc/%d/stat" % pid)
    if not txt:
        return None
    rest = txt[txt.rindex(")") + 2:].split()
    # fields after the comm: state(3) ppid(4) ... utime(14) stime(15) -> indexes 11, 12 here
    return (int(rest[11]) + int(rest[12])) * 1000000000 // CLK_TCK


def proc_task_cpu_ns(pid):
    """{tid: ns on CPU} from /proc/<pid>/task/*/schedstat (ns precision, live threads only), or None."""
    if pid is None:
        return None
    d = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return None
    for tid in tids:
        txt = read_text("/proc/%d/task/%s/schedstat" % (pid, tid))
        if txt:
            try:
                d[tid] = int(txt.split()[0])
            except (ValueError, IndexError):
                pass
    return d or None


def proc_status(pid, key):
    for line in (read_text("/proc/%d/status" % pid, "") or "").splitlines():
        if line.startswith(key + ":"):
            return line.split(":", 1)[1].strip()
    return None


def ppid_of(pid):
    txt = read_text("/proc/%d/stat" % pid)
    if not txt:
        return None
    return int(txt[txt.rindex(")") + 2:].split()[1])


def is_descendant(pid, ancestor):
    seen = 0
    while pid and pid > 1 and seen < 64:
        if pid == ancestor:
            return True
        pid = ppid_of(pid)
        seen += 1
    return False


def jar_stamp():
    """(name, mtime) of the built daemon jars, to notice a rebuild during the run."""
    out = []
    for d in (os.path.join(ROOT, "pmxcfs", "target"), os.path.join(ROOT, "pmxcfs", "target", "lib")):
        try:
            for f in sorted(os.listdir(d)):
                if f.endswith(".jar"):
                    out.append((f, os.path.getmtime(os.path.join(d, f))))
        except OSError:
            pass
    return out


def busy_builds():
    """pids of running maven builds (only looked at, never touched)."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        cmd = read_text("/proc/%s/cmdline" % d, "") or ""
        if "org.codehaus.plexus.classworlds" in cmd:
            found.append(int(d))
    return found


def block_dev_of(path):
    """(name, /sys/dev/block/M:m path) of the block device holding path, or (None, None)."""
    try:
        st = os.stat(path)
    except OSError:
        return None, None
    sysp = "/sys/dev/block/%d:%d" % (os.major(st.st_dev), os.minor(st.st_dev))
    if not os.path.exists(sysp):
        return None, None
    name = os.path.basename(os.path.realpath(sysp))
    return name, sysp


def dev_sectors_written(sysp):
    if not sysp:
        return None
    txt = read_text(os.path.join(sysp, "stat"))
    if not txt:
        return None
    f = txt.split()
    return int(f[6]) if len(f) > 6 else None


# ---------------------------------------------------------------------------------------------
# measurement

class PhaseResult:
    def __init__(self, name, unit="op"):
        self.name = name
        self.unit = unit
        self.ops = 0
        self.seconds = None
        self.lat = []          # ns per op
        self.disk = None       # daemon write_bytes delta
        self.cancelled = None  # daemon cancelled_write_bytes delta
        self.dev = None        # block device bytes written delta (whole device)
        self.cpu = None        # daemon cpu ns delta
        self.error = None
        self.mib_per_op = None  # for the 1 MiB row

    def ok(self):
        return self.error is None and self.seconds is not None and self.ops > 0


class Meter:
    """Counters sampled around a phase: daemon /proc/<pid>/io and CPU, block device sectors."""

    def __init__(self, pid, dev_sysfs):
        self.pid = pid
        self.dev_sysfs = dev_sysfs

    def sample(self):
        return (proc_io(self.pid), (proc_task_cpu_ns(self.pid), proc_cpu_ns(self.pid)),
                dev_sectors_written(self.dev_sysfs))

    def apply(self, res, before, after):
        io0, cpu0, dev0 = before
        io1, cpu1, dev1 = after
        if io0 and io1 and "write_bytes" in io0 and "write_bytes" in io1:
            res.disk = io1["write_bytes"] - io0["write_bytes"]
            res.cancelled = io1.get("cancelled_write_bytes", 0) - io0.get("cancelled_write_bytes", 0)
        (tasks0, ticks0), (tasks1, ticks1) = cpu0, cpu1
        if tasks0 is not None and tasks1 is not None and set(tasks0) <= set(tasks1):
            # no thread exited during the phase: the ns-precise per-thread sum is complete
            res.cpu = sum(v - tasks0.get(t, 0) for t, v in tasks1.items())
        elif ticks0 is not None and ticks1 is not None:
            res.cpu = ticks1 - ticks0
        if dev0 is not None and dev1 is not None:
            res.dev = (dev1 - dev0) * 512


def pct(sorted_lat, p):
    """nearest-rank percentile"""
    if not sorted_lat:
        return None
    k = max(0, min(len(sorted_lat) - 1, -(-len(sorted_lat) * p // 100) - 1))
    return sorted_lat[int(k)]


def content(i, size=SMALL):
    head = b"%010d\n" % i
    return head + b"x" * (size - len(head) - 1) + b"\n"


def write_new(path, data):
    """open(O_WRONLY|O_CREAT|O_EXCL), one write(), close."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        n = os.write(fd, data)
        if n != len(data):
            raise OSError(errno.EIO, "short write (%d of %d bytes)" % (n, len(data)), path)
    finally:
        os.close(fd)


def replace(path, data, tag):
    tmp = "%s.tmp.%s" % (path, tag)
    write_new(tmp, data)
    os.rename(tmp, path)


def read_all(path, expect):
    fd = os.open(path, os.O_RDONLY)
    try:
        total = 0
        while True:
            b = os.read(fd, 65536)
            if not b:
                break
            total += len(b)
    finally:
        os.close(fd)
    if total != expect:
        raise OSError(errno.EIO, "read %d bytes, expected %d" % (total, expect), path)


class Workload:
    def __init__(self, args, root, pid, dev_sysfs, deadline):
        self.a = args
        self.root = root
        self.meter = Meter(pid, dev_sysfs)
        self.deadline = deadline
        self.base = os.path.join(root, "bench.%d" % os.getpid())
        self.tag = str(os.getpid())
        self.results = []
        self.stop = False

    def check_time(self):
        if self.stop:
            raise BenchTimeout("stopped")
        if time.monotonic() > self.deadline:
            raise BenchTimeout("overall timeout reached")

    # one measured phase: sync, sample, run ops (each timed), sample, sync
    def phase(self, name, items, op, unit="op"):
        res = PhaseResult(name, unit)
        self.results.append(res)
        log("  %-34s ..." % name)
        try:
            self.check_time()
            os.sync()
            before = self.meter.sample()
            lat = res.lat
            clock = time.perf_counter_ns
            t0 = clock()
            for k, it in enumerate(items):
                if k & 63 == 0:
                    self.check_time()
                s = clock()
                op(it)
                lat.append(clock() - s)
            t1 = clock()
            res.ops = len(lat)
            res.seconds = (t1 - t0) / 1e9
            after = self.meter.sample()
            os.sync()
            dev_after = self.meter.sample()
            self.meter.apply(res, before, (after[0], after[1], dev_after[2]))
            log("  %-34s %6d ops %8.3f s  %10.1f ops/s" % (name, res.ops, res.seconds, res.ops / res.seconds))
        except BenchTimeout as e:
            res.error = str(e)
            raise
        except Exception as e:  # noqa: BLE001 - every failure is reported
            res.error = "%s: %s" % (type(e).__name__, e)
            log("  %-34s FAILED: %s" % (name, res.error))
        return res

    def mt_phase(self, name, nthreads, per_thread_items, op):
        """nthreads threads, each running op over its own items; aggregate ops/s over the wall time."""
        res = PhaseResult(name)
        self.results.append(res)
        log("  %-34s ..." % name)
        try:
            self.check_time()
            os.sync()
            lats = [[] for _ in range(nthreads)]
            errs = []
            barrier = threading.Barrier(nthreads + 1)

            def worker(i):
                clock = time.perf_counter_ns
                lat = lats[i]
                try:
                    barrier.wait(30)
                    for k, it in enumerate(per_thread_items[i]):
                        if self.stop:
                            return
                        s = clock()
                        op(it)
                        lat.append(clock() - s)
                except Exception as e:  # noqa: BLE001
                    errs.append("thread %d: %s: %s" % (i, type(e).__name__, e))

            threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(nthreads)]
            for t in threads:
                t.start()
            before = self.meter.sample()
            barrier.wait(30)
            t0 = time.perf_counter_ns()
            for t in threads:
                while t.is_alive():
                    t.join(0.5)
                    self.check_time()
            t1 = time.perf_counter_ns()
            after = self.meter.sample()
            os.sync()
            dev_after = self.meter.sample()
            if errs:
                raise RuntimeError("; ".join(errs[:3]))
            for lat in lats:
                res.lat.extend(lat)
            res.ops = len(res.lat)
            res.seconds = (t1 - t0) / 1e9
            self.meter.apply(res, before, (after[0], after[1], dev_after[2]))
            log("  %-34s %6d ops %8.3f s  %10.1f ops/s" % (name, res.ops, res.seconds, res.ops / res.seconds))
        except BenchTimeout as e:
            res.error = str(e)
            raise
        except Exception as e:  # noqa: BLE001
            res.error = "%s: %s" % (type(e).__name__, e)
            log("  %-34s FAILED: %s" % (name, res.error))
        return res

    def warmup(self):
        a = self.a
        w = os.path.join(self.base, "warmup")
        os.mkdir(w)
        files = [os.path.join(w, "w%05d" % i) for i in range(a.warmup)]
        data = content(0)
        for i, f in enumerate(files):
            write_new(f, data)
        self.check_time()
        for f in files:
            replace(f, data, self.tag)
        self.check_time()
        for f in files:
            read_all(f, SMALL)
            os.stat(f)
        self.check_time()
        for _ in range(max(1, a.warmup // 10)):
            os.listdir(w)
        big = os.path.join(w, "big")
        bigdata = b"b" * MIB
        for _ in range(min(a.warmup, 10)):
            replace(big, bigdata, self.tag)
        self.check_time()
        os.unlink(big)
        for f in files:
            os.unlink(f)
        # threads too (thread start-up paths in the daemon)
        per = max(1, min(a.warmup, 200) // a.mt_threads)
        tfiles = [[os.path.join(w, "t%d_%04d" % (t, i)) for i in range(per)] for t in range(a.mt_threads)]
        errs = []

        def tw(lst):
            try:
                for f in lst:
                    write_new(f, data)
                for f in lst:
                    replace(f, data, self.tag)
                for f in lst:
                    os.unlink(f)
            except Exception as e:  # noqa: BLE001
                errs.append(e)
        ths = [threading.Thread(target=tw, args=(lst,), daemon=True) for lst in tfiles]
        for t in ths:
            t.start()
        for t in ths:
            while t.is_alive():
                t.join(0.5)
                self.check_time()
        if errs:
            raise errs[0]
        os.rmdir(w)

    def run(self):
        a = self.a
        n = a.n
        os.mkdir(self.base)
        log(" warm-up (%d ops per kind, not measured)" % a.warmup)
        t = time.monotonic()
        try:
            self.warmup()
        except BenchTimeout:
            raise
        except Exception as e:  # noqa: BLE001
            r = PhaseResult("warm-up")
            r.error = "%s: %s" % (type(e).__name__, e)
            self.results.append(r)
            log("  warm-up FAILED: %s" % r.error)
        log(" warm-up took %.1f s" % (time.monotonic() - t))

        d = os.path.join(self.base, "d")
        os.mkdir(d)
        files = [os.path.join(d, "f%05d" % i) for i in range(n)]
        datas = [content(i) for i in range(n)]
        rdatas = [content(i + n) for i in range(n)]
        idx = list(range(n))

        self.phase("create 1 KiB", idx, lambda i: write_new(files[i], datas[i]))
        self.phase("replace 1 KiB (tmp+rename)", idx, lambda i: replace(files[i], rdatas[i], self.tag))
        self.phase("read 1 KiB", files, lambda f: read_all(f, SMALL))
        self.phase("stat", files, os.stat)

        def listing(_):
            got = len(os.listdir(d))
            if got != n:
                raise OSError(errno.EIO, "listdir returned %d entries, expected %d" % (got, n), d)
        self.phase("readdir (%d entries), per listing" % n, range(a.readdir_reps), listing, unit="listing")
        self.phase("delete", files, os.unlink)

        big = os.path.join(self.base, "big")
        bigdata = b"B" * MIB
        r = self.phase("write 1 MiB (one write(), tmp+rename)", range(a.big_reps),
                       lambda _: replace(big, bigdata, self.tag))
        r.mib_per_op = 1.0
        try:
            os.unlink(big)
        except OSError:
            pass

        m = os.path.join(self.base, "mt")
        os.mkdir(m)
        nt = a.mt_threads
        per = max(1, n // nt)
        mfiles = [[os.path.join(m, "t%d_%05d" % (t, i)) for i in range(per)] for t in range(nt)]
        items = [[(f, t * per + i) for i, f in enumerate(lst)] for t, lst in enumerate(mfiles)]
        self.mt_phase("%d-thread create 1 KiB" % nt, nt, items, lambda it: write_new(it[0], datas[it[1] % n]))
        self.mt_phase("%d-thread replace 1 KiB" % nt, nt, items,
                      lambda it: replace(it[0], rdatas[it[1] % n], self.tag))

    def cleanup(self):
        if os.path.isdir(self.base):
            shutil.rmtree(self.base, ignore_errors=True)
        return not os.path.exists(self.base)


# ---------------------------------------------------------------------------------------------
# targets

class Target:
    """One results column."""

    def __init__(self, label):
        self.label = label
        self.results = []
        self.errors = []
        self.info = []          # lines for the configurations list
        self.disk_na = False    # tmpfs: disk bytes are n/a
        self.pid = None
        self.dev_sysfs = None
        self.mount = None
        self.disk_desc = None   # (data dir, description of its disk)

    def setup(self, deadline):
        pass

    def teardown(self):
        pass


class TmpfsTarget(Target):
    def __init__(self):
        super().__init__("tmpfs")
        self.disk_na = True
        self.dir = None
        self.mounted = False

    def setup(self, deadline):
        self.dir = tempfile.mkdtemp(prefix="pmxcfs-bench-tmpfs.", dir="/tmp")
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", self.dir],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        if p.returncode == 0 and is_mounted(self.dir):
            self.mounted = True
            self.mount = self.dir
            self.info.append("tmpfs: fresh `mount -t tmpfs -o size=256m` at %s" % self.dir)
        else:
            os.rmdir(self.dir)
            self.dir = tempfile.mkdtemp(prefix="pmxcfs-bench.", dir="/dev/shm")
            self.mount = self.dir
            self.label = "tmpfs (/dev/shm)"
            msg = ("could not mount a tmpfs (%s); fell back to a directory under /dev/shm (%s)"
                   % ((p.stdout or "").strip() or "rc %d" % p.returncode, self.dir))
            self.info.append("tmpfs: " + msg)
            log(msg)

    def teardown(self):
        if self.dir is None:
            return
        if self.mounted:
            r = run_out(["umount", self.dir], timeout=20)
            if is_mounted(self.dir):
                lazy_umount(self.dir)
            if is_mounted(self.dir):
                self.errors.append("could not unmount tmpfs %s: %s" % (self.dir, r))
                return
            try:
                os.rmdir(self.dir)
            except OSError:
                pass
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None


class MountTarget(Target):
    def __init__(self, mount, pid, label, data_dir):
        super().__init__(label or ("mount %s" % mount))
        self.mount = mount
        self.pid = pid
        me = mount_entry(mount)
        self.info.append("%s: existing mount %s (%s), daemon pid %s (%s)" % (
            self.label, mount, "%s from %s" % me if me else "not a mount point", pid,
            shlex.join(((read_text("/proc/%d/cmdline" % pid, "") or "").rstrip("\0")).split("\0"))
            if pid else "?"))
        if data_dir:
            self.dev_name, self.dev_sysfs = block_dev_of(data_dir)
            self.disk_desc = (data_dir, describe_disk(data_dir))


class DaemonTarget(Target):
    def __init__(self, threads, opts, keep, self_pid):
        label = "pmxcfs-java"
        if threads is not None:
            label += ", %d FUSE thr" % threads
        if opts:
            label += ", " + " ".join(opts)
        super().__init__(label)
        self.threads = threads
        self.opts = opts
        self.keep = keep
        self.self_pid = self_pid
        self.proc = None
        self.base = None
        self.logf = None

    def setup(self, deadline):
        self.base = tempfile.mkdtemp(prefix="pmxcfs-bench.", dir="/var/tmp")
        self.data = os.path.join(self.base, "data")
        self.run = os.path.join(self.base, "run")
        self.mount = os.path.join(self.base, "mnt")
        os.mkdir(self.mount)
        self.logpath = os.path.join(self.base, "daemon.log")
        cmd = [PMXCFS, "-f", "-l", "--mountpoint", self.mount, "--data-dir", self.data, "--run-dir", self.run,
               "--nodename", "bench"]
        if self.threads is not None:
            cmd += ["--fuse-threads", str(self.threads)]
        cmd += self.opts
        self.cmd = cmd
        self.dev_name, self.dev_sysfs = block_dev_of(self.base)
        self.disk_desc = (self.base, describe_disk(self.base))
        jar_ok = any(f.startswith("pmxcfs-") and f.endswith(".jar")
                     for f in os.listdir(os.path.join(ROOT, "pmxcfs", "target"))) \
            if os.path.isdir(os.path.join(ROOT, "pmxcfs", "target")) else False
        ready_bound = READY_TIMEOUT if jar_ok else BUILD_READY_TIMEOUT
        if not jar_ok:
            log("no built jar yet: scripts/pmxcfs will build the project first (bound %d s)" % ready_bound)
        log("starting %s" % shlex.join(cmd))
        self.logf = open(self.logpath, "wb")
        libc = LIBC

        def pre():
            if libc is not None:
                libc.prctl(1, signal.SIGTERM, 0, 0, 0)   # PR_SET_PDEATHSIG: die with us
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.logf, stderr=subprocess.STDOUT,
                                     start_new_session=True, preexec_fn=pre, cwd=ROOT)
        pidfile = os.path.join(self.run, "pmxcfs.pid")
        t_end = min(time.monotonic() + ready_bound, deadline)
        pid = None
        while time.monotonic() < t_end:
            rc = self.proc.poll()
            if rc is not None:
                raise RuntimeError("daemon exited with %d during start-up; log tail:\n%s" % (rc, self.log_tail()))
            txt = read_text(pidfile)
            if txt and txt.strip().isdigit():
                pid = int(txt.strip())
                if os.path.exists("/proc/%d" % pid) and is_mounted(self.mount):
                    break
                pid = None
            time.sleep(0.05)
        if pid is None:
            raise RuntimeError("daemon not ready after %.0f s (no %s with a live pid and a mount); log tail:\n%s"
                               % (ready_bound, pidfile, self.log_tail()))
        if pid != self.proc.pid:
            if not is_descendant(pid, self.proc.pid):
                raise RuntimeError("pid file names %d, which is not the daemon we started (%d)" % (pid, self.proc.pid))
            self.info.append("note: pid file pid %d differs from the started pid %d" % (pid, self.proc.pid))
        self.pid = pid
        me = mount_entry(self.mount)
        log("daemon ready: pid %d, mount %s (%s)" % (pid, self.mount, me[0] if me else "?"))
        self.info.append("%s: `%s` (pid %d, mount type %s, data dir on %s)" % (
            self.label, shlex.join(["scripts/pmxcfs"] + cmd[1:]), pid, me[0] if me else "?",
            "/dev/" + self.dev_name if self.dev_name else "?"))

    def log_tail(self, n=25):
        try:
            if self.logf:
                self.logf.flush()
            with open(self.logpath, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join("    " + l for l in lines[-n:])
        except OSError:
            return "    (no log)"

    def stats_before_stop(self):
        if not self.pid:
            return
        rss = proc_status(self.pid, "VmHWM")
        if rss and rss.endswith(" kB"):
            rss = "%.0f MiB" % (int(rss.split()[0]) / 1024)
        thr = proc_status(self.pid, "Threads")
        cpu = proc_cpu_ns(self.pid)
        io = proc_io(self.pid) or {}
        sizes = []
        for f in ("config.db", "config.db-wal", "config.db-shm", "config.db-journal"):
            try:
                sizes.append("%s %s B" % (f, format(os.path.getsize(os.path.join(self.data, f)), ",")))
            except OSError:
                pass
        self.info.append("%s: at the end of the run: peak RSS %s, %s threads, total daemon CPU %.2f s, total write_bytes %s, %s"
                         % (self.label, rss, thr, (cpu or 0) / 1e9, format(io.get("write_bytes", 0), ","),
                            ", ".join(sizes) or "no config.db found"))

    def teardown(self):
        if self.proc is None:
            self._rm()
            return
        try:
            self.stats_before_stop()
        except Exception:  # noqa: BLE001
            pass
        p = self.proc
        killed = False
        if p.poll() is None:
            try:
                p.send_signal(signal.SIGTERM)
                p.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.errors.append("daemon pid %d did not exit within %.0f s of SIGTERM; killed with SIGKILL"
                                   % (p.pid, STOP_TIMEOUT))
                p.kill()
                killed = True
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    self.errors.append("daemon pid %d still alive after SIGKILL" % p.pid)
        rc = p.returncode
        # a pid from the pid file that is not ours but was our descendant when started
        if self.pid and self.pid != p.pid and os.path.exists("/proc/%d" % self.pid) and \
                is_descendant(self.pid, self.self_pid):
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
        if is_mounted(self.mount):
            self.errors.append("mount %s still present after the daemon stopped; `umount -l`" % self.mount)
            lazy_umount(self.mount)
        if rc == 128 + signal.SIGTERM and not killed:
            # the JVM's own exit status after SIGTERM once its shutdown hooks ran (the C pmxcfs exits 0)
            self.info.append("%s: daemon exited with status 143 (128+SIGTERM, the JVM default) after SIGTERM"
                             % self.label)
        elif rc not in (0, None) and not killed:
            self.errors.append("daemon exited with %s after SIGTERM" % rc)
        if self.logf:
            self.logf.close()
            self.logf = None
        try:
            with open(self.logpath, "rb") as f:
                txt = f.read().decode("utf-8", "replace")
            bad = [l for l in txt.splitlines() if ("ERROR" in l or "Exception" in l or " WARN" in l)]
            if bad:
                self.info.append("%s: daemon log has %d WARN/ERROR/Exception lines, first: `%s`"
                                 % (self.label, len(bad), bad[0].strip()[:200]))
        except OSError:
            pass
        self.proc = None
        self._rm()

    def _rm(self):
        if not self.base:
            return
        if self.keep:
            log("kept %s" % self.base)
            self.info.append("%s: kept %s (--keep)" % (self.label, self.base))
            self.base = None
            return
        if is_mounted(self.mount):
            self.errors.append("not removing %s: still mounted" % self.base)
            return
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None


try:
    LIBC = ctypes.CDLL(None, use_errno=True)
except OSError:
    LIBC = None


# ---------------------------------------------------------------------------------------------
# report

def fmt_num(x, digits=0):
    if x is None:
        return "n/a"
    if digits == 0:
        return format(int(round(x)), ",")
    return format(x, ",.%df" % digits)


def fmt_us(ns):
    if ns is None:
        return "n/a"
    us = ns / 1000.0
    if us < 10:
        return "%.1f" % us
    return format(int(round(us)), ",")


def fmt_rate(r):
    if r >= 100:
        return fmt_num(r)
    return fmt_num(r, 1)


def machine_info(args, targets):
    lines = []
    cpu = "?"
    for line in (read_text("/proc/cpuinfo", "") or "").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = "?"
    for line in (read_text("/proc/meminfo", "") or "").splitlines():
        if line.startswith("MemTotal:"):
            mem = "%.1f GiB" % (int(line.split()[1]) / 1024 / 1024)
    ncpu = os.cpu_count()
    try:
        aff = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        aff = ncpu
    lines.append("- CPU: %s, %s logical CPUs (%s usable by this process)" % (cpu, ncpu, aff))
    lines.append("- RAM: %s" % mem)
    lines.append("- Kernel: %s %s (%s)" % (platform.system(), platform.release(), platform.version()))
    seen = set()
    for t in targets:
        if t.disk_desc and t.disk_desc[1] not in seen:
            seen.add(t.disk_desc[1])
            lines.append("- Disk of the data dir (%s): %s" % t.disk_desc)
    if args.mount and args.pid:
        try:
            lines.append("- Daemon executable (--pid %d): %s" % (args.pid, os.readlink("/proc/%d/exe" % args.pid)))
        except OSError:
            pass
    java = run_out(["java", "-version"])
    lines.append("- Java: %s" % ("; ".join(java.splitlines()[:3]) if java else "java not found"))
    if os.environ.get("PMXCFS_JAVA_OPTS"):
        lines.append("- PMXCFS_JAVA_OPTS: `%s`" % os.environ["PMXCFS_JAVA_OPTS"])
    lines.append("- Python: %s" % platform.python_version())
    git = run_out(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    dirty = run_out(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"])
    if git:
        lines.append("- Checkout: %s%s" % (git, " + uncommitted changes" if dirty else ""))
    jar_dir = os.path.join(ROOT, "pmxcfs", "target")
    if not args.mount and os.path.isdir(jar_dir):
        for f in sorted(os.listdir(jar_dir)):
            if f.startswith("pmxcfs-") and f.endswith(".jar"):
                mt = datetime.datetime.fromtimestamp(os.path.getmtime(os.path.join(jar_dir, f)))
                lines.append("- Jar: pmxcfs/target/%s (built %s)" % (f, mt.strftime("%Y-%m-%d %H:%M:%S")))
    return lines


def describe_disk(path):
    src = run_out(["findmnt", "-no", "SOURCE,FSTYPE,OPTIONS", "-T", path]) or "?"
    name, sysp = block_dev_of(path)
    extra = []
    if name:
        disk = name
        # a partition's parent disk holds the queue attributes
        if sysp and os.path.exists(os.path.join(sysp, "partition")):
            disk = os.path.basename(os.path.dirname(os.path.realpath(sysp)))
        q = "/sys/block/%s" % disk
        size = read_text(q + "/size")
        if size:
            extra.append("%.0f GiB" % (int(size) * 512 / 1024 ** 3))
        model = (read_text(q + "/device/model") or "").strip()
        if model:
            extra.append("model %s" % model)
        rot = (read_text(q + "/queue/rotational") or "").strip()
        if rot:
            extra.append("rotational=%s" % rot)
        if disk.startswith("vd"):
            extra.append("virtio")
        sched = (read_text(q + "/queue/scheduler") or "").strip()
        if "[" in sched:
            sched = sched[sched.index("[") + 1:sched.index("]")] if "]" in sched else sched
        if sched:
            extra.append("scheduler %s" % sched)
    return "%s%s" % (" ".join(src.split()), (" (" + ", ".join(extra) + ")") if extra else "")


def build_report(args, targets, cmdline, started, finished, errors, warnings, ns_note, load0, load1):
    out = []
    out.append("# pmxcfs file-workload benchmark")
    out.append("")
    out.append("- Date: %s (UTC), %.0f s wall time" % (started.strftime("%Y-%m-%d %H:%M:%S"),
                                                       (finished - started).total_seconds()))
    out.append("- Command: `%s`" % cmdline)
    out.extend(machine_info(args, targets))
    out.append("- Load average at start / end: %s / %s" % (load0, load1))
    out.append("- %s" % ns_note)
    out.append("")
    out.append("## Configurations")
    out.append("")
    for t in targets:
        for i in t.info:
            out.append("- " + i)
    out.append("")

    names = []
    for t in targets:
        for r in t.results:
            if r.name not in names:
                names.append(r.name)

    def table(title, cell, note=None):
        out.append("## " + title)
        out.append("")
        if note:
            out.append(note)
            out.append("")
        out.append("| workload | " + " | ".join(t.label for t in targets) + " |")
        out.append("|---|" + "---:|" * len(targets))
        for n in names:
            row = []
            for t in targets:
                r = next((x for x in t.results if x.name == n), None)
                if r is None:
                    row.append("not run")
                elif r.error is not None:
                    row.append("FAILED")
                elif not r.ok():
                    row.append("n/a")
                else:
                    row.append(cell(t, r))
            if n == "warm-up" and all(c in ("not run",) for c in row):
                continue
            out.append("| %s | %s |" % (n, " | ".join(row)))
        out.append("")

    names = [n for n in names if n != "warm-up"] + (["warm-up"] if "warm-up" in names else [])

    def thr(t, r):
        rate = r.ops / r.seconds
        if r.mib_per_op:
            return "%s MiB/s" % fmt_num(rate * r.mib_per_op, 1)
        return fmt_rate(rate)
    table("Throughput (ops/s; the 1 MiB row in MiB/s, 1 op = 1 MiB)", thr,
          "Per listing for readdir; aggregate over all threads for the multi-thread rows.")
    table("Latency p50 (µs per op)", lambda t, r: fmt_us(pct(sorted(r.lat), 50)))
    table("Latency p99 (µs per op)", lambda t, r: fmt_us(pct(sorted(r.lat), 99)))

    def disk(t, r):
        if t.disk_na or r.disk is None:
            return "n/a"
        return fmt_num(r.disk / r.ops)
    table("Daemon disk bytes written per op (/proc/PID/io write_bytes)", disk)
    if any(r.cancelled for t in targets for r in t.results if r.ok()):
        def canc(t, r):
            if t.disk_na or r.cancelled is None:
                return "n/a"
            return fmt_num(r.cancelled / r.ops)
        table("Daemon cancelled_write_bytes per op (dirty page-cache bytes dropped before writeback)", canc)

    def dev(t, r):
        if t.disk_na or r.dev is None:
            return "n/a"
        return fmt_num(r.dev / r.ops)
    table("Block device bytes written per op (whole device, after sync; noisy)", dev,
          "Sectors written on the data dir's device across the phase plus the sync after it: includes the "
          "filesystem journal and metadata, and any other process writing to that disk at the time.")

    def cpu(t, r):
        if t.disk_na or r.cpu is None:
            return "n/a"
        return fmt_us(r.cpu / r.ops)
    table("Daemon CPU time per op (µs, all daemon threads)", cpu,
          "Sum over the daemon's threads of the run time in /proc/PID/task/*/schedstat (falls back to "
          "utime+stime in %d Hz ticks if a thread exited during the phase); includes JIT and GC threads." % CLK_TCK)

    out.append("## Notes")
    out.append("")
    a = args
    notes = [
        "Workload (client: one Python process, per-op wall time with time.perf_counter_ns): "
        "create = open(O_WRONLY|O_CREAT|O_EXCL)+write 1 KiB+close of %d files in one directory; "
        "replace = the PVE update pattern on them: write `<f>.tmp.<pid>` (O_EXCL, 1 KiB) then rename over `<f>`; "
        "read = open+read to EOF (64 KiB read() calls)+close; stat = os.stat; readdir = os.listdir of the "
        "%d-entry directory, %d times; delete = unlink; write 1 MiB = one 1 MiB write() to `big.tmp.<pid>` "
        "(the kernel splits it into <=128 KiB FUSE writes) + close + rename over `big`, %d times; "
        "%d-thread rows = %d threads each creating, then (after all finished) replacing, their own %d files."
        % (a.n, a.n, a.readdir_reps, a.big_reps, a.mt_threads, a.mt_threads, max(1, a.n // a.mt_threads)),
        "Before the measured phases a warm-up (%d ops of each kind, %d 1 MiB writes, and a %d-thread "
        "create/replace/delete round, in a separate directory) runs unmeasured, for the JIT."
        % (a.warmup, min(a.warmup, 10), a.mt_threads),
        "os.sync() runs before every phase and again right after it (outside the timed region), so "
        "writeback of one phase is not charged to the next one.",
        "Daemon disk bytes = delta of write_bytes in /proc/<daemon pid>/io over the phase, divided by the op count. "
        "The kernel counts write_bytes when the daemon dirties a page-cache page (4 KiB granularity, "
        "once per clean->dirty transition), not when the data reaches the disk: rewriting a page that is still "
        "dirty is not counted again, so the number depends on how often the daemon fsyncs (an fsync cleans the "
        "pages and the next write counts again); fsync timing itself does not move bytes into another phase. "
        "It also counts anything else the daemon writes through the page cache (e.g. its log file).",
    ]
    if not a.no_tmpfs:
        notes.append("tmpfs column: the same client code on a fresh tmpfs, i.e. the cost of the syscalls without "
                     "FUSE (and the Python client's own overhead); the disk and daemon rows are n/a there.")
    if not a.mount:
        notes.append("The daemon ran in local mode (`-l`: no corosync, quorate), in the foreground, on a fresh "
                     "data dir under /var/tmp (real disk, not tmpfs), nodename `bench`; one daemon per column, "
                     "started and stopped one after the other.")
    else:
        notes.append("The mounted filesystem was not started by this script (--mount/--pid); its configuration "
                     "is whatever it was started with.")
    notes.append("stat (and the lookups of the other rows) may be answered from the kernel's FUSE entry and "
                 "attribute caches, depending on the timeouts the daemon sets; reads and writes are not cached "
                 "when the daemon mounts with direct_io (pmxcfs does).")
    notes.append("Phases are short at the default --n (well under a second for the daemon), so expect some "
                 "run-to-run noise; a larger --n (up to 20000, the 30 MiB size cap allows it) evens it out.")
    notes.append("Python's GIL is released during the syscalls, so the client threads of the multi-thread rows "
                 "do overlap in the filesystem.")
    for n in notes:
        out.append("- " + n)
    out.append("")
    if warnings:
        out.append("## Warnings")
        out.append("")
        for w in warnings:
            out.append("- " + w)
        out.append("")
    if errors:
        out.append("## Errors")
        out.append("")
        for e in errors:
            out.append("- " + e.replace("\n", "\n  "))
        out.append("")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# main

def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Benchmark a pmxcfs mount with a file workload, with a fresh tmpfs as a baseline. "
                    "Without --mount it starts its own daemon (scripts/pmxcfs -f -l) for every --threads-list "
                    "value. Report (Markdown) on stdout and in --out; progress on stderr.")
    p.add_argument("--n", type=int, default=1000, help="files per phase (default 1000, max 20000)")
    p.add_argument("--out", help="also write the report to this file")
    p.add_argument("--threads-list", default="1,4",
                   help="comma separated --fuse-threads values, one daemon each (default 1,4; "
                        "'default' = do not pass --fuse-threads)")
    p.add_argument("--daemon-opt", action="append", default=[], metavar="OPT",
                   help="extra daemon option, repeatable, e.g. --daemon-opt=--db-page-size=1024")
    p.add_argument("--keep", action="store_true", help="keep the daemons' data dirs and logs under /var/tmp")
    p.add_argument("--mount", help="benchmark this already mounted filesystem instead of starting a daemon")
    p.add_argument("--pid", type=int, help="pid of the daemon serving --mount (for /proc/PID/io)")
    p.add_argument("--label", help="column name for --mount")
    p.add_argument("--data-dir", help="with --mount: the daemon's data dir, for the disk description and the "
                                      "block-device counter (default /var/lib/pve-cluster if it exists)")
    p.add_argument("--no-tmpfs", action="store_true", help="skip the tmpfs baseline")
    p.add_argument("--warmup", type=int, default=300, help="warm-up ops per kind (default 300)")
    p.add_argument("--readdir-reps", type=int, default=200, help="listings in the readdir phase (default 200)")
    p.add_argument("--big-reps", type=int, default=50, help="1 MiB writes (default 50)")
    p.add_argument("--mt-threads", type=int, default=4, help="client threads of the multi-thread rows (default 4)")
    p.add_argument("--timeout", type=float, default=900, help="overall time bound in seconds (default 900)")
    p.add_argument("--no-unshare", action="store_true", help="do not re-run inside a private mount namespace")
    a = p.parse_args(argv)

    def bound(name, v, lo, hi):
        if not lo <= v <= hi:
            p.error("%s must be in %s..%s" % (name, lo, hi))
    bound("--n", a.n, 1, 20000)
    bound("--warmup", a.warmup, 0, 20000)
    bound("--readdir-reps", a.readdir_reps, 1, 10000)
    bound("--big-reps", a.big_reps, 1, 1000)
    bound("--mt-threads", a.mt_threads, 1, 64)
    bound("--timeout", a.timeout, 10, 24 * 3600)
    if a.warmup < a.mt_threads:
        a.warmup = a.mt_threads
    if (a.mount is None) != (a.pid is None):
        p.error("--mount and --pid go together")
    if a.mount:
        if not os.path.isdir(a.mount):
            p.error("--mount %s is not a directory" % a.mount)
        if not os.path.exists("/proc/%d" % a.pid):
            p.error("--pid %d: no such process" % a.pid)
        if a.data_dir is None and os.path.isdir("/var/lib/pve-cluster"):
            a.data_dir = "/var/lib/pve-cluster"
        a.threads = []
    else:
        a.threads = []
        for s in a.threads_list.split(","):
            s = s.strip()
            if not s:
                continue
            if s == "default":
                a.threads.append(None)
                continue
            try:
                v = int(s)
            except ValueError:
                p.error("--threads-list: %r is not a number" % s)
            bound("--threads-list value", v, 1, 256)
            a.threads.append(v)
        if not a.threads or len(a.threads) > 8:
            p.error("--threads-list needs 1..8 values")
        if not os.access(PMXCFS, os.X_OK):
            p.error("%s not found or not executable" % PMXCFS)
    return a


def maybe_unshare(argv):
    """Re-exec inside a private mount namespace so no mount outlives the run. Returns a note."""
    if os.environ.get(NS_MARK) == "1":
        return "Ran inside a private mount namespace (`unshare --mount --propagation private`)."
    if shutil.which("unshare") is None:
        return "Not in a private mount namespace: unshare(1) not found."
    try:
        probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=10)
    except (OSError, subprocess.SubprocessError) as e:
        return "Not in a private mount namespace: unshare failed (%s)." % e
    if probe.returncode != 0:
        return "Not in a private mount namespace: unshare failed (%s)." % (
            probe.stdout.strip() or "rc %d" % probe.returncode)
    env = dict(os.environ)
    env[NS_MARK] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execvpe("unshare", ["unshare", "--mount", "--propagation", "private", "--",
                           sys.executable, os.path.abspath(__file__)] + argv, env)
    return "unreachable"


def main():
    argv = sys.argv[1:]
    a = parse_args(argv)
    argv0 = os.environ.get("PMXCFS_BENCH_ARGV0", "scripts/bench")
    cmdline = shlex.join([argv0] + argv)
    if a.no_unshare:
        ns_note = "Not in a private mount namespace (--no-unshare)."
    else:
        ns_note = maybe_unshare(argv)
    if os.geteuid() != 0:
        log("warning: not root; mounting a tmpfs or FUSE may fail")

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

    targets = []
    if a.mount:
        targets.append(MountTarget(a.mount, a.pid, a.label, a.data_dir))
    else:
        for th in a.threads:
            targets.append(DaemonTarget(th, a.daemon_opt, a.keep, os.getpid()))
    if not a.no_tmpfs:
        targets.append(TmpfsTarget())
    # run order: the tmpfs baseline first (cheap, validates the client), then the daemons
    order = ([t for t in targets if isinstance(t, TmpfsTarget)] +
             [t for t in targets if not isinstance(t, TmpfsTarget)])

    errors = []
    hung = False
    current = {"wl": None, "th": None}
    warnings = []
    try:
        for t in order:
            if time.monotonic() > deadline:
                errors.append("%s: not run, overall timeout (%.0f s) reached" % (t.label, a.timeout))
                continue
            log("=== %s" % t.label)
            b = busy_builds()
            if b:
                warnings.append("%s: a maven build was running when this column started (pids %s): "
                                "numbers are noisy" % (t.label, " ".join(map(str, b))))
                log("warning: maven build running (pids %s)" % " ".join(map(str, b)))
            stamp = jar_stamp()
            wl = None
            try:
                t.setup(deadline)
                wl = Workload(a, t.mount, t.pid, t.dev_sysfs, deadline)
                current["wl"] = wl
                t.results = wl.results
                box = {}

                def body():
                    try:
                        wl.run()
                    except BaseException as e:  # noqa: BLE001
                        box["exc"] = e
                th = threading.Thread(target=body, name="workload", daemon=True)
                current["th"] = th
                th.start()
                while th.is_alive():
                    th.join(0.5)
                    if time.monotonic() > deadline + 5:
                        # the workload thread is stuck in a syscall: tear the target down to free it
                        wl.stop = True
                        errors.append("%s: overall timeout (%.0f s) reached with the workload stuck in a "
                                      "filesystem call" % (t.label, a.timeout))
                        break
                if th.is_alive():
                    t.teardown()
                    th.join(15)
                    if th.is_alive():
                        hung = True
                        errors.append("%s: workload thread still stuck after teardown" % t.label)
                        break
                exc = box.get("exc")
                if exc is not None:
                    errors.append("%s: %s: %s" % (t.label, type(exc).__name__, exc))
                if not hung and not wl.cleanup() and a.mount:
                    errors.append("%s: could not remove %s" % (t.label, wl.base))
            except Interrupted:
                if current["wl"] is not None:
                    current["wl"].stop = True
                if current["th"] is not None:
                    current["th"].join(10)   # stops at its next check, before the teardown unmounts
                raise
            except Exception as e:  # noqa: BLE001
                errors.append("%s: %s: %s" % (t.label, type(e).__name__, e))
                log("%s: %s" % (t.label, e))
            finally:
                if not hung:
                    t.teardown()
            if isinstance(t, DaemonTarget) and jar_stamp() != stamp:
                errors.append("%s: the daemon's jars were rebuilt while it ran (results and any daemon "
                              "errors are suspect)" % t.label)
            for r in t.results:
                if r.error is not None:
                    errors.append("%s / %s: %s" % (t.label, r.name, r.error))
            for e in t.errors:
                errors.append("%s: %s" % (t.label, e))
            t.errors = []
    except Interrupted as e:
        errors.append("interrupted by %s" % e)
        log("interrupted by %s, cleaning up" % e)
        if current["wl"] is not None:
            current["wl"].stop = True
        if current["th"] is not None:
            current["th"].join(10)   # the workload stops at its next check (or fails once unmounted)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for t in targets:
            if not hung:
                try:
                    t.teardown()
                except Exception as e:  # noqa: BLE001
                    errors.append("%s: teardown: %s" % (t.label, e))
            for e in t.errors:
                errors.append("%s: %s" % (t.label, e))
            t.errors = []

    finished = datetime.datetime.now(datetime.timezone.utc)
    load1 = " ".join((read_text("/proc/loadavg", "? ? ?") or "").split()[:3])
    report = build_report(a, targets, cmdline, started, finished, errors, warnings, ns_note, load0, load1)
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


if __name__ == "__main__":
    sys.exit(main())
