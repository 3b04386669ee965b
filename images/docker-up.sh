#!/usr/bin/env bash
# Makes sure a Docker daemon answers; starts one when none does.
#
# Usage: images/docker-up.sh
#
# When `docker info` answers, this does nothing. Otherwise it installs Debian's
# docker.io when the docker client or dockerd is missing (as .ci/run does; needs
# root and apt-get: images/apt-install.sh), then starts
#   dockerd --bridge=none --iptables=false --ip6tables=false
# in the background (own session, so it outlives this script; no bridge and no
# iptables rules: every container runs with --network none here), logs to
# $DOCKERD_LOG (default /var/log/jinit-dockerd.log) and waits up to
# $DOCKER_WAIT_SECONDS (default 60) seconds for `docker info` to answer.
# Exit status: 0 when the daemon answers, 1 otherwise (the log tail is printed).
# The daemon is left running on purpose: other builds and tests share it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
log=${DOCKERD_LOG:-/var/log/jinit-dockerd.log}
wait_seconds=${DOCKER_WAIT_SECONDS:-60}

say() { echo "docker-up: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

answers() { timeout 10 docker info >/dev/null 2>&1; }

if ! command -v docker >/dev/null; then
  "$here/apt-install.sh" "the docker client" docker.io
  hash -r
  command -v docker >/dev/null || die "docker.io is installed but there is no docker client on PATH"
fi

if answers; then
  say "a Docker daemon already answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
  exit 0
fi

if [ -n "${DOCKER_HOST:-}" ]; then
  die "DOCKER_HOST=$DOCKER_HOST does not answer; not starting a local dockerd for it"
fi
[ "$(id -u)" -eq 0 ] || die "no Docker daemon answers and starting dockerd needs root"
if ! command -v dockerd >/dev/null; then
  # a docker client without the daemon package: Debian's docker.io has both
  "$here/apt-install.sh" "starting a Docker daemon (dockerd)" docker.io
  hash -r
  command -v dockerd >/dev/null || die "docker.io is installed but dockerd is not on PATH"
  if answers; then   # its package scripts may have started one
    say "a Docker daemon answers after installing docker.io"
    exit 0
  fi
fi

mkdir -p "$(dirname "$log")"
say "starting dockerd --bridge=none --iptables=false --ip6tables=false (log: $log)"
# setsid + nohup: the daemon survives this shell and its process group
# (a CI step or a terminal that ends).
setsid nohup dockerd --bridge=none --iptables=false --ip6tables=false \
  </dev/null >>"$log" 2>&1 &
pid=$!
say "dockerd PID $pid; waiting up to ${wait_seconds}s for it to answer"

deadline=$((SECONDS + wait_seconds))
until answers; do
  if ! kill -0 "$pid" 2>/dev/null; then
    tail -n 30 "$log" >&2 || true
    die "dockerd (PID $pid) exited before it answered; see $log"
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    tail -n 30 "$log" >&2 || true
    die "dockerd (PID $pid) did not answer within ${wait_seconds}s; see $log"
  fi
  sleep 1
done
say "Docker daemon answers after $((SECONDS))s ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'), storage driver $(docker info --format '{{.Driver}}' 2>/dev/null || echo '?'))"
