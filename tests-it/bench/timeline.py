#!/usr/bin/env python3
"""Where the milliseconds of a jinit boot go: phase by phase, from system-call timestamps.

Runs `INIT --quiet --skip-runit --no-kill-all-on-exit -- /bin/true` under
`strace -f -ttt --seccomp-bpf` tracing only the few system calls that mark a phase (execve,
clone/clone3/vfork, prctl, wait4, exit_group), so the other system calls run at full speed, and
prints the median time of each phase over the runs (a Markdown table on stdout). No JFR, no
agent, no change to the init: the markers are what the process does anyway.

Markers, in order (every time is from the launcher's execve):
  launcher      the execve of INIT (the launcher script)
  jvm exec      the execve of .../bin/java (end of the launcher)
  jvm ready     the JVM's "Common-Cleaner" thread named (prctl PR_SET_NAME): the JVM's own
                initialisation is done, main() is about to run
  signalfd      signalfd4(2) returned (the launcher of 0.2.0 blocks the signals; main() checks
                the mask and makes the signalfd through its first FFM downcalls); optional: an
                init without a signalfd has no such phase
  reaper        the "jinit-reaper" thread named: main() parsed the command line, set up logging
                and signals and started the reaper
  first wait4   the reaper's first wait4(2) or waitid(2)
  spawn         the clone3/vfork of posix_spawnp(3) for the main command
  exec /bin/true   the child's execve
  reaped        wait4 returned the child
  exit_group    the JVM's exit_group(2)
  gone          the process's exit as strace saw it

Usage: timeline.py [--runs N] [--label NAME] INIT [INIT ...]   (one column per INIT)
Needs strace (>= 5.3 for --seccomp-bpf). Timestamps under strace are slower than the real
thing by a few ms (every traced call stops the process); compare images, not absolute numbers.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

MARKERS = ["jvm exec", "jvm ready", "signalfd", "reaper", "first wait4", "spawn", "exec /bin/true", "reaped",
           "exit_group", "gone"]
PHASES = [
    ("jvm exec", "launcher (shell or env, up to the execve of bin/java)"),
    ("jvm ready", "JVM start: libjvm, heap, AOT cache mapped, module system, JVM threads"),
    ("signalfd", "main() up to the signalfd: first FFM downcalls (signal mask, signalfd4)"),
    ("reaper", "main(): command line (picocli), logging (tinylog), signals, boot phase, reaper started"),
    ("first wait4", "the reaper thread's first wait4/waitid (without a signalfd: the first FFM downcall, its handle spun here)"),
    ("spawn", "environment phase, spawn preparation (posix_spawn* downcalls), up to the vfork"),
    ("exec /bin/true", "vfork → the child's execve"),
    ("reaped", "/bin/true runs and is reaped"),
    ("exit_group", "main phase ends, shutdown phase, System.exit"),
    ("gone", "JVM exit (exit_group → process gone)"),
]
OPTIONAL = {"signalfd"}
LINE = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+(.*)$")


def one_run(init, workdir, i):
    out = os.path.join(workdir, f"strace-{i}.log")
    argv = ["strace", "-f", "-ttt", "-q", "--seccomp-bpf",
            "-e", "trace=execve,clone,clone3,vfork,prctl,wait4,waitid,exit_group,signalfd4", "-o", out,
            init, "--quiet", "--skip-runit", "--no-kill-all-on-exit", "--", "/bin/true"]
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=60)
    if r.returncode != 0:
        raise SystemExit(f"timeline: {init} exited {r.returncode}: {r.stderr.decode(errors='replace')[-500:]}")
    t = {}
    first_pid = None
    child = None
    with open(out, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            pid, ts, rest = int(m.group(1)), float(m.group(2)), m.group(3)
            if first_pid is None:
                first_pid, t0 = pid, ts
            ms = (ts - t0) * 1000
            if rest.startswith("execve(") and "/bin/java\"" in rest.split(",")[0] and "jvm exec" not in t:
                t["jvm exec"] = ms
            elif "PR_SET_NAME, \"Common-Cleaner\"" in rest and "jvm ready" not in t:
                t["jvm ready"] = ms
            elif rest.startswith("signalfd4(") and "jvm ready" in t and "signalfd" not in t:
                t["signalfd"] = ms
            elif "PR_SET_NAME, \"jinit-reaper\"" in rest and "reaper" not in t:
                t["reaper"] = ms
            elif rest.startswith(("wait4(-1", "waitid(P_ALL")) and "reaper" in t and "first wait4" not in t:
                t["first wait4"] = ms
            elif "CLONE_VFORK" in rest and "jvm exec" in t and "spawn" not in t:
                t["spawn"] = ms
            elif rest.startswith("execve(\"/bin/true\"") and "exec /bin/true" not in t:
                t["exec /bin/true"] = ms
                child = pid
            elif child is not None and "reaped" not in t and re.search(rf"(wait4 resumed>|wait4\(.*\)).*= {child}$", rest):
                t["reaped"] = ms
            elif rest.startswith("exit_group(") and pid != child and "reaped" in t and "exit_group" not in t:
                t["exit_group"] = ms
            elif pid == first_pid and rest.startswith("+++ exited"):
                t["gone"] = ms
    missing = [k for k in MARKERS if k not in t and k not in OPTIONAL]
    if missing:
        raise SystemExit(f"timeline: {init}: markers not found: {missing} (see {out})")
    return t


def previous(run, key):
    """The time of the marker before key in this run (0 for the first), skipping absent ones."""
    before = [run[k] for k in MARKERS[:MARKERS.index(key)] if k in run]
    return before[-1] if before else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--label", action="append", default=[], help="column title, one per INIT")
    ap.add_argument("inits", nargs="+", metavar="INIT")
    a = ap.parse_args()
    labels = a.label + a.inits[len(a.label):]
    with tempfile.TemporaryDirectory(prefix="jinit-timeline.") as work:
        runs = {init: [] for init in a.inits}
        for i in range(a.runs + 1):  # the first round warms the page cache and is dropped
            for j, init in enumerate(a.inits if i % 2 == 0 else a.inits[::-1]):
                t = one_run(init, work, f"{i}-{j}")
                if i:
                    runs[init].append(t)
    header = ["phase (medians of %d runs under strace, ms)" % a.runs]
    for lab in labels:
        header += [f"{lab}: ends at", f"{lab}: takes"]
    print("| " + " | ".join(header) + " |")
    print("|---" + "|---:" * (len(header) - 1) + "|")
    for key, what in PHASES:
        row = [what]
        for init in a.inits:
            have = [r for r in runs[init] if key in r]
            if not have:
                row += ["—", "—"]
                continue
            end = statistics.median(r[key] for r in have)
            took = statistics.median(r[key] - previous(r, key) for r in have)
            row += [f"{end:.1f}", f"{took:.1f}"]
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
