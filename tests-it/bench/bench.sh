#!/usr/bin/env bash
# jinit benchmark (issues 5 and 10): boot, memory, reaping, shutdown and size of the jinit
# runtime image, beside phusion's Python my_init, tini, dumb-init and a hello-world JVM floor
# from the same image, in one run, alternating the contenders; and where a boot's milliseconds go;
# and (issue 17) PID 1's footprint in real containers beside the Python my_init in a container of
# the same Debian layer. Prints a Markdown report on stdout (progress on stderr).
# See tests-it/bench/README.md for what each number means.
#
# Usage: tests-it/bench/bench.sh [--runs N] [--idle SECONDS] [--zombies N] [--image DIR]
#                                [--jinit-image [LABEL=]TAG]... [--containers-only | --no-containers]
#                                [--out FILE] [--quick] [--keep]
# Environment: JINIT_PHUSION_MY_INIT=PATH  phusion's Python my_init (default: found as
#   shared/reference/phusion-my_init/my_init next to the repository or one of its parents).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

runs=21 idle=60 zombies=5000 services=10 image="" out="" keep=0 warmup=1 timeout=30
host=1 containers=1 jinit_images=() quick=0

usage() {
  cat <<EOF
Usage: $0 [options]
  --runs N        measured runs per contender (default 21; the issue asks for >= 15)
  --idle SECONDS  idle time before reading the idle RSS (default 60)
  --zombies N     size of the zombie burst (default 5000)
  --image DIR     runtime image to measure (default: REPO/target/image, built if missing)
  --out FILE      also write the Markdown report to FILE
  --jinit-image [LABEL=]TAG  a jinit/base image for section 7 (containers), repeatable, e.g.
                  --jinit-image before=jinit/base:latest --jinit-image after=jinit/base:mine
                  (default: \$JINIT_IMAGE, else jinit/base:latest)
  --containers-only  only section 7 (containers): skips the host sections 1-6
  --no-containers    only the host sections 1-6
  --quick         smoke test: --runs 3 --idle 5, and one container per case in section 7
  --keep          keep the work directory (logs of every run) instead of deleting it
  -h, --help      this help
Needs root (PID namespaces), x86_64/aarch64 Linux, and installs with apt-get whatever of
tini, dumb-init, runit, gcc, python3, util-linux, strace is missing.
Python my_init: \$JINIT_PHUSION_MY_INIT, else shared/reference/phusion-my_init/my_init beside
the repository or one of its parent directories; its row says why when it is not found.
EOF
}

while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --idle) idle=$2; shift 2 ;;
    --zombies) zombies=$2; shift 2 ;;
    --image) image=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --quick) runs=3; idle=5; quick=1; shift ;;
    --jinit-image) jinit_images+=("$2"); shift 2 ;;
    --containers-only) host=0; shift ;;
    --no-containers) containers=0; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
case $runs in ''|*[!0-9]*) echo "bench.sh: --runs needs a number" >&2; exit 2 ;; esac
[ "$runs" -ge 1 ] || { echo "bench.sh: --runs must be >= 1" >&2; exit 2; }
[ "$host" = 1 ] || [ "$containers" = 1 ] || { echo "bench.sh: --containers-only and --no-containers leave nothing to measure" >&2; exit 2; }
[ "$host" = 0 ] || [ "$runs" -ge 15 ] || echo "bench.sh: note: $runs runs per contender (the issue asks for >= 15)" >&2

say() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
die() { echo "bench.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (unshare -p for PID namespaces)"

# ---- tools (Debian packages), installed only when missing
need=()
command -v python3 >/dev/null || need+=(python3)
if [ "$host" = 1 ]; then
command -v tini >/dev/null || need+=(tini)
command -v dumb-init >/dev/null || need+=(dumb-init)
command -v runsvdir >/dev/null || need+=(runit)
command -v gcc >/dev/null || need+=(gcc libc6-dev)
command -v unshare >/dev/null || need+=(util-linux)
command -v strace >/dev/null || need+=(strace)
fi
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} (apt-get)"
  command -v apt-get >/dev/null || die "missing ${need[*]} and no apt-get to install them"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

# ---- a JDK 25 (javac for the floor; Maven if the image must be built)
find_jdk() {
  local c
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/*-25-* /usr/lib/jvm/jdk-25*; do
    [ -n "$c" ] && [ -x "$c/bin/javac" ] || continue
    if "$c/bin/javac" -version 2>&1 | grep -q '^javac 25'; then echo "$c"; return 0; fi
  done
  return 1
}
if [ "$host" = 1 ]; then
jdk=$(find_jdk) || die "no JDK 25 found (set JAVA_HOME to a JDK 25)"
export JAVA_HOME=$jdk PATH=$jdk/bin:$PATH

# ---- the image under test
if [ -z "$image" ]; then
  image=$repo/target/image
  if [ ! -x "$image/bin/my_init" ]; then
    say "no $image: building it (mvn -B -q package -DskipTests)"
    (cd "$repo" && mvn -B -q package -DskipTests >&2)
  fi
fi
image=$(cd "$image" && pwd)
[ -x "$image/bin/my_init" ] && [ -x "$image/bin/java" ] || die "$image is not a jinit runtime image"
fi

# ---- phusion's Python my_init (the comparator; never copied into this repository)
find_phusion() {
  local d=$repo
  if [ -n "${JINIT_PHUSION_MY_INIT:-}" ]; then echo "$JINIT_PHUSION_MY_INIT"; return 0; fi
  while :; do
    for c in "$d/shared/reference/phusion-my_init/my_init" "$d/../shared/reference/phusion-my_init/my_init"; do
      [ -f "$c" ] && { (cd "$(dirname "$c")" && echo "$(pwd)/my_init"); return 0; }
    done
    [ "$d" = / ] && return 1
    d=$(dirname "$d")
  done
}
phusion="" phusion_missing=""
if phusion=$(find_phusion); then
  interp=$(head -1 "$phusion" | sed -n 's/^#! *\([^ ]*\).*/\1/p')
  if [ ! -x "$phusion" ]; then
    phusion_missing="$phusion is not executable"; phusion=""
  elif [ -z "$interp" ] || [ ! -x "$interp" ]; then
    phusion_missing="its interpreter ${interp:-?} (from its #! line) is missing"; phusion=""
  fi
else
  phusion_missing="not found (no shared/reference/phusion-my_init/my_init beside $repo or a parent; set JINIT_PHUSION_MY_INIT=PATH)"
fi
if [ -n "$phusion" ]; then say "Python my_init: $phusion"; else say "Python my_init not measured: $phusion_missing"; fi

# ---- work directory, removed on exit (unless --keep)
work=$(mktemp -d /tmp/jinit-bench.XXXXXX)
cleanup() {
  if [ "$keep" = 1 ]; then say "kept work directory $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- section 7: the images of the containers (issue 17)
python_image=""
if [ "$containers" = 1 ]; then
  command -v docker >/dev/null && docker info >/dev/null 2>&1 || die "section 7 needs a running Docker (images/docker-up.sh), or pass --no-containers"
  [ ${#jinit_images[@]} -gt 0 ] || jinit_images=("jinit=${JINIT_IMAGE:-jinit/base:latest}")
  for spec in "${jinit_images[@]}"; do
    tag=${spec#*=}
    docker image inspect "$tag" >/dev/null 2>&1 || die "no image $tag: build it with images/build.sh (JINIT_IMAGE=$tag)"
  done
  rootfs=${JINIT_ROOTFS_IMAGE:-jinit/debian-rootfs:bookworm}
  docker image inspect "$rootfs" >/dev/null 2>&1 || die "no Debian layer $rootfs: run images/rootfs.sh (or images/build.sh)"
  if [ -n "$phusion" ]; then
    # the Python my_init's image: the same layer + python3 from a local apt repository
    debs=$(JINIT_DEBS_PACKAGES=python3 JINIT_DEBS_NAME=bench-python-debs JINIT_ROOTFS_IMAGE=$rootfs \
      "$repo/images/baseimage/fetch-debs.sh") || die "downloading python3 for the Python my_init's image failed"
    python_image=jinit-bench/python-my_init:$(printf '%s\n' "$debs" "$(docker image inspect -f '{{.Id}}' "$rootfs")" \
      "$(sha256sum "$here/python-image/Dockerfile")" | sha256sum | cut -c1-12)
    if ! docker image inspect "$python_image" >/dev/null 2>&1; then
      say "building $python_image (FROM $rootfs + python3)"
      ctx=$work/python-image
      mkdir -p "$ctx"
      cp "$here/python-image/Dockerfile" "$ctx/"
      cp -a "$debs" "$ctx/debs"
      DOCKER_BUILDKIT=0 docker build -q --network=none --build-arg BASE_IMAGE="$rootfs" -t "$python_image" "$ctx" >&2 \
        || die "building $python_image failed"
    fi
  fi
fi

if [ "$host" = 1 ]; then
# ---- helpers built at bench time
say "compiling zburst, measure (gcc) and the JVM floor (javac, jar)"
gcc -O2 -Wall -o "$work/zburst" "$here/zburst.c"
gcc -O2 -Wall -o "$work/measure" "$here/measure.c"
mkdir -p "$work/floor-classes"
javac --release 25 -d "$work/floor-classes" "$here/Floor.java"
jar --create --file "$work/floor.jar" -C "$work/floor-classes" .
say "training the floor's AOT cache in the image under test"
timeout 120 "$image/bin/java" --enable-native-access=ALL-UNNAMED -XX:AOTCacheOutput="$work/floor.aot" \
  -cp "$work/floor.jar" Floor > "$work/floor-training.log" 2>&1 \
  || { cat "$work/floor-training.log" >&2; die "training the floor's AOT cache failed"; }
[ -s "$work/floor.aot" ] || { cat "$work/floor-training.log" >&2; die "no floor AOT cache written"; }

# ---- the runit root: DIR/etc/service/svcNN/run, each `exec sleep 1000` (dies at once on TERM)
tpl=$work/root-template
for i in $(seq -w 1 "$services"); do
  mkdir -p "$tpl/etc/service/svc$i"
  printf '#!/bin/sh\nexec sleep 1000\n' > "$tpl/etc/service/svc$i/run"
  chmod 0755 "$tpl/etc/service/svc$i/run"
done
# ---- a baseimage-like root for one boot row: a few container variables to import and export
envroot=$work/env-root
mkdir -p "$envroot/etc/container_environment"
printf 'bench' > "$envroot/etc/container_environment/APP_NAME"
printf '/srv/app' > "$envroot/etc/container_environment/APP_HOME"
printf 'C.UTF-8' > "$envroot/etc/container_environment/LANG"

# ---- the machine
machine=(
  "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo)"
  "kernel: $(uname -srm); $(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}")"
  "JVM: $("$image/bin/java" -version 2>&1 | grep -v '^WARNING' | sed -n 2p); $(tini --version 2>&1 | head -1); dumb-init $(dumb-init --version 2>&1 | head -1); $(unshare --version | head -1)"
  "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
)
margs=()
for m in "${machine[@]}"; do margs+=(--machine "$m"); done

fi

# the measurement cores run in the background: bash runs traps only between commands, wait is
# interruptible, and the core gets the signal too, so that it removes whatever it started
# (namespaces, containers) before the work directory goes away.
core() {
  "$@" &
  py=$!
  trap 'kill -TERM $py 2>/dev/null; wait $py; exit 143' TERM
  trap 'kill -TERM $py 2>/dev/null; wait $py; exit 130' INT
  wait $py
}
[ -z "$out" ] || : > "$out"
rc=0
set +e
if [ "$host" = 1 ]; then
say "measuring (runs=$runs idle=${idle}s zombies=$zombies services=$services) in $work"
core python3 "$here/bench.py" --image "$image" --workdir "$work" --floor-jar "$work/floor.jar" \
  --floor-aot "$work/floor.aot" --zburst "$work/zburst" --measure "$work/measure" --root-template "$tpl" --env-root "$envroot" \
  --services "$services" --runs "$runs" --warmup "$warmup" --idle "$idle" --zombies "$zombies" \
  --timeout "$timeout" --phusion-my-init "$phusion" --phusion-missing "$phusion_missing" --load-start "$(cut -d' ' -f1-3 /proc/loadavg)" "${margs[@]}" ${out:+--out "$out"}
rc=$?
fi
if [ "$containers" = 1 ] && [ "$rc" = 0 ]; then
  cargs=(--workdir "$work")
  for spec in "${jinit_images[@]}"; do cargs+=(--jinit-image "$spec"); done
  if [ -n "$python_image" ]; then
    cargs+=(--python-image "$python_image" --phusion-my-init "$phusion")
  else
    say "section 7 without the Python my_init: $phusion_missing"
  fi
  [ "$quick" = 0 ] || cargs+=(--idle 5 --window 10 --reps 1 --reps-cpus 2 --reps-memory 1 --reps-oom 1 --hold 3)
  say "7. containers: ${jinit_images[*]}${python_image:+ and $python_image}"
  core python3 "$here/containers.py" "${cargs[@]}" ${out:+--append "$out"}
  rc=$?
fi
set -e
if [ "$rc" != 0 ]; then keep=1; say "FAILED (exit $rc); the logs of every run are in $work"; fi
exit "$rc"
