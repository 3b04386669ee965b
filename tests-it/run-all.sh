#!/usr/bin/env bash
# jinit's one test command (README "Tests"): everything, in order, from a clean checkout.
#   0. tests-it/install-deps.sh      the Debian packages the build and the tests need, when
#                                    missing (runit, tini, dumb-init, docker.io, JDK 17, ...;
#                                    as root with apt-get; fails naming them otherwise)
#   1. mvn -B verify $FULL_COUNTS    at the repository root: unit tests, PID-1 tests of the
#                                    binary (failsafe) with the full storm counts of issues 4
#                                    and 11, and target/image (the jlink runtime)
#   2. bash images/build.sh          the Docker images jinit/base:latest from target/image
#                                    and jinit/baseimage:latest FROM it (--no-maven: step 1
#                                    just built target/image)
#   1b. the jinit-testcontainers helper alone (tests-it/helper/pom.xml) with Debian's JDK 17:
#                                    compiled for release 17, its unit tests run on JDK 17, and the
#                                    jar is checked to be Java 17 bytecode (class major version 61)
#                                    with -sources and -javadoc jars beside it
#   3. mvn -B verify -f tests-it/pom.xml
#                                    the integration suite in real containers
# Fails (never skips) when Docker does not answer: images/build.sh starts dockerd when none
# answers, and the suite fails when Docker is unreachable.
#
# Usage: tests-it/run-all.sh [extra Maven arguments for step 3, e.g. -Dit.test=SeedImageIT]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
export PATH="$JAVA_HOME/bin:$PATH"
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=localhost

say() { echo "run-all: $*" >&2; }
start=$SECONDS
step() {
  say "== $* ($((SECONDS - start))s)"
}

# The full counts (README "Reliability"): 10,000 orphans, 500 coalesced-SIGCHLD runs, 200
# TERM-vs-exit races, 50 PID-reuse runs (-Djinit.storm.full=true), 200 TTY runs, 1,000 forced
# reaper-race rounds. JINIT_SHORT_COUNTS=1 runs the short counts instead (a quick local check).
FULL_COUNTS="-Djinit.storm.full=true -Djinit.ttyRuns=200 -Djinit.reaper.race.rounds=1000"
[ "${JINIT_SHORT_COUNTS:-0}" = 1 ] && FULL_COUNTS=""

cd "$repo"
step "0/3 tests-it/install-deps.sh (the Debian packages the tests need)"
bash tests-it/install-deps.sh

step "1/3 mvn -B verify ${FULL_COUNTS:-(short counts)} (unit and PID-1 tests, target/image)"
# shellcheck disable=SC2086
mvn -B verify $FULL_COUNTS

say "reliability checks of this run:"
bash tests-it/reliability-report.sh

step "1b/3 the Testcontainers helper on JDK 17 (mvn -f tests-it/helper/pom.xml package)"
jdk17=${JINIT_JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
if [ ! -x "$jdk17/bin/javac" ]; then
  say "ERROR: no JDK 17 at $jdk17 (apt-get install openjdk-17-jdk-headless, or set JINIT_JDK17)"
  exit 1
fi
JAVA_HOME=$jdk17 PATH="$jdk17/bin:$PATH" mvn -B -f tests-it/helper/pom.xml package
helper_jar=tests-it/helper/target/jinit-testcontainers-0.1.0-SNAPSHOT.jar
for extra in sources javadoc; do
  [ -s "${helper_jar%.jar}-$extra.jar" ] || { say "ERROR: no ${helper_jar%.jar}-$extra.jar"; exit 1; }
done
major=$("$jdk17/bin/javap" -v -cp "$helper_jar" io.jinit.testcontainers.MyInitContainer | sed -n 's/^ *major version: *//p')
if [ "$major" != 61 ]; then
  say "ERROR: $helper_jar is class file version $major, not 61 (Java 17)"
  exit 1
fi
say "helper: Java 17 bytecode (class version $major), -sources and -javadoc jars present"

step "2/3 images/build.sh (jinit/base:latest, jinit/baseimage:latest)"
bash images/build.sh --no-maven

if ! timeout 20 docker info >/dev/null 2>&1; then
  say "ERROR: Docker does not answer after images/build.sh; the integration suite needs it"
  exit 1
fi

step "3/3 mvn -B verify -f tests-it/pom.xml (integration suite in containers)"
mvn -B verify -f tests-it/pom.xml "$@"

say "all tests passed in $((SECONDS - start))s"
