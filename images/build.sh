#!/usr/bin/env bash
# Builds everything jinit ships as a container image, from a clean checkout:
#   1. mvn -B -q package -DskipTests      -> target/image (jlink runtime image)
#   2. images/rootfs.sh                   -> jinit/debian-rootfs:bookworm (cached)
#   3. stage target/docker-context/       (images/Dockerfile + target/image)
#   4. DOCKER_BUILDKIT=0 docker build --network=none   -> jinit/base:latest
#   5. smoke check: /sbin/my_init --version runs in the image
#   6. images/baseimage/fetch-debs.sh     -> the .debs the baseimage adds (cached
#                                            next to the rootfs tarball)
#   7. stage target/docker-context-baseimage/ (images/baseimage/ + the .debs),
#      DOCKER_BUILDKIT=0 docker build --network=none -> jinit/baseimage:latest
#      FROM jinit/base:latest, and a smoke check (setuser nobody id -u)
# Never pulls; needs no registry. Safe to run again (the base layer and
# Docker's build cache are reused).
#
# Usage: images/build.sh [--no-maven] [--no-baseimage]
#   --no-maven      do not run Maven; use the existing target/image (fails when
#                   there is none, warns when sources are newer). Same as
#                   JINIT_SKIP_MAVEN=1. For callers that just ran `mvn package`
#                   or `mvn verify`.
#   --no-baseimage  build jinit/base only (steps 1-5). Same as JINIT_SKIP_BASEIMAGE=1.
# Environment:
#   JAVA_HOME            used when it is a JDK 25, else
#                        /usr/lib/jvm/temurin-25-jdk-amd64
#   JINIT_IMAGE          tag to build (default jinit/base:latest)
#   JINIT_ROOTFS_IMAGE   base layer tag (default jinit/debian-rootfs:bookworm)
#   JINIT_BASEIMAGE_IMAGE  tag of the second image (default jinit/baseimage:latest)
#   DISABLE_SYSLOG, DISABLE_CRON, DISABLE_SSH  =1 leaves that service out of the
#                        baseimage (passed on as build arguments)
#   and those of images/rootfs.sh, images/baseimage/fetch-debs.sh and
#   images/docker-up.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
image=${JINIT_IMAGE:-jinit/base:latest}
export JINIT_ROOTFS_IMAGE=${JINIT_ROOTFS_IMAGE:-jinit/debian-rootfs:bookworm}
skip_maven=${JINIT_SKIP_MAVEN:-0}
baseimage=${JINIT_BASEIMAGE_IMAGE:-jinit/baseimage:latest}
skip_baseimage=${JINIT_SKIP_BASEIMAGE:-0}

say() { echo "build: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }
run() { say "+ $*"; "$@"; }

for arg in "$@"; do
  case $arg in
    --no-maven) skip_maven=1 ;;
    --no-baseimage) skip_baseimage=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (see --help)" ;;
  esac
done

cd "$repo"
start=$SECONDS

# --- 1. Maven: the jlink runtime image --------------------------------------
jdk25() { [ -x "$1/bin/javac" ] && "$1/bin/java" -version 2>&1 | head -n1 | grep -q '"25[."]'; }
if [ "$skip_maven" = 1 ]; then
  [ -x target/image/bin/my_init ] || die "--no-maven, but target/image/bin/my_init does not exist: run without --no-maven"
  newer=$(find pom.xml src -newer target/image/bin/my_init -type f -print -quit)
  [ -z "$newer" ] || say "WARNING: $newer is newer than target/image: the image may be stale"
  say "skipping Maven; using target/image"
else
  if [ -z "${JAVA_HOME:-}" ] || ! jdk25 "$JAVA_HOME"; then
    JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
    jdk25 "$JAVA_HOME" || die "no JDK 25: set JAVA_HOME to one (tried $JAVA_HOME)"
  fi
  export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
  command -v mvn >/dev/null || die "mvn is not installed"
  say "JAVA_HOME=$JAVA_HOME"
  run mvn -B -q package -DskipTests
  [ -x target/image/bin/my_init ] || die "Maven did not produce target/image/bin/my_init"
fi

# --- 2. Docker daemon and the Debian base layer -----------------------------
run "$here/docker-up.sh"
run "$here/rootfs.sh"

# --- 3. build context: only what the image needs ----------------------------
ctx=target/docker-context
say "staging $ctx"
rm -rf "$ctx"
mkdir -p "$ctx"
cp "$here/Dockerfile" "$ctx/Dockerfile"
cp "$here/my_init-health" "$ctx/my_init-health"
cp -a target/image "$ctx/jinit"

# --- 4. the image -----------------------------------------------------------
export DOCKER_BUILDKIT=0
run docker build --network=none \
  --build-arg BASE_IMAGE="$JINIT_ROOTFS_IMAGE" \
  -t "$image" "$ctx"

# --- 5. smoke check ---------------------------------------------------------
say "smoke check: docker run --rm --network none $image /sbin/my_init --version"
if ! out=$(docker run --rm --pull never --network none "$image" /sbin/my_init --version 2>&1); then
  printf '%s\n' "$out" >&2
  die "/sbin/my_init --version fails in $image"
fi
printf '%s\n' "$out" | sed 's/^/build:   /' >&2

size() { docker image inspect --format '{{.Size}}' "$1" | numfmt --to=iec; }
if [ "$skip_baseimage" = 1 ]; then
  say "done in $((SECONDS - start))s: $image ($(size "$image")), base layer $JINIT_ROOTFS_IMAGE ($(size "$JINIT_ROOTFS_IMAGE")); baseimage skipped"
  exit 0
fi

# --- 6. the packages of the baseimage (cached) ------------------------------
debs=$("$here/baseimage/fetch-debs.sh")

# --- 7. jinit/baseimage -----------------------------------------------------
bctx=target/docker-context-baseimage
say "staging $bctx"
rm -rf "$bctx"
mkdir -p "$bctx"
cp -a "$here/baseimage/Dockerfile" "$here/baseimage/install.sh" "$here/baseimage/files" "$bctx"/
mkdir "$bctx/debs"
cp -a "$debs"/*.deb "$debs/Packages" "$bctx/debs"/
run docker build --network=none \
  --build-arg BASE_IMAGE="$image" \
  --build-arg DISABLE_SYSLOG="${DISABLE_SYSLOG:-0}" \
  --build-arg DISABLE_CRON="${DISABLE_CRON:-0}" \
  --build-arg DISABLE_SSH="${DISABLE_SSH:-0}" \
  -t "$baseimage" "$bctx"
say "smoke check: docker run --rm --network none $baseimage setuser nobody id -u"
if ! out=$(docker run --rm --pull never --network none "$baseimage" setuser nobody id -u 2>&1) || [ "$out" != 65534 ]; then
  printf '%s\n' "$out" >&2
  die "setuser nobody id -u does not print 65534 in $baseimage"
fi

say "done in $((SECONDS - start))s: $image ($(size "$image")), $baseimage ($(size "$baseimage")), base layer $JINIT_ROOTFS_IMAGE ($(size "$JINIT_ROOTFS_IMAGE"))"
