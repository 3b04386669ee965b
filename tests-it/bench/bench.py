#!/usr/bin/env python3
"""Measurement core of the jinit benchmark (issue 5); bench.sh prepares everything and calls it.

Every measured process is started through the `measure` helper (measure.c), which takes
CLOCK_MONOTONIC around vfork+exec ... wait4 and reports ru_maxrss: the peak resident set of
the process over its whole life (across exec) or of the largest descendant it reaped,
whichever is larger, the same number `/usr/bin/time -f %M` prints. (Spawning from Python
directly would count Python's own resident set into the child's ru_maxrss.) Every run is
bounded by a timeout (the whole process group, and with `unshare --kill-child` the whole PID
namespace, is SIGKILLed) and any failed run fails the benchmark (exit 1). Shutdown times are
taken here, from pidfds of the init and of the service processes.

Output: a Markdown report on stdout; progress on stderr.
"""

import argparse
import os
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import time

MIB = 1024 * 1024
MEASURE = None  # path of the measure helper (measure.c), set from --measure
ACTIVE = set()  # runs not reaped yet: killed if the benchmark is interrupted


class BenchFailure(Exception):
    """A contender failed (bad exit status, timeout, missing output): the benchmark fails."""


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def now_ns():
    return time.monotonic_ns()


class Run:
    """One measured process: spawned at t0_ns, stdout/stderr to files in the work dir."""

    def __init__(self, argv, workdir, tag, env=None):
        self.argv = argv
        self.out_path = os.path.join(workdir, f"{tag}.out")
        self.err_path = os.path.join(workdir, f"{tag}.err")
        self.result_path = os.path.join(workdir, f"{tag}.measure")
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.t0_ns = now_ns()
            # The measure helper (a tiny C program) vforks+execs the command, so that neither
            # the wall time nor ru_maxrss include anything of this Python process.
            self.popen = subprocess.Popen([MEASURE, self.result_path] + argv, stdin=subprocess.DEVNULL,
                                          stdout=out, stderr=err, start_new_session=True, close_fds=True,
                                          env=env)
        self.pid = self.popen.pid
        self.pidfd = os.pidfd_open(self.pid)
        ACTIVE.add(self)
        self.wall_ms = None
        self.cpu_ms = None
        self.status = None
        self.maxrss_kib = None

    def command_pid(self):
        """Host PID of the measured command (the child of the measure helper), or None."""
        kids = children_of(self.pid)
        return kids[0] if kids else None

    def kill(self):
        """SIGKILLs the process group (and, through unshare --kill-child, the namespace)."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def finish(self, timeout_s):
        """Waits up to timeout_s for the exit; returns the exit code (128+N for signal N)."""
        poller = select.poll()
        poller.register(self.pidfd, select.POLLIN)
        deadline = time.monotonic() + timeout_s
        while True:
            left_ms = max(0, int((deadline - time.monotonic()) * 1000))
            if poller.poll(left_ms):
                break
            if left_ms == 0:
                self.kill()
                self._reap()
                raise BenchFailure(f"timed out after {timeout_s} s: {' '.join(self.argv)}"
                                   f"{self.tail()}")
        return self._reap()

    def _reap(self):
        _, status, _ = os.wait4(self.pid, 0)
        ACTIVE.discard(self)
        os.close(self.pidfd)
        self.status = os.waitstatus_to_exitcode(status)
        self.popen.returncode = self.status
        try:
            with open(self.result_path) as f:
                fields = dict(kv.split("=", 1) for kv in f.read().split())
            self.wall_ms = int(fields["wall_ns"]) / 1e6
            self.maxrss_kib = int(fields["maxrss_kib"])
            self.cpu_ms = int(fields["cpu_us"]) / 1e3
            return int(fields["status"])
        except (FileNotFoundError, KeyError, ValueError):
            code = self.status
            return code if code >= 0 else 128 - code

    def stdout(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def tail(self):
        text = (self.stdout() + self.stderr()).strip().splitlines()[-15:]
        return ("\n    " + "\n    ".join(text)) if text else ""


def check_exit(run, code, expected, what):
    if code not in expected:
        raise BenchFailure(f"{what}: exit status {code}, expected {sorted(expected)}: "
                           f"{' '.join(run.argv)}{run.tail()}")


AOT_TROUBLE = re.compile(r"\[error\]\[(aot|cds)|Unable to map shared spaces|AOT cache .*(mismatch|disabled)")


def check_aot_clean(run, what):
    err = run.stderr()
    if AOT_TROUBLE.search(err):
        raise BenchFailure(f"{what}: the AOT cache was not used (stale or broken cache):{run.tail()}")


# ---------------------------------------------------------------- statistics and formatting

def stats(values):
    values = sorted(values)
    if len(values) >= 2:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    else:
        q1 = q3 = values[0]
    return {"n": len(values), "median": statistics.median(values), "q1": q1, "q3": q3,
            "min": values[0], "max": values[-1]}


def fmt(x, digits=1):
    return f"{x:.{digits}f}"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------- /proc helpers

def children_of(pid):
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids += [int(x) for x in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        pass
    return kids


def descendants(pid):
    """All live descendants of pid (host PIDs), breadth first."""
    found, queue = [], [pid]
    while queue:
        kids = children_of(queue.pop(0))
        found += kids
        queue += kids
    return found


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
    except (FileNotFoundError, ProcessLookupError):
        return []


def proc_status(pid):
    """The kB fields of /proc/PID/status and smaps_rollup, as ints (kB)."""
    result = {}
    for name in ("status", "smaps_rollup"):
        try:
            with open(f"/proc/{pid}/{name}") as f:
                for line in f:
                    m = re.match(r"(\w+):\s+(\d+)(\s+kB)?$", line.strip())
                    if m:
                        result.setdefault(m.group(1), int(m.group(2)))
        except FileNotFoundError:
            pass
    return result


def wait_for(predicate, timeout_s, what, interval_s=0.005):
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise BenchFailure(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(interval_s)


# ---------------------------------------------------------------- the benchmark

class Bench:
    def __init__(self, a):
        self.a = a
        self.image = a.image
        self.work = a.workdir
        self.counter = 0
        self.unshare = ["unshare", "-p", "-f", "--mount-proc", "--kill-child"]
        self.my_init = os.path.join(self.image, "bin", "my_init")
        self.java = os.path.join(self.image, "bin", "java")
        self.aot = os.path.join(self.image, "lib", "jinit.aot")
        self.has_aot = os.path.isfile(self.aot)
        self.module_main = self._module_main()
        self.notes = []
        self.timeline_report = None
        self.timeline_missing = "strace not found"

    def _module_main(self):
        with open(self.my_init) as f:
            m = re.search(r"-m\s+(\S+/\S+)", f.read())
        return m.group(1).strip("\"'") if m else "io.jinit/io.jinit.cli.MyInit"

    def tag(self, name):
        self.counter += 1
        return f"{self.counter:05d}-{re.sub(r'[^A-Za-z0-9]+', '_', name)}"

    def run(self, name, argv, timeout_s, expected=(0,), env=None):
        r = Run(argv, self.work, self.tag(name), env)
        code = r.finish(timeout_s)
        check_exit(r, code, set(expected), name)
        return r

    # ------------------------------------------------------------ preflight

    def preflight(self):
        """Each contender once, with checks that do not belong in the timed runs."""
        boot = ["--quiet", "--skip-runit", "--no-kill-all-on-exit", "--", "/bin/true"]
        if self.has_aot:
            # AOTMode=on makes the JVM fail instead of silently running without the cache.
            self.run("preflight jinit AOT", [self.java, f"-XX:AOTCache={self.aot}", "-XX:AOTMode=on",
                                             "-m", self.module_main] + boot, self.a.timeout)
            self.notes.append("jinit's `lib/jinit.aot` maps (checked with `-XX:AOTMode=on`).")
        else:
            self.notes.append("**The image has no `lib/jinit.aot`**: the `bin/my_init` row runs "
                              "without an AOT cache.")
        self.run("preflight floor AOT", [self.java, "--enable-native-access=ALL-UNNAMED",
                                         f"-XX:AOTCache={self.a.floor_aot}", "-XX:AOTMode=on",
                                         "-cp", self.a.floor_jar, "Floor"], self.a.timeout)
        r = self.run("preflight pid1", self.unshare + [self.my_init, "--quiet", "--skip-runit", "--",
                                                       "readlink", "/proc/1/exe"],
                     self.a.timeout)
        # the executable, not the command line: the init shows the container's command line there
        if not r.stdout().strip().endswith("/bin/java"):
            raise BenchFailure(f"PID 1 of the namespace is not the JVM (launcher must exec): {r.stdout()!r}")
        for path in ("/etc/container_environment", "/etc/my_init.d", "/etc/rc.local"):
            if os.path.exists(path):
                self.notes.append(f"This host has `{path}`: the plain boot rows (no `--root`) use it.")

    # ------------------------------------------------------------ 1. boot

    def boot_contenders(self):
        boot = ["--quiet", "--skip-runit", "--no-kill-all-on-exit", "--", "/bin/true"]
        floor = [self.java, "--enable-native-access=ALL-UNNAMED"]
        jar = ["-cp", self.a.floor_jar, "Floor"]
        label = "jinit: `bin/my_init` (launcher + AOT cache)" if self.has_aot else \
            "jinit: `bin/my_init` (launcher; image has NO AOT cache)"
        return [
            ("jinit", label, [self.my_init] + boot),
            ("jinit-env", "jinit with a baseimage-like `--root` (3 variables in "
             "`etc/container_environment`: `.sh` + `.json` written)",
             [self.my_init, "--root", self.a.env_root] + boot),
            ("jinit-noaot", "jinit without AOT cache: `bin/java -m " + self.module_main + "`",
             [self.java, "-m", self.module_main] + boot),
            ("floor", "JVM floor: hello world + 1 FFM downcall, AOT cache",
             floor + [f"-XX:AOTCache={self.a.floor_aot}"] + jar),
            ("floor-noaot", "JVM floor without AOT cache", floor + jar),
            ] + self.python_contender() + [
            ("tini", "`tini -s -- /bin/true`", ["tini", "-s", "--", "/bin/true"]),
            ("dumb-init", "`dumb-init /bin/true`", ["dumb-init", "/bin/true"]),
            ("true", "`/bin/true` alone (spawn + exec + wait floor)", ["/bin/true"]),
        ]

    def python_contender(self):
        """phusion's Python my_init, run as users run it (its own #! line), when it was found."""
        if not self.a.phusion_my_init:
            return []
        return [("python", "Python my_init (phusion, `" + self.a.phusion_my_init + "`)",
                 [self.a.phusion_my_init, "--quiet", "--skip-runit", "--no-kill-all-on-exit", "--", "/bin/true"])]

    def measure_boot(self):
        contenders = self.boot_contenders()
        results = {key: {"wall": [], "rss": [], "cpu": []} for key, _, _ in contenders}
        rounds = self.a.runs + self.a.warmup
        for i in range(rounds):
            order = contenders[i % len(contenders):] + contenders[:i % len(contenders)]
            for key, _, argv in order:
                r = self.run(f"boot {key}", argv, self.a.timeout)
                if key.startswith(("jinit", "floor")):
                    check_aot_clean(r, key)
                if i >= self.a.warmup:
                    results[key]["wall"].append(r.wall_ms)
                    results[key]["rss"].append(r.maxrss_kib / 1024)
                    results[key]["cpu"].append(r.cpu_ms)
            log(f"boot round {i + 1}/{rounds} done")
        self.boot = (contenders, results)

    # ------------------------------------------------------------ 3. reaping

    def reap_contenders(self):
        z = [self.a.zburst, str(self.a.zombies), "30"]
        return [
            ("jinit", "jinit (`bin/my_init --quiet --skip-runit --no-kill-all-on-exit -- zburst`)",
             self.unshare + [self.my_init, "--quiet", "--skip-runit", "--no-kill-all-on-exit", "--"] + z),
            ("tini", "tini (`tini -s -- zburst`)", self.unshare + ["tini", "-s", "--"] + z),
            ("dumb-init", "dumb-init (`dumb-init zburst`)", self.unshare + ["dumb-init"] + z),
        ]

    def measure_reap(self):
        contenders = self.reap_contenders()
        results = {key: {"ms": [], "left": []} for key, _, _ in contenders}
        rounds = self.a.runs + self.a.warmup
        for i in range(rounds):
            order = contenders[i % len(contenders):] + contenders[:i % len(contenders)]
            for key, _, argv in order:
                r = self.run(f"reap {key}", argv, self.a.timeout + 60)
                m = re.search(r"reap_ms=([0-9.]+) zombies_left=(\d+)", r.stdout())
                if not m:
                    raise BenchFailure(f"reap {key}: no result line:{r.tail()}")
                if i >= self.a.warmup:
                    results[key]["ms"].append(float(m.group(1)))
                    results[key]["left"].append(int(m.group(2)))
            log(f"reap round {i + 1}/{rounds} done")
        self.reap = (contenders, results)

    # ------------------------------------------------------------ 2 + 4. runit, memory, shutdown

    def fresh_root(self):
        root = os.path.join(self.work, self.tag("root"))
        shutil.copytree(self.a.root_template, root, symlinks=True)
        return root

    def services_running(self, root):
        svc = os.path.join(root, "etc", "service")
        for name in sorted(os.listdir(svc)):
            try:
                with open(os.path.join(svc, name, "supervise", "stat")) as f:
                    if f.read().strip() != "run":
                        return False
                with open(os.path.join(svc, name, "supervise", "pid")) as f:
                    if not f.read().strip():
                        return False
            except FileNotFoundError:
                return False
        return True

    def runit_full_boot(self):
        """Boot with runit + services, main command `sleep 3`, exit: peak RSS of the whole life."""
        root = self.fresh_root()
        r = self.run("runit sleep 3", self.unshare + [self.my_init, "--root", root, "--", "sleep", "3"],
                     self.a.timeout + 60)
        shutil.rmtree(root, ignore_errors=True)
        return r

    def runit_session(self, idle_s=0.0):
        """Boot runit + services without main command, optionally idle, then SIGTERM the init.

        Returns a dict of timings (ms) and, when idle_s > 0, the /proc status of the init."""
        root = self.fresh_root()
        r = Run(self.unshare + [self.my_init, "--root", root], self.work, self.tag("runit session"))
        fds = {}
        try:
            # measure -> unshare -> the init (PID 1 of the namespace)
            init = wait_for(lambda: (children_of(r.command_pid() or 0) or [None])[0], self.a.timeout,
                            "the init to start")
            fds[init] = os.pidfd_open(init)
            wait_for(lambda: self.services_running(root), self.a.timeout + 30, "runit services to be up")
            t_up = now_ns()
            n = self.a.services
            if idle_s > 0:
                log(f"idle: waiting {idle_s} s with runit + {n} services")
            services = wait_for(lambda: (lambda s: s if len(s) == n else None)(
                [p for p in descendants(init) if cmdline(p) == ["sleep", "1000"]]),
                10, f"{n} `sleep 1000` service processes")
            result = {"up_ms": (t_up - r.t0_ns) / 1e6}
            # runsv sleeps 1 s before handling the exit of a service that ran for less than
            # 1 s (its restart throttle): a stop right after boot would measure that sleep.
            time.sleep(max(self.a.settle, idle_s))
            if idle_s > 0:
                log(f"idle: waited {idle_s} s with runit + {n} services")
                result["status"] = proc_status(init)
                result["threads"] = len(os.listdir(f"/proc/{init}/task"))
            for p in services:
                fds[p] = os.pidfd_open(p)
            poller = select.poll()
            for fd in fds.values():
                poller.register(fd, select.POLLIN)
            by_fd = {fd: p for p, fd in fds.items()}
            exits = {}
            t_term = now_ns()
            os.kill(init, signal.SIGTERM)
            deadline = time.monotonic() + self.a.timeout + 90
            while init not in exits:
                left_ms = int((deadline - time.monotonic()) * 1000)
                if left_ms <= 0:
                    raise BenchFailure(f"the init did not exit within {self.a.timeout + 90} s of SIGTERM")
                for fd, _ in poller.poll(left_ms):
                    t = now_ns()
                    exits[by_fd[fd]] = t
                    poller.unregister(fd)
            code = r.finish(self.a.timeout)
            check_exit(r, code, {2}, "shutdown on SIGTERM (expected `*** Init system aborted.`, exit 2)")
            svc_exits = [exits.get(p, exits[init]) for p in services]
            result.update({
                "total_ms": (exits[init] - t_term) / 1e6,
                "first_svc_ms": (min(svc_exits) - t_term) / 1e6,
                "last_svc_ms": (max(svc_exits) - t_term) / 1e6,
                "after_svc_ms": (exits[init] - max(svc_exits)) / 1e6,
                "maxrss_mib": r.maxrss_kib / 1024,
            })
            return result
        finally:
            for fd in fds.values():
                try:
                    os.close(fd)
                except OSError:
                    pass
            if r.status is None:
                r.kill()
                r.finish(30)
            shutil.rmtree(root, ignore_errors=True)

    def measure_runit(self):
        full = {"rss": [], "wall": []}
        sessions = []
        rounds = self.a.runs + self.a.warmup
        for i in range(rounds):
            jobs = [("full", self.runit_full_boot), ("session", self.runit_session)]
            for kind, job in (jobs if i % 2 == 0 else jobs[::-1]):
                res = job()
                if i < self.a.warmup:
                    continue
                if kind == "full":
                    full["rss"].append(res.maxrss_kib / 1024)
                    full["wall"].append(res.wall_ms)
                else:
                    sessions.append(res)
            log(f"runit round {i + 1}/{rounds} done")
        self.runit = (full, sessions)

    def measure_idle(self):
        self.idle = self.runit_session(self.a.idle)

    # ------------------------------------------------------------ 6. timeline

    def measure_timeline(self):
        if not shutil.which("strace"):
            self.timeline_missing = "`strace` is not installed (apt-get install strace)"
            return
        here = os.path.dirname(os.path.abspath(__file__))
        r = subprocess.run([sys.executable, os.path.join(here, "timeline.py"), "--runs", str(min(self.a.runs, 11)),
                            "--label", "jinit", self.my_init], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=600)
        if r.returncode != 0:
            self.timeline_missing = "timeline.py failed: " + r.stderr.decode(errors="replace").strip()[-300:]
            return
        self.timeline_report = r.stdout.decode()

    # ------------------------------------------------------------ 5. sizes

    @staticmethod
    def size(path):
        """(apparent bytes, disk bytes) of a file or tree."""
        if os.path.isfile(path):
            st = os.stat(path)
            return st.st_size, st.st_blocks * 512
        apparent = disk = 0
        for dirpath, _, files in os.walk(path):
            for f in files:
                st = os.lstat(os.path.join(dirpath, f))
                apparent += st.st_size
                disk += st.st_blocks * 512
        return apparent, disk

    # ------------------------------------------------------------ report

    def report(self, started, elapsed_s):
        out = []
        p = out.append
        p(f"## jinit benchmark ({started})\n")
        for line in self.a.machine:
            p(f"- {line}")
        p(f"- load average at start: {self.a.load_start}; at end: {' '.join(open('/proc/loadavg').read().split()[:3])}")
        p(f"- image: `{self.image}`; {self.a.runs} measured runs per contender after {self.a.warmup} "
          f"warm-up round(s), contenders alternating (rotated order each round); medians; "
          f"benchmark took {elapsed_s / 60:.1f} min")
        for n in self.notes:
            p(f"- {n}")
        p("")

        contenders, res = self.boot
        jinit_med = statistics.median(res["jinit"]["wall"])
        floor_med = statistics.median(res["floor"]["wall"])
        p("### 1. Boot: `--quiet --skip-runit --no-kill-all-on-exit -- /bin/true`, whole process\n")
        rows = []
        for key, label, _ in contenders:
            w, m, c = stats(res[key]["wall"]), stats(res[key]["rss"]), stats(res[key]["cpu"])
            rows.append([label, fmt(w["median"]), f"{fmt(w['q1'])} – {fmt(w['q3'])}", fmt(w["min"]),
                         f"{jinit_med / w['median']:.2f}", fmt(c["median"]), fmt(m["median"]), fmt(m["max"])])
        if not self.a.phusion_my_init:
            rows.append(["Python my_init `--skip-runit -- /bin/true`",
                         f"**not measured**: {self.a.phusion_missing}", "", "", "", "", "", ""])
        p(table(["contender", "median ms", "p25 – p75 ms", "min ms", "jinit ÷ this", "CPU ms (median)",
                 "peak RSS MiB (median)", "peak RSS MiB (max)"], rows))
        p("")
        if self.a.phusion_my_init:
            py_med = statistics.median(res["python"]["wall"])
            cpu_ratio = statistics.median(res["jinit"]["cpu"]) / statistics.median(res["python"]["cpu"])
            p(f"jinit ÷ Python my_init = **{jinit_med / py_med:.2f}** (target ≤ 1.5, aim 1.0); by CPU time "
              f"{cpu_ratio:.2f} (steadier than wall time on a loaded machine: the JVM's threads compete "
              f"for the CPUs, Python runs on one); peak RSS {statistics.median(res['jinit']['rss']):.1f} MiB vs "
              f"{statistics.median(res['python']['rss']):.1f} MiB.\n")
        p(f"jinit − JVM floor = **{jinit_med - floor_med:+.1f} ms** (target ≤ 15 ms); "
          f"AOT gain for jinit = {statistics.median(res['jinit-noaot']['wall']) - jinit_med:.1f} ms, "
          f"for the floor = {statistics.median(res['floor-noaot']['wall']) - floor_med:.1f} ms.\n")

        contenders, rr = self.reap
        p(f"### 3. Reaping: {self.a.zombies} zombies reparented to PID 1 at once "
          f"(`unshare -p -f --mount-proc`), helper exit → 0 zombies\n")
        tini_med = statistics.median(rr["tini"]["ms"])
        jr_med = statistics.median(rr["jinit"]["ms"])
        rows = []
        for key, label, _ in contenders:
            s = stats(rr[key]["ms"])
            rows.append([label, fmt(s["median"]), f"{fmt(s['q1'])} – {fmt(s['q3'])}", fmt(s["min"]),
                         fmt(s["max"]), f"{s['median'] / tini_med:.2f}", max(rr[key]["left"])])
        p(table(["PID 1", "median ms", "p25 – p75 ms", "min ms", "max ms", "÷ tini",
                 "zombies left (max over runs)"], rows))
        p("")
        p(f"jinit ÷ tini = **{jr_med / tini_med:.2f}** (target ≤ 1.5).\n")

        full, sessions = self.runit
        n = self.a.services
        p(f"### 2. Memory (init's peak RSS = `wait4` ru_maxrss, as `/usr/bin/time -f %M`)\n")
        rows = []
        b = stats(self.boot[1]["jinit"]["rss"])
        rows.append(["boot `--skip-runit -- /bin/true` (above)", fmt(b["median"]), fmt(b["max"])])
        f = stats(full["rss"])
        rows.append([f"full boot, runit + {n} services, main `sleep 3`, through shutdown",
                     fmt(f["median"]), fmt(f["max"])])
        s = stats([x["maxrss_mib"] for x in sessions])
        rows.append([f"runit + {n} services, no main command, until SIGTERM exit", fmt(s["median"]), fmt(s["max"])])
        st = self.idle["status"]
        rows.append([f"**idle RSS after {self.a.idle:g} s**, runit + {n} services (VmRSS)",
                     fmt(st.get("VmRSS", 0) / 1024), ""])
        rows.append([f"… of which anon / file / shmem (RssAnon / RssFile / RssShmem)",
                     f"{fmt(st.get('RssAnon', 0) / 1024)} / {fmt(st.get('RssFile', 0) / 1024)} / "
                     f"{fmt(st.get('RssShmem', 0) / 1024)}", ""])
        rows.append([f"… PSS / VmHWM (peak so far) / threads", f"{fmt(st.get('Pss', 0) / 1024)} / "
                     f"{fmt(st.get('VmHWM', 0) / 1024)} / {self.idle['threads']}", ""])
        p(table(["measure", "MiB (median)", "MiB (max)"], rows))
        p(f"\nFull boot + `sleep 3` + shutdown wall time: median {fmt(statistics.median(full['wall']))} ms. "
          f"Targets: peak ≤ 40 MiB, idle after 60 s ≤ 36 MiB.\n")

        p(f"### 4. Shutdown: SIGTERM → init exit, runit + {n} services (`exec sleep 1000`, "
          f"die at once on TERM), no main command, SIGTERM {self.a.settle:g} s after all services "
          f"are up\n")
        rows = []
        for key, label in [("up_ms", f"(boot: spawn → all {n} services `run`)"),
                           ("total_ms", "**SIGTERM → init exit (total)**"),
                           ("first_svc_ms", "SIGTERM → first service exited"),
                           ("last_svc_ms", "SIGTERM → last service exited"),
                           ("after_svc_ms", "last service exited → init exit")]:
            s = stats([x[key] for x in sessions])
            rows.append([label, fmt(s["median"]), f"{fmt(s['q1'])} – {fmt(s['q3'])}", fmt(s["min"]),
                         fmt(s["max"])])
        p(table(["measure", "median ms", "p25 – p75 ms", "min ms", "max ms"], rows))
        total_med = statistics.median([x["total_ms"] for x in sessions])
        p(f"\nThe services' own stop time is ≈ 0 (`exec sleep` dies when TERM is delivered), so the "
          f"init's overhead ≈ total = **{fmt(total_med)} ms** (target ≤ 100 ms). "
          f"After {self.a.idle:g} s idle: total {fmt(self.idle['total_ms'])} ms (one run).\n")

        p("### 5. Image size\n")
        rows = []
        items = [("runtime image `" + self.image + "`", self.image),
                 ("… `lib/modules`", os.path.join(self.image, "lib", "modules")),
                 ("… `lib/server/libjvm.so`", os.path.join(self.image, "lib", "server", "libjvm.so")),
                 ("… `lib/jinit.aot` (AOT cache)", self.aot),
                 ("JVM floor's AOT cache (not shipped)", self.a.floor_aot)]
        for label, path in items:
            if os.path.exists(path):
                app, disk = self.size(path)
                rows.append([label, fmt(app / 1e6), fmt(disk / MIB)])
            else:
                rows.append([label, "absent", ""])
        p(table(["item", "MB (10⁶ bytes, apparent)", "MiB on disk (du)"], rows))
        img = self.size(self.image)[0] / 1e6
        p(f"\nImage including AOT cache: **{fmt(img)} MB** (target ≤ 60 MB).\n")

        p("### 6. Where the milliseconds of a boot go (`timeline.py`: system-call timestamps)\n")
        p(self.timeline_report if self.timeline_report else "not measured: " + self.timeline_missing)
        p("")

        p("### Targets of issue 10 on this run\n")
        def verdict(ok):
            return "met" if ok else "**missed**"
        peak = statistics.median(full["rss"])
        idle = st.get("VmRSS", 0) / 1024
        ratio = jr_med / tini_med
        if self.a.phusion_my_init:
            py_med = statistics.median(res["python"]["wall"])
            py_row = ["boot ≤ 1.5 × Python my_init (same run)", f"{jinit_med / py_med:.2f} × "
                      f"({fmt(jinit_med)} vs {fmt(py_med)} ms)", verdict(jinit_med <= 1.5 * py_med)]
        else:
            py_row = ["boot ≤ 1.5 × Python my_init", "not measured", self.a.phusion_missing]
        p(table(["target", "measured", "verdict"], [
            py_row,
            ["boot within 15 ms of the JVM floor", f"{jinit_med - floor_med:+.1f} ms", verdict(jinit_med - floor_med <= 15)],
            [f"peak RSS ≤ 40 MiB, full boot runit + {n} services", f"{fmt(peak)} MiB", verdict(peak <= 40)],
            [f"idle RSS ≤ 36 MiB after {self.a.idle:g} s", f"{fmt(idle)} MiB", verdict(idle <= 36)],
            [f"reap {self.a.zombies} zombies ≤ 1.5 × tini, 0 left", f"{ratio:.2f} ×, "
             f"{max(rr['jinit']['left'])} left", verdict(ratio <= 1.5 and max(rr['jinit']['left']) == 0)],
            ["shutdown overhead ≤ 100 ms", f"{fmt(total_med)} ms", verdict(total_med <= 100)],
            ["image + AOT cache ≤ 60 MB", f"{fmt(img)} MB", verdict(img <= 60)],
        ]))
        return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--image", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--floor-jar", required=True)
    ap.add_argument("--floor-aot", required=True)
    ap.add_argument("--zburst", required=True)
    ap.add_argument("--measure", required=True)
    ap.add_argument("--root-template", required=True)
    ap.add_argument("--env-root", required=True)
    ap.add_argument("--services", type=int, default=10)
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--idle", type=float, default=60)
    ap.add_argument("--settle", type=float, default=1.5,
                    help="seconds between all services up and SIGTERM (runsv's 1 s restart throttle)")
    ap.add_argument("--zombies", type=int, default=5000)
    ap.add_argument("--timeout", type=float, default=30, help="per-run bound in seconds (boot)")
    ap.add_argument("--machine", action="append", default=[])
    ap.add_argument("--load-start", default="")
    ap.add_argument("--out")
    ap.add_argument("--phusion-my-init", default="", help="phusion's Python my_init (its #! runs it)")
    ap.add_argument("--phusion-missing", default="not found", help="why --phusion-my-init is empty")
    a = ap.parse_args()
    global MEASURE
    MEASURE = a.measure
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    t = time.monotonic()
    bench = Bench(a)

    def on_term(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_term)
    try:
        log("preflight")
        bench.preflight()
        log(f"1. boot: {len(bench.boot_contenders())} contenders × {a.runs} runs")
        bench.measure_boot()
        log(f"3. reaping: {a.zombies} zombies × {a.runs} runs × 3 inits")
        bench.measure_reap()
        log(f"2+4. runit + {a.services} services: full boot (peak RSS) and SIGTERM shutdown × {a.runs}")
        bench.measure_runit()
        log(f"2. idle RSS after {a.idle} s")
        bench.measure_idle()
        log("6. timeline of one boot (strace)")
        bench.measure_timeline()
    except BenchFailure as e:
        print(f"BENCHMARK FAILED: {e}", file=sys.stderr)
        return 1
    finally:
        for r in list(ACTIVE):  # interrupted: no init or namespace may outlive the benchmark
            r.kill()
            r._reap()
    report = bench.report(started, time.monotonic() - t)
    print(report)
    if a.out:
        with open(a.out, "w") as f:
            f.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
