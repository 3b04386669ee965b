#!/usr/bin/env bash
# Links the jinit runtime image: target/image, launcher target/image/bin/my_init.
# Called by Maven (exec-maven-plugin) in the package phase.
# Usage: make-image.sh JAVA_HOME TARGET_DIR APP_JAR MODULE MAIN_CLASS JVM_OPTIONS
set -euo pipefail
java_home=$1 target=$2 app_jar=$3 module=$4 main=$5 jvm_options=$6
image="$target/image"
rm -rf "$image"
# This JDK has no jmods/: jlink links from the run-time image (JEP 493).
"$java_home/bin/jlink" \
  --module-path "$target/$app_jar:$target/modules" \
  --add-modules "$module,org.tinylog.impl" \
  --output "$image" \
  --strip-debug --no-header-files --no-man-pages \
  --add-options="$jvm_options"
# jlink's own --launcher runs java without exec (the JVM would be PID 3 behind
# a shell): our launcher execs the JVM, so the JVM itself is PID 1.
sed -e "s|@MODULE@|$module|g" -e "s|@MAIN@|$main|g" \
  "$(dirname "$0")/my_init.sh" > "$image/bin/my_init"
chmod 0755 "$image/bin/my_init"
echo "jinit runtime image: $image ($(du -sh "$image" | cut -f1))"
