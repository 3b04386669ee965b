#!/usr/bin/env bash
# README's main job: build jinit/base, build a demo image on it (one startup
# script, two runit services, a main command: images/demo/), boot it as a real
# container, show the process tree (my_init's JVM as PID 1, runsvdir and the
# main command its children, one runsv per service), stop it with
# `docker stop -t 10` and show the exit status (2: "Init system aborted.") and
# the container's log.
#
# Usage: images/demo.sh [--no-build] [--no-maven] [--no-main]
#   --no-build   use the existing jinit/base:latest (do not run images/build.sh)
#   --no-maven   passed to images/build.sh (reuse target/image)
#   --no-main    boot with plain `/sbin/my_init` (runit only, phusion's CMD)
#                instead of `/sbin/my_init -- /usr/local/bin/demo-main`
# Exit status: 0 when the tree and the shutdown look as expected, 1 otherwise.
# Offline: builds with --network=none, runs with --network none, never pulls.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
demo_image=${JINIT_DEMO_IMAGE:-jinit/demo:latest}
boot_wait=${JINIT_DEMO_BOOT_WAIT:-30}
build=1 build_args=() main=1

say() { echo "demo: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }
run() { say "+ $*"; "$@"; }

for arg in "$@"; do
  case $arg in
    --no-build) build=0 ;;
    --no-maven) build_args+=(--no-maven) ;;
    --no-main) main=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (see --help)" ;;
  esac
done

if [ "$build" = 1 ]; then
  run "$here/build.sh" "${build_args[@]}"
else
  run "$here/docker-up.sh"
fi
docker image inspect jinit/base:latest >/dev/null 2>&1 || die "jinit/base:latest does not exist: run images/build.sh"

DOCKER_BUILDKIT=0 run docker build --network=none -q -t "$demo_image" "$here/demo" >/dev/null

name=jinit-demo-$$
cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
if [ "$main" = 1 ]; then cmd=(); else cmd=(/sbin/my_init); fi
run docker run -d --pull never --network none --name "$name" "$demo_image" "${cmd[@]}" >/dev/null

show_logs() { say "container log:"; docker logs "$name" 2>&1 | sed 's/^/    /' >&2; }
running() { [ "$(docker inspect --format '{{.State.Running}}' "$name" 2>/dev/null)" = true ]; }

# --- wait until booted: both services `run:`, and the main command started --
what="the services"; [ "$main" = 0 ] || what="the services and the main command"
say "waiting up to ${boot_wait}s for $what"
deadline=$((SECONDS + boot_wait))
while :; do
  if ! running; then
    show_logs
    die "the container exited during boot with status $(docker inspect --format '{{.State.ExitCode}}' "$name")"
  fi
  status=$(docker exec "$name" sv status /etc/service/ticker /etc/service/greeter 2>&1 || true)
  up=$(grep -c '^run:' <<<"$status" || true)
  main_up=1
  if [ "$main" = 1 ]; then
    docker exec "$name" pgrep -x demo-main >/dev/null 2>&1 || main_up=0
  fi
  [ "$up" -eq 2 ] && [ "$main_up" -eq 1 ] && break
  if [ "$SECONDS" -ge "$deadline" ]; then
    printf '%s\n' "$status" >&2
    show_logs
    die "not booted within ${boot_wait}s"
  fi
  sleep 0.5
done
say "booted; sv status:"
printf '%s\n' "$status" | sed 's/^/    /' >&2

# --- the process tree ------------------------------------------------------
say "+ docker exec $name ps -e -o pid,ppid,comm,args"
tree=$(docker exec "$name" ps -e -o pid,ppid,comm,args)
printf '%s\n' "$tree"

ok=1
check() { if eval "$2"; then say "ok: $1"; else say "NOT OK: $1"; ok=0; fi; }
pid1=$(awk '$1 == 1 { print $3 }' <<<"$tree")
runsvdir_ppid=$(awk '$3 == "runsvdir" { print $2 }' <<<"$tree")
runsv_count=$(awk '$3 == "runsv" { n++ } END { print n + 0 }' <<<"$tree")
check "PID 1 is the JVM (comm '$pid1')" '[ "$pid1" = java ]'
check "runsvdir is a child of PID 1" '[ "$runsvdir_ppid" = 1 ]'
check "one runsv per service ($runsv_count)" '[ "$runsv_count" = 2 ]'
if [ "$main" = 1 ]; then
  main_ppid=$(awk '$3 == "demo-main" { print $2; exit }' <<<"$tree")
  check "the main command is a child of PID 1" '[ "$main_ppid" = 1 ]'
fi

# --- graceful stop ---------------------------------------------------------
say "+ docker stop -t 10 $name"
t0=$(date +%s.%N)
docker stop -t 10 "$name" >/dev/null
t1=$(date +%s.%N)
code=$(docker inspect --format '{{.State.ExitCode}}' "$name")
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
say "stopped in ${secs}s, exit status $code"
check "exit status 2 (Init system aborted.)" '[ "$code" = 2 ]'
check "stopped inside the 10 s grace period" 'awk -v s="$secs" "BEGIN { exit !(s < 10) }"'
show_logs
logs=$(docker logs "$name" 2>&1)
check "the ticker service got SIGTERM" 'grep -q "ticker: got SIGTERM" <<<"$logs"'
if [ "$main" = 1 ]; then
  check "the main command got SIGTERM" 'grep -q "main: got SIGTERM" <<<"$logs"'
fi
run docker rm "$name" >/dev/null

[ "$ok" = 1 ] || die "the demo did not behave as expected (see NOT OK above)"
say "all as expected"
