#!/usr/bin/env bash
# Links the jinit runtime image: target/image, launcher target/image/bin/my_init.
# Called by Maven (exec-maven-plugin) in the package phase.
# Usage: make-image.sh JAVA_HOME TARGET_DIR APP_JAR MODULE MAIN_CLASS JVM_OPTIONS
# picocli comes from TARGET_DIR/picocli-module (compiled from its sources by pom.xml), first
# on the module path, so that it wins over a released picocli jar left in TARGET_DIR/modules.
set -euo pipefail
java_home=$1 target=$2 app_jar=$3 module=$4 main=$5 jvm_options=$6
image="$target/image"
rm -rf "$image"
# This JDK has no jmods/: jlink links from the run-time image (JEP 493).
"$java_home/bin/jlink" \
  --module-path "$target/picocli-module:$target/$app_jar:$target/modules" \
  --add-modules "$module,org.tinylog.impl" \
  --output "$image" \
  --strip-debug --no-header-files --no-man-pages --compress=zip-9 \
  --exclude-files='**/bin/keytool,**/lib/jexec,**/lib/classlist,**/lib/jrt-fs.jar,**/lib/libsimdsort.so,**/lib/security/cacerts,**/lib/security/public_suffix_list.dat' \
  --add-options="$jvm_options -XX:-MaxFDLimit"
# -XX:-MaxFDLimit: HotSpot would raise RLIMIT_NOFILE's soft limit to the hard one, and every
# child would inherit the raised limit instead of the container's.
# Size (issue 10, /opt/jinit <= 60 MB): lib/modules compressed (with the AOT cache in place the
# classes come from the cache, so the inflating costs no measurable boot time), files an init
# never uses left out (TLS trust store, keytool, CDS class list, SIMD sort library), and the
# local symbol table of libjvm.so dropped (-5 MB; only hs_err crash reports name fewer frames).
if command -v strip >/dev/null; then
  strip --strip-unneeded "$image/lib/server/libjvm.so"
else
  echo "make-image.sh: no strip (binutils): libjvm.so keeps its symbol table (+5 MB)" >&2
fi

# The launcher (lib/launch/install says how it works): no shell, the signals blocked from the
# exec on, the container's JVM variables kept away from the init's JVM. jlink's own --launcher
# runs java without exec (the JVM would be PID 3 behind a shell).
mkdir -p "$image/lib/launch"
cp "$(dirname "$0")/launch-install.sh" "$image/lib/launch/install"
chmod 0755 "$image/lib/launch/install"
# The launcher runs the JVM with -Xrs (HotSpot installs no handler for, and so never unblocks,
# TERM, INT, HUP, QUIT: the init reads them, and the other blocked signals, from a signalfd).
printf '%s\n' "$module/$main" > "$image/lib/launch/main"
"$image/lib/launch/install"
echo "jinit runtime image: $image ($(du -sh "$image" | cut -f1))"

# AOT cache (JEP 483/514): one training run on the real boot path (env import/export with
# .json, a startup script, the main command, kill-all of our descendants). The cache is tied
# to this image's lib/modules; the launcher uses it when present. JINIT_AOT=0 skips it.
if [ "${JINIT_AOT:-1}" != 0 ]; then
  train=$(mktemp -d)
  mkdir -p "$train/etc/container_environment" "$train/etc/my_init.d"
  printf 'value\n' > "$train/etc/container_environment/TRAINING"
  # children that run a little while: the waits for them then take the path that a real boot
  # takes (the child's exit future not complete yet), whose classes the cache must hold too
  printf '#!/bin/sh\nsleep 0.1\n' > "$train/etc/my_init.d/00_training"
  chmod 0755 "$train/etc/my_init.d/00_training"
  # The training run is a real init: inside a PID namespace of its own when we may make one,
  # so that even a broken kill-all can only reach the namespace; else without kill-all.
  if unshare -p -f --mount-proc true 2>/dev/null; then
    jail=(unshare -p -f --mount-proc) killall=()
  else
    jail=() killall=(--no-kill-all-on-exit)
  fi
  # trained through the launcher itself, so that the cache holds what a real boot loads; the
  # main command runs past the 1 s after which the init pages out its memory (boot/Phase.Main)
  "$image/lib/launch/install" "$image" "-XX:AOTCacheOutput=$image/lib/jinit.aot -Xlog:aot=error -Djinit.aot.training=true"
  "${jail[@]}" "$image/bin/my_init" \
    --root "$train" --skip-runit "${killall[@]}" -- /bin/sh -c 'sleep 1.2' 2> "$target/aot-training.log" \
    || { echo "AOT training run failed:"; cat "$target/aot-training.log"; exit 1; }
  rm -rf "$train"
  [ -s "$image/lib/jinit.aot" ] || { echo "AOT training wrote no cache:"; cat "$target/aot-training.log"; exit 1; }
  "$image/lib/launch/install"
  echo "AOT cache: $image/lib/jinit.aot ($(du -sh "$image/lib/jinit.aot" | cut -f1))"
fi
