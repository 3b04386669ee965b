#!/bin/sh
# Writes jinit's launcher into a jlink runtime image, for the directory the image will live in.
# Shipped in the image as lib/launch/install; images/Dockerfile runs it after copying the image
# to /opt/jinit, because the launcher's lines name absolute paths (a #! line cannot say "next
# to me").
#
# Usage: lib/launch/install [PREFIX [AOT_OPTION]]
#   PREFIX      where the image lives when the launcher runs (default: this image's directory)
#   AOT_OPTION  the JVM's AOT option (default: -XX:AOTCache=PREFIX/lib/jinit.aot when that file
#               exists, else none); make-image.sh passes -XX:AOTCacheOutput=FILE to train
#
# The launcher is three `#!/usr/bin/env -S` lines, no shell, so that nothing between the
# container runtime's exec and the JVM touches the environment or the arguments:
#   bin/my_init        blocks every signal (env --block-signal without a list: the 59 the init
#                      reads would not fit in a 255-byte #! line); the signals the init reads wait,
#                      blocked, until it reads them: none is lost or handled by HotSpot during the
#                      JVM's start; HotSpot unblocks its own, ILL, BUS, FPE, SEGV and 60, in its
#                      threads (io.jinit.process.SignalPolicy is the table, SignalPolicyTest checks
#                      it; 63 carries a fault signal sent with kill, io.jinit.posix.FaultRelay);
#                      moves JAVA_TOOL_OPTIONS and _JAVA_OPTIONS into the carrier variables
#                      JINIT_JTO and JINIT_JO
#   lib/launch/save    moves JDK_JAVA_OPTIONS and _JAVA_SR_SIGNUM into JINIT_JDK and JINIT_SR, and
#                      moves HotSpot's suspend/resume signal off USR2 (_JAVA_SR_SIGNUM=60)
#   lib/launch/jvm     execs bin/java -Xrs -m MODULE/MAIN (read from lib/launch/main; the JVM's
#                      other options are baked into lib/modules)
# The JVM so never reads the container's JVM variables, and the init gives them back, byte for
# byte, to every child (io.jinit.cli.LauncherArguments), taking the carriers out. The values
# travel in the environment, never in a command line: /proc/PID/environ is readable only by the
# process's own user, /proc/PID/cmdline by everyone. Each line stays within the 255 bytes that
# Linux >= 5.1 reads of a #! line (BINPRM_BUF_SIZE).
set -eu

self=$(readlink -f "$0")
image=${self%/lib/launch/*}
prefix=${1:-$image}
if [ $# -ge 2 ]; then
  aot=$2
elif [ -r "$image/lib/jinit.aot" ]; then
  aot="-XX:AOTCache=$prefix/lib/jinit.aot"
else
  aot=
fi

case $prefix in
  *[[:space:]\\\$\'\"\#]*)
    echo "launch/install: the image cannot live in '$prefix': env -S would split or expand a #! line with a blank, \\, \$, a quote or # in it" >&2
    exit 1 ;;
esac
main=$(cat "$image/lib/launch/main")

write() { # FILE LINE
  if [ "$(printf '%s' "$2" | wc -c)" -gt 255 ]; then
    echo "launch/install: the #! line of $1 is longer than 255 bytes (prefix $prefix is too long): $2" >&2
    exit 1
  fi
  printf '%s\n' "$2" > "$1.tmp"
  chmod 0755 "$1.tmp"
  mv -f "$1.tmp" "$1"
}

write "$image/bin/my_init" \
  "#!/usr/bin/env -S --block-signal -u JAVA_TOOL_OPTIONS -u _JAVA_OPTIONS JINIT_JTO=\${JAVA_TOOL_OPTIONS} JINIT_JO=\${_JAVA_OPTIONS} $prefix/lib/launch/save"
write "$image/lib/launch/save" \
  "#!/usr/bin/env -S -u JDK_JAVA_OPTIONS JINIT_JDK=\${JDK_JAVA_OPTIONS} JINIT_SR=\${_JAVA_SR_SIGNUM} _JAVA_SR_SIGNUM=60 $prefix/lib/launch/jvm"
write "$image/lib/launch/jvm" \
  "#!/usr/bin/env -S $prefix/bin/java${aot:+ $aot} -Xrs -m $main"
