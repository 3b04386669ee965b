#!/usr/bin/env python3
"""Section 7 of the jinit benchmark (issue 17): PID 1's footprint in real containers, beside
phusion's Python my_init in a container of the same Debian layer; bench.sh calls it.

Every contender is an image built FROM jinit/debian-rootfs (images/rootfs.sh): jinit/base
(one or more tags, e.g. before and after a change) and the comparator image of
python-image/Dockerfile (python3 as phusion's image installs it), into which phusion's my_init
is bind-mounted read-only as /sbin/my_init. Containers run one at a time, `--network none`,
the contenders alternating. Services are `DIR/svcN/run` scripts bind-mounted as /etc/service.

What is read, and from where (host side, as root):
- memory, tasks, context switches of PID 1: /proc/HOSTPID/{status,smaps_rollup,task/*/status}
  of the container's PID 1 (`docker inspect -f {{.State.Pid}}`); context switches are the sum
  of voluntary + nonvoluntary over all its threads, the difference over the window;
- `docker stats --no-stream` (what users see: cgroup usage minus inactive file pages);
- OOM kills: the memory cgroup's oom_kill counter (v1 memory.oom_control, v2 memory.events)
  and the kernel's `oom-kill:` / `Killed process` lines (dmesg) of that cgroup.

Output: a Markdown section on stdout (and appended to --append FILE); progress on stderr.
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import BenchFailure, descendants, fmt, log, proc_status, table  # noqa: E402

RUNIT_STARTED = "Runit started"


def docker(*args, check=True, timeout=120):
    p = subprocess.run(["docker", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, text=True)
    if check and p.returncode != 0:
        raise BenchFailure(f"docker {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout.strip()


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def threads(pid):
    """{tid: (name, voluntary + nonvoluntary context switches)} of every thread of pid."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                text = f.read()
        except (FileNotFoundError, ProcessLookupError):
            continue
        name = re.search(r"^Name:\s*(.*)$", text, re.M).group(1)
        sw = sum(int(x) for x in re.findall(r"^(?:non)?voluntary_ctxt_switches:\s*(\d+)", text, re.M))
        out[tid] = (name, sw)
    return out


class Container:
    """One container: created with `docker run -d` (or `docker create`), removed by close()."""

    def __init__(self, bench, contender, tag, extra, services, command=None, start=True):
        self.bench, self.contender = bench, contender
        self.name = f"jinit-bench-{os.getpid()}-{tag}"
        self.svcdir = None
        args = ["--network", "none", "--name", self.name] + extra
        if services:
            self.svcdir = os.path.join(bench.work, self.name)
            shutil.copytree(services, self.svcdir)
            args += ["-v", f"{self.svcdir}:/etc/service"]
        args += contender["mounts"] + [contender["image"]] + (command or ["/sbin/my_init"])
        bench.live.add(self.name)
        self.id = docker("run", "-d", *args) if start else docker("create", *args)
        self.pid = None

    def host_pid(self):
        if not self.pid:
            pid = int(docker("inspect", "-f", "{{.State.Pid}}", self.id) or 0)
            self.pid = pid or None
        return self.pid

    def state(self):
        """(running, exit code, OOMKilled) from docker inspect."""
        out = docker("inspect", "-f", "{{.State.Running}} {{.State.ExitCode}} {{.State.OOMKilled}}", self.id)
        running, code, oom = out.split()
        return running == "true", int(code), oom == "true"

    def count(self, name):
        pid = self.host_pid()
        return sum(1 for p in descendants(pid) if comm(p) == name) if pid else 0

    def wait_services(self, name, n, timeout_s):
        """Seconds until n processes called name run below PID 1, or None (exited / timed out)."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout_s:
            if self.count(name) >= n:
                return time.monotonic() - t0
            if not self.state()[0]:
                return None
            time.sleep(0.05)
        return None

    def cgroup(self, controller):
        """The container's cgroup directory for controller (v1) or the unified one (v2), or None."""
        pid = self.host_pid()
        try:
            with open(f"/proc/{pid}/cgroup") as f:
                lines = f.read().splitlines()
        except (FileNotFoundError, TypeError):
            return None
        for line in lines:
            _, ctrls, path = line.split(":", 2)
            if controller in ctrls.split(",") and os.path.isdir(f"/sys/fs/cgroup/{controller}{path}"):
                return f"/sys/fs/cgroup/{controller}{path}"
        for line in lines:
            _, ctrls, path = line.split(":", 2)
            if ctrls == "" and os.path.isdir(f"/sys/fs/cgroup{path}"):
                return f"/sys/fs/cgroup{path}"
        return None

    def read_cgroup(self, controller, *names):
        d = self.cgroup(controller)
        for n in names:
            if d and os.path.exists(f"{d}/{n}"):
                with open(f"{d}/{n}") as f:
                    return f.read()
        return None

    def oom_kills(self):
        text = self.read_cgroup("memory", "memory.oom_control", "memory.events")
        m = re.search(r"oom_kill (\d+)", text or "")
        return int(m.group(1)) if m else 0

    def logs(self):
        p = subprocess.run(["docker", "logs", self.id], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors="replace", timeout=60)
        return p.stdout

    def close(self):
        docker("rm", "-f", self.id, check=False)
        self.bench.live.discard(self.name)
        if self.svcdir:
            shutil.rmtree(self.svcdir, ignore_errors=True)


def dmesg_ooms(container_id):
    """[(task, anon kB, file kB)] of the OOM kills the kernel logged for the container's cgroup
    (its `oom-kill:` line names the container's ID; a full ring buffer drops old lines, so lines
    are matched by ID, not counted)."""
    try:
        lines = subprocess.run(["dmesg"], stdout=subprocess.PIPE, text=True, errors="replace",
                               timeout=30).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return None
    found, mine = [], False
    for line in lines:
        if "oom-kill:" in line:
            mine = container_id[:12] in line
        m = re.search(r"Killed process \d+ \(([^)]*)\).*anon-rss:(\d+)kB, file-rss:(\d+)kB", line)
        if m and mine:
            found.append((m.group(1), int(m.group(2)), int(m.group(3))))
            mine = False
    return found


class Containers:
    def __init__(self, a):
        self.a = a
        self.work = a.workdir
        self.live = set()
        self.contenders = []
        for spec in a.jinit_image:
            label, _, image = spec.rpartition("=")
            self.contenders.append({"label": label or f"jinit `{image}`", "image": image, "mounts": [],
                                    "jinit": True})
        if a.python_image:
            self.contenders.append({"label": "Python my_init", "image": a.python_image, "jinit": False,
                                    "mounts": ["-v", f"{a.phusion_my_init}:/sbin/my_init:ro"]})
        self.svc = {}
        for kind, run in [("sleep", "exec sleep 100000"),
                          ("hold14", "dd if=/dev/zero bs=14M count=1 2>/dev/null | sleep 100000")]:
            d = os.path.join(self.work, f"services-{kind}")
            for i in range(1, 4):
                os.makedirs(f"{d}/svc{i}", exist_ok=True)
                with open(f"{d}/svc{i}/run", "w") as f:
                    f.write(f"#!/bin/sh\n{run}\n")
                os.chmod(f"{d}/svc{i}/run", 0o755)
            self.svc[kind] = d
        self.res = {c["label"]: {} for c in self.contenders}
        self.n = 0

    def new(self, c, extra, services="sleep", command=None, start=True):
        self.n += 1
        tag = re.sub(r"[^a-z0-9]+", "-", c["label"].lower()).strip("-")[:30] + f"-{self.n}"
        return Container(self, c, tag, extra, self.svc[services] if services else None, command, start)

    def held(self, c, extra, services="sleep", timeout_s=60):
        """Starts a container of c with 3 services, waits until they run, then --hold seconds.

        Returns (container, seconds until up or None, running, exit code); the caller closes it."""
        k = self.new(c, extra, services)
        try:
            up = k.wait_services("sleep", 3, timeout_s)
            if up is not None:
                time.sleep(self.a.hold)
            running, code, _ = k.state()
        except BaseException:
            k.close()
            raise
        return k, up, running, code

    def rounds(self, n):
        """n rounds of every contender, the order rotated by one each round."""
        for r in range(n):
            k = r % len(self.contenders)
            for c in self.contenders[k:] + self.contenders[:k]:
                yield r, c

    # -------------------------------------------------------------- idle: memory, tasks, switches
    def idle(self):
        for c in self.contenders:
            log(f"7. idle: {c['label']}: runit + 3 services, {self.a.idle:g} s, then {self.a.window:g} s window")
            k = self.new(c, [])
            try:
                if k.wait_services("sleep", 3, 60) is None:
                    raise BenchFailure(f"{c['label']}: 3 services did not start{k.logs()[-2000:]}")
                time.sleep(self.a.idle)
                pid = k.host_pid()
                st = proc_status(pid)
                t1 = threads(pid)
                stats = docker("stats", "--no-stream", "--format", "{{.MemUsage}}", k.id).split("/")[0].strip()
                peak = k.read_cgroup("memory", "memory.max_usage_in_bytes", "memory.peak")
                time.sleep(self.a.window)
                t2 = threads(pid)
                per = {}
                for tid, (name, sw) in t2.items():
                    d = sw - t1.get(tid, (name, 0))[1]
                    if d:
                        per[name] = per.get(name, 0) + d
                total = sum(per.values())
                self.res[c["label"]]["idle"] = {
                    "st": st, "tasks": len(t1), "names": sorted(n for n, _ in t1.values()),
                    "switches_min": total * 60 / self.a.window, "per": per, "stats": stats,
                    "cg_peak": int(peak) / 2**20 if peak else None}
            finally:
                k.close()

    # -------------------------------------------------------------- boot CPU (bash `times`)
    def boot_cpu(self):
        n = self.a.boots
        script = ("/sbin/my_init --quiet --skip-runit --no-kill-all-on-exit -- /bin/true || exit 1; "
                  f"exec bash -c 'for i in $(seq {n}); do /sbin/my_init --quiet --skip-runit "
                  "--no-kill-all-on-exit -- /bin/true || exit 1; done; times'")
        for r, c in self.rounds(self.a.reps):
            log(f"7. boot CPU: {c['label']}: {n} boots (round {r + 1}/{self.a.reps})")
            out = docker("run", "--rm", "--network", "none", *c["mounts"], c["image"], "sh", "-c", script)
            t = re.findall(r"(\d+)m([\d.]+)s", out.splitlines()[-1])
            ms = sum(int(m) * 60e3 + float(s) * 1e3 for m, s in t) / n
            self.res[c["label"]].setdefault("boot_cpu", []).append(ms)

    # -------------------------------------------------------------- --cpus 0.2: start -> Runit started
    def cpus(self):
        for r, c in self.rounds(self.a.reps_cpus):
            log(f"7. --cpus {self.a.cpus}: {c['label']} (round {r + 1}/{self.a.reps_cpus})")
            k = self.new(c, ["--cpus", str(self.a.cpus)], start=False)
            try:
                t0 = time.monotonic()
                p = subprocess.Popen(["docker", "start", "-a", k.id], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, errors="replace")
                seen = None
                for line in p.stdout:
                    if RUNIT_STARTED in line:
                        seen = time.monotonic() - t0
                        break
                docker("kill", k.id, check=False)
                p.wait(timeout=60)
                if seen is None:
                    raise BenchFailure(f"{c['label']}: no '{RUNIT_STARTED}' under --cpus {self.a.cpus}")
                self.res[c["label"]].setdefault("cpus", []).append(seen * 1000)
            finally:
                k.close()

    # -------------------------------------------------------------- --memory L: boots and keeps running?
    def memory(self):
        for limit in self.a.memory:
            for r, c in self.rounds(self.a.reps_memory):
                log(f"7. --memory {limit}: {c['label']} (round {r + 1}/{self.a.reps_memory})")
                k, up, running, code = self.held(c, ["--memory", limit, "--memory-swap", limit])
                try:
                    n = k.count("sleep") if running else 0
                    ok = up is not None and running and n == 3
                    what = ("ok" if ok else f"exit {code}" + (" at boot" if up is None else "") if not running
                            else f"{n} of 3 services")
                    kills = k.oom_kills()
                    self.res[c["label"]].setdefault(f"mem{limit}", []).append(
                        (ok, what + (f", {kills} OOM kill(s)" if kills else "")))
                finally:
                    k.close()

    # -------------------------------------------------------------- OOM: who dies?
    def oom(self):
        limit = self.a.oom_memory
        for r, c in self.rounds(self.a.reps_oom):
            log(f"7. OOM --memory {limit}, 3 services holding 14 MB: {c['label']} (round {r + 1}/{self.a.reps_oom})")
            k, _, running, code = self.held(c, ["--memory", limit, "--memory-swap", limit], services="hold14")
            try:
                dds = k.count("dd") if running else 0
                victims = dmesg_ooms(k.id)
                self.res[c["label"]].setdefault("oom", []).append({
                    "init_alive": running, "code": code, "dd": dds, "kills": k.oom_kills(),
                    "victims": victims})
            finally:
                k.close()

    # -------------------------------------------------------------- --pids-limit
    def pids(self):
        limit = self.a.pids_limit
        for r, c in self.rounds(self.a.reps_memory):
            log(f"7. --pids-limit {limit}: {c['label']} (round {r + 1}/{self.a.reps_memory})")
            k, up, running, code = self.held(c, ["--pids-limit", str(limit)], timeout_s=20)
            try:
                n = k.count("sleep") if running else 0
                cur = k.read_cgroup("pids", "pids.current")
                stop_ms, stop_code = None, code
                if running:
                    t0 = time.monotonic()
                    docker("stop", "-t", "10", k.id)
                    stop_ms = (time.monotonic() - t0) * 1000
                    stop_code = k.state()[1]
                trouble = bool(re.search(r"unable to create native thread|OutOfMemoryError|Exception", k.logs()))
                self.res[c["label"]].setdefault("pids", []).append({
                    "up": up is not None, "services": n, "pids": int(cur) if cur else None,
                    "stop_ms": stop_ms, "code": stop_code, "trouble": trouble})
            finally:
                k.close()

    # -------------------------------------------------------------- report
    def report(self):
        out = []
        p = out.append
        labels = [c["label"] for c in self.contenders]
        p("### 7. In containers (issue 17): PID 1's footprint beside the Python my_init\n")
        p("Images from one Debian layer (`jinit/debian-rootfs`): " +
          "; ".join(f"{c['label']} = `{c['image']}`" for c in self.contenders) +
          ". phusion's my_init is bind-mounted read-only as `/sbin/my_init` into the Python image. "
          f"runit + 3 services (`exec sleep`), idle {self.a.idle:g} s after all 3 run, then a "
          f"{self.a.window:g} s window for context switches.\n")
        rows = []

        def row(name, f):
            vals = []
            for lb in labels:
                try:
                    vals.append(f(self.res[lb]))
                except (KeyError, TypeError, ValueError, statistics.StatisticsError):
                    vals.append("–")
            rows.append([name] + vals)

        kib = lambda k: lambda r: fmt(r["idle"]["st"].get(k, 0) / 1024)
        row("**anonymous memory of PID 1** (smaps_rollup `Anonymous`, MiB; target ≤ 8)", kib("Anonymous"))
        row("RSS of PID 1 (MiB) = anon + file", lambda r: f"{fmt(r['idle']['st']['VmRSS'] / 1024)} = "
            f"{fmt(r['idle']['st']['RssAnon'] / 1024)} + {fmt(r['idle']['st']['RssFile'] / 1024)}")
        row("PSS of PID 1 (MiB)", kib("Pss"))
        row("`docker stats` memory", lambda r: r["idle"]["stats"])
        row("cgroup peak since start (MiB)", lambda r: fmt(r["idle"]["cg_peak"]))
        row("**tasks of PID 1** (target ≤ 8)", lambda r: r["idle"]["tasks"])
        row(f"**context switches / min**, all PID 1's threads (target ≤ 10)",
            lambda r: fmt(r["idle"]["switches_min"]))
        row("… by thread over the window", lambda r: ", ".join(
            f"{n} {v}" for n, v in sorted(r["idle"]["per"].items(), key=lambda x: -x[1])) or "none")
        row(f"**boot CPU ms** (bash `times`, {self.a.boots} boots of `--quiet --skip-runit "
            f"--no-kill-all-on-exit -- /bin/true`, median of {self.a.reps} containers)",
            lambda r: fmt(statistics.median(r["boot_cpu"])))
        row(f"**`--cpus {self.a.cpus}`: `docker start` → `*** {RUNIT_STARTED}`** (ms, median; min – max)",
            lambda r: f"{fmt(statistics.median(r['cpus']), 0)} ({fmt(min(r['cpus']), 0)} – {fmt(max(r['cpus']), 0)})")
        for limit in self.a.memory:
            row(f"**`--memory {limit}`**: 3 services up and running after {self.a.hold:g} s",
                lambda r, limit=limit: f"{sum(ok for ok, _ in r[f'mem{limit}'])}/{len(r[f'mem{limit}'])}"
                + "".join(f"; {w}" for ok, w in r[f"mem{limit}"] if not ok))

        def oom(r):
            parts = []
            for o in r["oom"]:
                v = ", ".join(f"{t} (anon {a // 1024} + file {f_ // 1024} MiB)" for t, a, f_ in (o["victims"] or []))
                parts.append(("init alive" if o["init_alive"] else f"**init died** (exit {o['code']})") +
                             f", {o['dd']}/3 dd left, {o['kills']} OOM kill(s)"
                             + (f": {v}" if v else " (dmesg: none logged, the kernel rate-limits them)" if o["kills"] else ""))
            return "; ".join(parts)
        row(f"**OOM**: `--memory {self.a.oom_memory}`, 3 services holding 14 MB each", oom)
        row(f"**`--pids-limit {self.a.pids_limit}`**: up, 3 services, pids, `docker stop`",
            lambda r: "; ".join(
                (f"3 services, {x['pids']} pids, stop {fmt(x['stop_ms'], 0)} ms exit {x['code']}"
                 if x["up"] and x["services"] == 3 else f"**failed** ({x['services']} services, exit {x['code']})")
                + (", **error in log**" if x["trouble"] else "") for x in r["pids"]))
        p(table(["measure"] + labels, rows))
        p("")
        for lb in labels:
            if "idle" in self.res[lb]:
                p(f"- {lb}: threads of PID 1: {', '.join(self.res[lb]['idle']['names'])}")
        p("")
        return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--jinit-image", action="append", default=[], help="[LABEL=]TAG, repeatable")
    ap.add_argument("--python-image", default="")
    ap.add_argument("--phusion-my-init", default="")
    ap.add_argument("--idle", type=float, default=30)
    ap.add_argument("--window", type=float, default=30)
    ap.add_argument("--reps", type=int, default=3, help="containers for boot CPU")
    ap.add_argument("--boots", type=int, default=10)
    ap.add_argument("--reps-cpus", type=int, default=5)
    ap.add_argument("--cpus", type=float, default=0.2)
    ap.add_argument("--memory", action="append", default=[])
    ap.add_argument("--reps-memory", type=int, default=4)
    ap.add_argument("--hold", type=float, default=10)
    ap.add_argument("--oom-memory", default="56m")
    ap.add_argument("--reps-oom", type=int, default=2)
    ap.add_argument("--pids-limit", type=int, default=16)
    ap.add_argument("--only", default="idle,boot,cpus,memory,oom,pids")
    ap.add_argument("--append")
    a = ap.parse_args()
    a.memory = a.memory or ["24m", "16m"]
    b = Containers(a)

    def on_term(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_term)
    try:
        for step in a.only.split(","):
            {"idle": b.idle, "boot": b.boot_cpu, "cpus": b.cpus, "memory": b.memory,
             "oom": b.oom, "pids": b.pids}[step]()
    except BenchFailure as e:
        print(f"BENCHMARK FAILED: {e}", file=sys.stderr)
        return 1
    finally:
        for name in list(b.live):
            docker("rm", "-f", name, check=False)
    report = b.report()
    print(report)
    if a.append:
        with open(a.append, "a") as f:
            f.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
