"""Helpers shared by the benchmark runners (bench_local.py, bench.py, bench_versus.py, bench_scale.py):
/proc counters, mounts, processes, machine description, statistics and number formatting, the
private mount namespace.  Standard library only."""

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


# the client's file operations, shared by every runner

def content(i, size=SMALL):
    head = b"%010d\n" % i
    return head + b"x" * (size - len(head) - 1) + b"\n"


def write_new(path, data, chunk=None):
    """open(O_WRONLY|O_CREAT|O_EXCL), one write() (or one per chunk bytes), close."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        step = chunk or len(data) or 1
        for at in range(0, max(len(data), 1), step):
            part = data[at:at + step]
            n = os.write(fd, part)
            if n != len(part):
                raise OSError(errno.EIO, "short write (%d of %d bytes)" % (n, len(part)), path)
    finally:
        os.close(fd)


def replace(path, data, tag, chunk=None):
    tmp = "%s.tmp.%s" % (path, tag)
    write_new(tmp, data, chunk)
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


def pct(sorted_lat, p):
    """nearest-rank percentile"""
    if not sorted_lat:
        return None
    k = max(0, min(len(sorted_lat) - 1, -(-len(sorted_lat) * p // 100) - 1))
    return sorted_lat[int(k)]


try:
    LIBC = ctypes.CDLL(None, use_errno=True)
except OSError:
    LIBC = None


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


def machine_info(targets, show_jars=False):
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
    if show_jars and os.path.isdir(jar_dir):
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


def maybe_unshare(script, argv):
    """Re-exec script inside a private mount namespace so no mount outlives the run. Returns a note."""
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
                           sys.executable, script] + argv, env)
    return "unreachable"


def report_head(title, started, finished, cmdline, load_line, busy, ns_note, parts):
    """The opening lines of a side-by-side report: title, date, command, machine, load, namespace, and a
    Configurations section from parts (objects with label and info lines)."""
    out = ["# " + title, ""]
    out.append("- Date: %s UTC, %.0f s wall time" % (started.strftime("%Y-%m-%d %H:%M"),
                                                      (finished - started).total_seconds()))
    out.append("- Command: `%s`" % cmdline)
    out.extend(machine_info([], show_jars=True))
    out.append("- " + load_line)
    if busy:
        out.append("- Maven builds were running during %d of the measured phases (other users of the machine)" % busy)
    out.append("- %s" % ns_note)
    out.append("")
    out.append("## Configurations")
    out.append("")
    for t in parts:
        for i in t.info:
            out.append("- %s: %s" % (t.label, i))
    out.append("")
    return out


def report_text(out, errors):
    """The report's lines, with an "Errors" section (one item per error, continuation lines indented)
    when there are any, as one text."""
    if errors:
        out.append("## Errors")
        out.append("")
        for e in errors:
            out.append("- " + e.replace("\n", "\n  "))
        out.append("")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# processes

def mono_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)



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



def spawn(cmd, logpath, cwd=None):
    """Starts cmd in its own session, dying with us (PR_SET_PDEATHSIG), output to logpath."""
    logf = open(logpath, "wb")

    def pre():
        if LIBC is not None:
            LIBC.prctl(1, signal.SIGTERM, 0, 0, 0)
    try:
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                                start_new_session=True, preexec_fn=pre, cwd=cwd)
    finally:
        logf.close()


def log_tail(path, n=20):
    txt = read_text(path, "") or ""
    return "\n".join("    " + l for l in txt.splitlines()[-n:]) or "    (empty log)"


def kill_child(p):
    """SIGKILL to the session of a child we started (bounded wait)."""
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


def loadavg():
    """The three load averages as one string."""
    return " ".join((read_text("/proc/loadavg", "? ? ?") or "").split()[:3])


# ---------------------------------------------------------------------------------------------
# statistics and times

def median(xs):
    s = sorted(xs)
    n = len(s)
    if n == 0:
        return None
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def span(xs, fmt):
    """median (min..max)"""
    return "%s (%s..%s)" % (fmt(median(xs)), fmt(min(xs)), fmt(max(xs)))


def fmt_ratio(x):
    return "%.2f" % x


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


# ---------------------------------------------------------------------------------------------
# the runners' command line and ending

def common_options(parser, timeout):
    """--out, --keep, --timeout and --no-unshare, which every runner has."""
    parser.add_argument("--out", help="also write the report to this file")
    parser.add_argument("--keep", action="store_true", help="keep the data dirs and logs under /var/tmp")
    parser.add_argument("--timeout", type=float, default=timeout,
                        help="overall time bound in seconds (default %.0f)" % timeout)
    parser.add_argument("--no-unshare", action="store_true", help="do not re-run inside a private mount namespace")


def begin(script, argv, a, shown=()):
    """What every runner does first: re-run itself in a private mount namespace (unless --no-unshare),
    insist on root, turn SIGINT/SIGTERM/SIGHUP into Interrupted.  Returns (its command line for the
    report, the namespace note); shown goes between the program and argv in the command line."""
    cmdline = shlex.join([os.environ.get("PMXCFS_BENCH_ARGV0", "scripts/bench")] + list(shown) + argv)
    ns_note = "Not in a private mount namespace (--no-unshare)." if a.no_unshare else maybe_unshare(script, argv)
    if os.geteuid() != 0:
        sys.exit("scripts/bench: must run as root (it mounts FUSE filesystems and makes namespaces)")

    def on_signal(signum, frame):
        raise Interrupted(signal.Signals(signum).name)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    return cmdline, ns_note


def check_bounds(parser, checks):
    """parser.error for the first (option name, value, lowest, highest) out of its range."""
    for name, v, lo, hi in checks:
        if not lo <= v <= hi:
            parser.error("%s must be in %s..%s" % (name, lo, hi))


def finish(report, out, errors):
    """Prints the report (and writes it to out); the exit code: 1 with errors, else 0."""
    sys.stdout.write(report)
    sys.stdout.flush()
    if out:
        with open(out, "w") as f:
            f.write(report)
    if errors:
        log("FAILED: %d error(s): %s" % (len(errors), errors[0].splitlines()[0]))
        return 1
    return 0
