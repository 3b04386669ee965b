#!/usr/bin/env bash
# README's main job: build jinit/base, build a demo image on it (one startup
# script, two runit services, a main command: images/demo/), boot it as a real
# container, show the process tree (my_init's JVM as PID 1, runsvdir and the
# main command its children, one runsv per service), stop it with
# `docker stop -t 10` and show the exit status (2: "Init system aborted.") and
# the container's log.
# Then jinit/baseimage: phusion's walkthrough (regenerate the SSH host keys,
# enable sshd, authorize a key made for this run) built FROM jinit/baseimage,
# booted; an SSH login over the container's loopback (`docker exec ... ssh`:
# the container has no network) types `ps ajxf`, which shows the tree
# my_init -> runsvdir -> runsv -> syslog-ng / cron / sshd -> sshd: root@pts/0
# -> -bash -> ps ajxf; then `docker stop -t 10` again.
#
# Usage: images/demo.sh [--no-build] [--no-maven] [--no-main] [--no-baseimage]
#   --no-build      use the existing images (do not run images/build.sh)
#   --no-maven      passed to images/build.sh (reuse target/image)
#   --no-main       boot with plain `/sbin/my_init` (runit only, phusion's CMD)
#                   instead of `/sbin/my_init -- /usr/local/bin/demo-main`
#   --no-baseimage  leave out the jinit/baseimage part (and do not build it)
# Exit status: 0 when the trees and the shutdowns look as expected, 1 otherwise.
# Offline: builds with --network=none, runs with --network none, never pulls.
# Environment: JINIT_IMAGE, JINIT_BASEIMAGE_IMAGE (as images/build.sh),
# JINIT_DEMO_IMAGE (default jinit/demo:latest), JINIT_WALKTHROUGH_IMAGE
# (default jinit/walkthrough:latest).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
demo_image=${JINIT_DEMO_IMAGE:-jinit/demo:latest}
base_image=${JINIT_IMAGE:-jinit/base:latest}
baseimage_image=${JINIT_BASEIMAGE_IMAGE:-jinit/baseimage:latest}
walk_image=${JINIT_WALKTHROUGH_IMAGE:-jinit/walkthrough:latest}
boot_wait=${JINIT_DEMO_BOOT_WAIT:-30}
build=1 build_args=() main=1 baseimage=1

say() { echo "demo: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }
run() { say "+ $*"; "$@"; }
# docker build, quiet: its output (and the legacy builder's deprecation notice) only on failure
build() {
  local out
  say "+ docker build $*"
  if ! out=$(DOCKER_BUILDKIT=0 docker build -q "$@" 2>&1); then
    printf '%s\n' "$out" >&2
    die "docker build $* failed"
  fi
}

for arg in "$@"; do
  case $arg in
    --no-build) build=0 ;;
    --no-maven) build_args+=(--no-maven) ;;
    --no-main) main=0 ;;
    --no-baseimage) baseimage=0; build_args+=(--no-baseimage) ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (see --help)" ;;
  esac
done

if [ "$build" = 1 ]; then
  run "$here/build.sh" "${build_args[@]}"
else
  run "$here/docker-up.sh"
fi
docker image inspect "$base_image" >/dev/null 2>&1 || die "$base_image does not exist: run images/build.sh"
if [ "$baseimage" = 1 ]; then
  docker image inspect "$baseimage_image" >/dev/null 2>&1 || die "$baseimage_image does not exist: run images/build.sh"
fi

build --network=none --build-arg BASE="$base_image" -t "$demo_image" "$here/demo"

name=jinit-demo-$$
wname=jinit-walkthrough-$$
walk=
cleanup() {
  docker rm -f "$name" "$wname" >/dev/null 2>&1 || true
  [ -z "$walk" ] || rm -rf "$walk"
}
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
check "PID 1 is the init, named my_init (comm '$pid1')" '[ "$pid1" = my_init ]'
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

# --- jinit/baseimage: phusion's walkthrough, an SSH login, the tree --------
if [ "$baseimage" = 1 ]; then
  walk=$(mktemp -d "${TMPDIR:-/tmp}/jinit-walkthrough.XXXXXX")
  say "jinit/baseimage: a key pair for this run (ssh-keygen in a throw-away $baseimage_image container)"
  docker run --rm --pull never --network none "$baseimage_image" sh -c \
    'ssh-keygen -q -t rsa -b 3072 -N "" -C jinit-demo -f /tmp/id_rsa >/dev/null && tar -C /tmp -cf - id_rsa id_rsa.pub' \
    | tar -C "$walk" -xf -
  # phusion's walkthrough, verbatim but for the base image
  printf '%s\n' \
    "FROM $baseimage_image" \
    'ENV HOME /root' \
    'RUN /etc/my_init.d/00_regen_ssh_host_keys.sh' \
    'RUN rm -f /etc/service/sshd/down' \
    'CMD ["/sbin/my_init"]' \
    'ADD id_rsa.pub /tmp/id_rsa.pub' \
    'RUN cat /tmp/id_rsa.pub >> /root/.ssh/authorized_keys && rm -f /tmp/id_rsa.pub' \
    > "$walk/Dockerfile"
  say "the walkthrough's Dockerfile:"
  sed 's/^/    /' "$walk/Dockerfile" >&2
  build --network=none -t "$walk_image" "$walk"
  run docker run -d --pull never --network none --name "$wname" "$walk_image" >/dev/null

  say "waiting up to ${boot_wait}s for syslog-ng, cron and sshd"
  deadline=$((SECONDS + boot_wait))
  while :; do
    if [ "$(docker inspect --format '{{.State.Running}}' "$wname" 2>/dev/null)" != true ]; then
      docker logs "$wname" >&2 || true
      die "the walkthrough container exited during boot"
    fi
    status=$(docker exec "$wname" sv status /etc/service/syslog-ng /etc/service/cron /etc/service/sshd 2>&1 || true)
    [ "$(grep -c '^run:' <<<"$status" || true)" -eq 3 ] && break
    if [ "$SECONDS" -ge "$deadline" ]; then
      printf '%s\n' "$status" >&2
      docker logs "$wname" >&2 || true
      die "the walkthrough did not boot within ${boot_wait}s"
    fi
    sleep 0.5
  done
  say "booted; my_init's log:"
  docker logs "$wname" 2>&1 | sed 's/^/    /' >&2

  docker cp "$walk/id_rsa" "$wname:/root/demo_id_rsa" >/dev/null
  say "+ docker exec $wname ssh -tt -i /root/demo_id_rsa root@127.0.0.1   (typing: export COLUMNS=200; ps ajxf; exit)"
  session=$(docker exec "$wname" sh -c 'chmod 0600 /root/demo_id_rsa && printf "export COLUMNS=200\nps ajxf\nexit\n" | ssh -tt -i /root/demo_id_rsa -o BatchMode=yes -o StrictHostKeyChecking=accept-new root@127.0.0.1' 2>&1 | tr -d '\r')
  printf '%s\n' "$session"
  # the ancestry of `ps ajxf`, from PID 1 down (columns: PPID PID PGID SID TTY TPGID STAT UID TIME COMMAND)
  chain=$(awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ && NF >= 10 {
      c = $0; for (i = 0; i < 9; i++) sub(/^ *[^ ]+ +/, "", c); sub(/^[ |\\_]*/, "", c)
      pp[$2] = $1; cmd[$2] = c; if (c == "ps ajxf") start = $2 }
    END { n = 0; for (p = start; p != "" && n < 20; p = pp[p]) { line[n++] = p " " cmd[p]; if (p == 1) break }
          for (i = n - 1; i >= 0; i--) print line[i] }' <<<"$session")
  say "the ancestry of ps ajxf:"
  printf '%s\n' "$chain" | sed 's/^/    /' >&2
  expect=('^1 /sbin/my_init$'
          '^[0-9]+ (/usr/bin/)?runsvdir -P /etc/service$'
          '^[0-9]+ runsv sshd$'
          '^[0-9]+ sshd: .*sshd -D'
          '^[0-9]+ sshd: root@pts/[0-9]+$'
          '^[0-9]+ -bash$'
          '^[0-9]+ ps ajxf$')
  chain_ok=1
  [ "$(wc -l <<<"$chain")" -eq "${#expect[@]}" ] || chain_ok=0
  for i in "${!expect[@]}"; do
    sed -n "$((i + 1))p" <<<"$chain" | grep -Eq -- "${expect[$i]}" || chain_ok=0
  done
  check "the SSH session's tree: my_init -> runsvdir -> runsv sshd -> sshd -D -> sshd: root@pts -> -bash -> ps ajxf" '[ "$chain_ok" = 1 ]'
  check "syslog-ng -F and cron -f run under their runsv" 'grep -q "runsv syslog-ng" <<<"$session" && grep -q "syslog-ng -F" <<<"$session" && grep -q "cron -f" <<<"$session"'

  say "+ docker stop -t 10 $wname"
  docker stop -t 10 "$wname" >/dev/null
  code=$(docker inspect --format '{{.State.ExitCode}}' "$wname")
  say "exit status $code; my_init's log:"
  logs=$(docker logs "$wname" 2>&1)
  printf '%s\n' "$logs" | sed 's/^/    /' >&2
  check "exit status 2 (Init system aborted.)" '[ "$code" = 2 ]'
  check "syslog-ng's post-shutdown hook ran" 'grep -q "10_syslog-ng.shutdown: syslog-ng has stopped" <<<"$logs"'
  run docker rm "$wname" >/dev/null
fi

[ "$ok" = 1 ] || die "the demo did not behave as expected (see NOT OK above)"
say "all as expected"
