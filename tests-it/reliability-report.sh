#!/bin/sh
# Reliability report of jinit: one Markdown table row per check, with its count
# (cases or runs), result and time, read from the surefire/failsafe XML reports.
#
# Usage: tests-it/reliability-report.sh [--run] [--full] [--reports DIR]
#   (no option)  only read target/surefire-reports and target/failsafe-reports, e.g. after
#                `mvn -B verify` at the repo root
#   --run        first run the reliability tests (mvn -B verify with only those tests
#                selected), then report; the exit status is 1 if any check failed
#   --full       with --run: the full counts (-Djinit.storm.full=true -Djinit.ttyRuns=200:
#                10,000 orphans, 500 coalesced-SIGCHLD runs, 200 TERM-vs-exit races, 50 PID-reuse
#                runs, 100 boots under load, 200 TTY runs); tests-it/run-all.sh runs these in CI
#   --reports D  read the reports under D (default: <repo>/target; also tests-it/target's
#                failsafe reports when present, for the helper's agreement with the init)
# Needs python3 (XML parsing). A check whose report is missing shows "not run".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
run=0 full=0 target="$repo/target"
while [ $# -gt 0 ]; do
  case $1 in
    --run) run=1 ;;
    --full) full=1 ;;
    --reports) shift; target=$1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
mvnrc=0
if [ "$run" = 1 ]; then
  extra=""
  [ "$full" = 1 ] && extra="-Djinit.storm.full=true -Djinit.ttyRuns=200"
  rm -rf "$target/surefire-reports" "$target/failsafe-reports"
  (cd "$repo" && mvn -B verify $extra \
      -Dtest='EnvRoundTripPropertyTest,RawStringsTest,ExportTest,AtomicityTest,ReaperTest,ReaperRaceTest,SignalTest,AbortTest' \
      -Dsurefire.failIfNoSpecifiedTests=false \
      -Dit.test='AbortIT,AbortEveryWaitIT,KillAllRefusedIT,DescendantsIT,ForwardingIT,TtyIT,SignalStormIT,MainCommandIT,CliIT,ChildHygieneIT,BadValuesIT,FaultIT,ExhaustionIT,KillAllWaitIT,SignalFdIT,RewriteIT,io.jinit.storm.*IT' \
      -Dfailsafe.failIfNoSpecifiedTests=false) >&2 || mvnrc=$?
fi
python3 - "$target" "$mvnrc" "$here/target" <<'PY'
import glob, os, re, sys
import xml.etree.ElementTree as ET

target, mvnrc, it_target = sys.argv[1], int(sys.argv[2]), sys.argv[3]
REPORT_DIRS = [os.path.join(target, "surefire-reports"), os.path.join(target, "failsafe-reports"),
               os.path.join(it_target, "failsafe-reports")]
cases = []   # (classname, name, seconds, status, text)
for d in REPORT_DIRS:
    for f in sorted(glob.glob(os.path.join(d, "TEST-*.xml"))):
        suite = ET.parse(f).getroot()
        suite_out = "".join(e.text or "" for e in suite.findall("system-out"))
        for tc in suite.iter("testcase"):
            cls = tc.get("classname", "")
            if "." not in cls:
                cls = os.path.basename(f)[5:-4]
            status = "pass"
            if tc.find("skipped") is not None:
                status = "skipped"
            if tc.find("failure") is not None or tc.find("error") is not None:
                status = "FAIL"
            text = "".join(e.text or "" for e in tc.findall("system-out")) + suite_out
            cases.append((cls, tc.get("name", ""), float(tc.get("time", "0") or 0), status, text))

def pick(cls, name_re=None):
    return [c for c in cases if c[0].endswith("." + cls) and (name_re is None or re.search(name_re, c[1]))]

def verdict(sel):
    if not sel:
        return "not run"
    if any(c[3] == "FAIL" for c in sel):
        return "FAIL"
    if all(c[3] == "skipped" for c in sel):
        return "skipped"
    return "pass"

def fmt_time(sel):
    return "%.1f s" % sum(c[2] for c in sel) if sel else "-"

rows = []
def row(check, sel, count):
    rows.append((check, count if sel else "-", verdict(sel), fmt_time(sel)))

def seeds(sel):
    found = re.findall(r"property [^:\n]+: \d+ tries, seed (-?\d+)", "".join(c[4] for c in sel))
    return (", seed " + found[0]) if found else ""

sel = pick("EnvRoundTripPropertyTest")
m = re.search(r"env round trip: (\d+) variables \((\d+) valid names, (\d+) invalid\)", "".join(c[4] for c in sel))
row("env round trip (dir, .sh in sh/dash/bash, .json); seeded, replay -Djinit.seed", sel,
    ("%s variables (%s valid, %s invalid names)" % m.groups() if m else "%d cases" % len(sel)) + seeds(sel))
sel = pick("RawStringsTest", r"anyBytesRoundTrip")
m = re.search(r"property RawStrings.anyBytesRoundTrip: (\d+) tries", "".join(c[4] for c in sel))
row("raw bytes <-> String round trip (surrogateescape); seeded", sel, ("%s byte arrays" % m.group(1) if m else "%d cases" % len(sel)) + seeds(sel))
sel = pick("ExportTest", r"Reference"); row(".sh/.json byte-identical to the reference my_init's own export_envvars", sel, "%d cases" % len(sel))
sel = pick("AtomicityTest"); row("env files atomic (write + rename, killed JVM)", sel, "%d cases" % len(sel))
sel = pick("ReaperTest", r"(?i)failedwait"); row("reaper survives wait errors other than ECHILD (logged, goes on)", sel, "%d cases" % len(sel))
sel = pick("AbortIT"); row("abort path: TERM/INT in each phase, second TERM", sel, "%d cases" % len(sel))
sel = pick("AbortEveryWaitIT"); row("every wait gives way to TERM/INT: exit 2 in bound, nothing left (7 waits x 2 signals)", sel, "%d cases" % len(sel))
sel = pick("KillAllRefusedIT"); row("kill-all (not PID 1) signals every descendant, logs EPERM refusals", sel, "%d cases" % len(sel))
sel = pick("DescendantsIT"); row("--wait-for-descendants; without it kill-all TERMs the daemon", sel, "%d cases" % len(sel))
sel = pick("ForwardingIT"); row("signal forwarding (group, process, none: init received, not stopped)", sel, "%d cases" % len(sel))
sel = pick("TtyIT", r"manyQuickRuns")
m = re.search(r"TtyIT: (\d+) quick runs", "".join(c[4] for c in sel))
row("quick runs on a terminal, all exit 0", sel, "%s runs" % m.group(1) if m else "%d cases" % len(sel))
sel = pick("SignalStormIT"); row("signal storm: 7 signals x 100 (PID 1, nested)", sel, "%d cases (%d signals)" % (len(sel), 700 * len(sel)))
sel = pick("MainCommandIT", r"(?i)signal|sigkill"); row("main killed by TERM/KILL/SEGV/ABRT -> 128+S", sel, "%d cases" % len(sel))
sel = pick("CliIT", r"(?i)bad|unknown|without|error|dash|version"); row("bad CLI input / bad timeouts -> exit 2, nothing started; exact --version", sel, "%d cases" % len(sel))
sel = pick("ChildHygieneIT"); row("child hygiene (fds 0-2, empty mask, default dispositions)", sel, "%d cases" % len(sel))
sel = pick("BadValuesIT"); row("bad option values (ASCII digits only: other scripts' digits refused) -> one line, exit 2, nothing started", sel, "%d cases" % len(sel))
sel = pick("KillAllWaitIT"); row("kill-all waits until no child is left", sel, "%d cases" % len(sel))
sel = pick("SignalFdIT"); row("signal intake: blocked from the exec (literal mask), early TERM ends the boot before the main command", sel, "%d cases" % len(sel))
sel = pick("RewriteIT"); row("--rewrite / --stop-signal (a dropped signal seen arriving first)", sel, "%d cases" % len(sel))
sel = pick("AbortTest"); row("abortable wait: a condition that came true wins over the waking abort", sel, "%d cases" % len(sel))

# Storm tests and the reaper race print RELIABILITY|check|count|result|detail. Classes that run
# concurrently can have their output filed under another class's report, so the lines are read
# from every report and matched to their class by the check's name.
STORM_CLASSES = [("orphan storm", "OrphanStormIT"), ("coalesced SIGCHLD", "CoalescedSigchldIT"),
                 ("TERM vs main exit", "TermVersusMainExitIT"), ("PID reuse", "PidReuseIT"),
                 ("insecure key", "InsecureKeyIT"), ("reaper race", "ReaperRaceTest"),
                 ("fault:", "FaultIT"), ("exhaustion:", "ExhaustionIT"),
                 ("boot under CPU", "BootUnderLoadIT"), ("helper agrees", "HelperAgreesWithInitIT")]
lines = []
for d in REPORT_DIRS:
    for f in sorted(glob.glob(os.path.join(d, "TEST-*.xml"))):
        for line in open(f, encoding="utf-8", errors="replace").read().splitlines():
            i = line.find("RELIABILITY|")
            if i >= 0:
                p = line[i:].split("|")
                if len(p) >= 5 and p not in lines:
                    lines.append(p)
for prefix, cls in STORM_CLASSES:
    sel = pick(cls)
    mine = [p for p in lines if p[1].startswith(prefix)]
    if not mine:
        row(cls + " (" + prefix + ")", sel, "%d cases" % len(sel))
    for p in mine:
        result = "FAIL" if p[3] != "pass" or verdict(sel) == "FAIL" else "pass"
        rows.append(("%s: %s" % (p[1], p[4]), p[2], result, fmt_time(sel)))
    for c in sel:
        if c[3] == "FAIL":
            rows.append(("%s.%s" % (cls, c[1]), "-", "FAIL", fmt_time([c])))

print("| check | count (cases/runs) | result | time |")
print("|---|---|---|---|")
for r in rows:
    print("| %s | %s | %s | %s |" % r)
bad = [r for r in rows if r[2] in ("FAIL", "not run")]
print()
print("%d checks, %d failed, %d not run." % (len(rows), sum(r[2] == "FAIL" for r in rows), sum(r[2] == "not run" for r in rows)))
sys.exit(1 if mvnrc or any(r[2] == "FAIL" for r in rows) else 0)
PY
