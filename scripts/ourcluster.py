"""pmxcfs-java clusters for the benchmarks, started and stopped through scripts/cluster (bench.py,
bench_versus.py, bench_scale.py).  Standard library only."""

import datetime
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile

from benchlib import (BUILD_READY_TIMEOUT, ROOT, describe_disk, is_mounted, jar_stamp, kill_child, lazy_umount, log,
                      log_tail, pid_alive, proc_cpu_ns, proc_status, read_text, rss_kib)
from clusterlib import pick_base_port

UP_TIMEOUT = 180.0           # scripts/cluster up of 3 nodes (its own bound for quorum is 60 s + 1 s per node)
STOP_TIMEOUT = 20.0          # SIGTERM -> exit of one daemon, before SIGKILL


class OurCluster:
    """A cluster of pmxcfs-java in a fresh directory, run by scripts/cluster: up, stop one node,
    start one node, teardown.  netns: every node in a network namespace of its own (`--netns`)."""

    label = "pmxcfs-java"

    def __init__(self, nodes, base_port=None, keep=False, netns=False, prefix="pmxcfs-cbench.",
                 up_timeout=UP_TIMEOUT, token=None):
        self.nodes = nodes
        self.token = token
        self.up_timeout = up_timeout
        self.keep = keep
        self.netns = netns
        self.prefix = prefix
        self.base = None
        self.root = None      # frozen copy of scripts/ and the daemon jars
        self.dir = None       # the scripts/cluster directory
        self.port = base_port
        self.errors = []
        self.info = []
        self.warnings = []
        self.children = []    # Popen objects we started (scripts/cluster)
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
        for k in range(1, self.nodes + 1):
            pid = self.node_pid(k)
            if pid:
                d[k] = (pid, proc_cpu_ns(pid), rss_kib(pid))
        return d

    def daemon_cpu(self):
        """CPU ns since their start, summed over the running nodes, by program."""
        return {"pmxcfs-java": sum(c or 0 for _, c, _ in self.snap_nodes().values())}

    def rss(self):
        """{program: [RSS KiB per running node]}"""
        return {"pmxcfs-java": [r or 0 for _, _, r in self.snap_nodes().values()]}

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
            for f in ("cluster", "pmxcfs", "oom-backstop"):
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
        self.base = tempfile.mkdtemp(prefix=self.prefix, dir="/var/tmp")
        self.root = os.path.join(self.base, "root")
        self.dir = os.path.join(self.base, "cluster")
        self.disk_desc = (self.base, describe_disk(self.base))
        log("cluster dir %s" % self.base)
        self.snapshot(deadline)
        if self.port is None:
            self.port = pick_base_port(self.nodes)
        cmd = [self.script(), "up", str(self.nodes), self.dir, "--base-port", str(self.port)] + \
            (["--netns"] if self.netns else []) + (["--token", str(self.token)] if self.token else [])
        log("starting: %s" % shlex.join(cmd))
        t0 = time.monotonic()
        out = os.path.join(self.base, "cluster-up.out")
        with open(out, "wb") as f:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT,
                                 start_new_session=True, cwd=self.base)
            self.children.append(p)
            bound = max(5.0, min(self.up_timeout, deadline - time.monotonic()))
            try:
                rc = p.wait(bound)
            except subprocess.TimeoutExpired:
                kill_child(p)
                raise RuntimeError("`scripts/cluster up` did not return within %.0f s; output:\n%s"
                                   % (bound, log_tail(out, 15)))
        self.up_seconds = time.monotonic() - t0
        if rc != 0:
            raise RuntimeError("`scripts/cluster up` failed (rc %d):\n%s%s" % (rc, log_tail(out, 15), self.log_tails()))
        for k in range(1, self.nodes + 1):
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
        return log_tail(os.path.join(self.base, "start-node%d.out" % k), 15)

    def stop_node(self, k, sig=signal.SIGTERM, bound=STOP_TIMEOUT):
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

    def log_tails(self, n=8):
        out = []
        for k in range(1, self.nodes + 1):
            out.append("\n  node%d log:\n%s" % (k, log_tail(self.logfile(k), n)))
        return "".join(out)

    def teardown(self):
        if self.torn_down or self.base is None:
            return
        self.torn_down = True
        for p in self.children:
            # the propagation reader, and `scripts/cluster` wrappers still waiting for a daemon to mount or
            # for quorum (a daemon in its own session, started by one of them, is stopped via its pid file)
            kill_child(p)
        if self.dir and os.path.isdir(self.dir):
            for k in range(1, self.nodes + 1):
                pid = self.node_pid(k)
                if pid is None:
                    continue
                try:
                    hwm = proc_status(pid, "VmHWM")
                    self.final[k] = (pid, proc_cpu_ns(pid), hwm, proc_status(pid, "Threads"))
                except Exception:  # noqa: BLE001
                    pass
            for k in range(1, self.nodes + 1):
                pid = self.node_pid(k)
                if pid is not None:
                    try:
                        os.kill(pid, signal.SIGTERM)
                    except OSError:
                        pass
            t0 = time.monotonic()
            for k in range(1, self.nodes + 1):
                for pid in sorted(self.pids_seen.get(k, ())):
                    while pid_alive(pid) and time.monotonic() - t0 < STOP_TIMEOUT:
                        time.sleep(0.05)
                pid = self.node_pid(k)
                if pid is not None:
                    self.errors.append("node%d (pid %d) did not exit within %.0f s of SIGTERM at the teardown; "
                                       "killed with SIGKILL" % (k, pid, STOP_TIMEOUT))
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
        # a daemon that was still starting has no pid file yet: wait for it to write one (or to die)
        t0 = time.monotonic()
        while self.dir and self.leftovers() and time.monotonic() - t0 < 30:
            for k in range(1, self.nodes + 1):
                pid = self.node_pid(k)
                if pid is not None:
                    try:
                        os.kill(pid, signal.SIGTERM if time.monotonic() - t0 < 20 else signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.2)
        if self.dir:
            for k in range(1, self.nodes + 1):
                if is_mounted(self.mnt(k)):
                    lazy_umount(self.mnt(k))
                if is_mounted(self.mnt(k)):
                    self.errors.append("could not unmount %s" % self.mnt(k))
        # daemons of this run that no pid file names (never expected): report, do not kill
        left = self.leftovers()
        if left:
            self.errors.append("daemon processes of this run still alive after the teardown (not in any pid file, "
                               "not killed): %s" % " ".join(map(str, left)))
        if self.dir and os.path.exists(os.path.join(self.dir, "netns")):
            # the daemons are stopped by now: this removes the namespaces
            p = subprocess.run([self.script(), "down", self.dir], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, universal_newlines=True, timeout=120)
            if p.returncode != 0:
                self.errors.append("`scripts/cluster down` failed (rc %d): %s" % (p.returncode, p.stdout.strip()))
        self.scan_logs()
        mounted = self.dir and any(is_mounted(self.mnt(k)) for k in range(1, self.nodes + 1))
        if self.keep or left or mounted:
            why = "--keep" if self.keep else "processes or mounts left"
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
        for k in range(1, self.nodes + 1):
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
