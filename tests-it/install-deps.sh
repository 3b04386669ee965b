#!/usr/bin/env bash
# Installs the Debian packages that jinit's build and tests need and that are missing, so that
# README's test command (tests-it/run-all.sh, which calls this first) works on a fresh Debian
# machine. .ci/run calls it too, before it starts Docker.
#
# What is needed, as command -> Debian package (a command found on PATH counts as installed,
# whatever package brought it, e.g. Docker's own docker-ce):
#   docker dockerd -> docker.io      debootstrap -> debootstrap   (images/build.sh)
#   runsvdir sv -> runit             tini -> tini   dumb-init -> dumb-init
#                                                       (PID-1 tests, comparisons, benchmark)
#   ps pgrep -> procps   unshare setpriv script -> util-linux   mvn -> maven
#   gcc -> gcc   strip -> binutils   perl -> perl   python3 -> python3
#                        (a small C helper, pseudo-terminal tests, reports)
# and Debian's JDK 17 (/usr/lib/jvm/java-17-openjdk-amd64/bin/javac -> openjdk-17-jdk-headless,
# or $JINIT_JDK17): the Testcontainers helper is built and unit-tested on Java 17.
# Not here: the JDK 25 (Debian has none; README "The two commands").
#
# Usage: tests-it/install-deps.sh [--list]
#   --list   print the missing packages, one a line, and install nothing (exit 0)
# Installs with images/apt-install.sh (apt-get update, apt-get install --no-install-recommends).
# Exit status: 0 when nothing is missing (any more); 1 when packages are missing and cannot be
# installed (not root, no apt-get: the line names them).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)

list=0
case "${1:-}" in
  --list) list=1 ;;
  '') ;;
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "install-deps: unknown argument: $1 (see --help)" >&2; exit 2 ;;
esac

# command -> Debian package that provides it
declare -A need=(
  [docker]=docker.io [dockerd]=docker.io
  [debootstrap]=debootstrap
  [runsvdir]=runit [sv]=runit
  [tini]=tini [dumb-init]=dumb-init
  [ps]=procps [pgrep]=procps
  [unshare]=util-linux [setpriv]=util-linux [script]=util-linux
  [mvn]=maven
  [gcc]=gcc [strip]=binutils [perl]=perl [python3]=python3
)
missing=()
for cmd in "${!need[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
jdk17=${JINIT_JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
[ -x "$jdk17/bin/javac" ] || missing+=(openjdk-17-jdk-headless)
[ "${#missing[@]}" -eq 0 ] || mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

if [ "$list" = 1 ]; then
  [ "${#missing[@]}" -eq 0 ] || printf '%s\n' "${missing[@]}"
  exit 0
fi
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all needed packages are installed" >&2
  exit 0
fi
bash "$repo/images/apt-install.sh" "jinit's build and tests" "${missing[@]}"
