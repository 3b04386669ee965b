#!/bin/sh
# jinit launcher: execs the JVM of this runtime image, so that the JVM is the
# process that gets the PID (PID 1 in a container). Follows symlinks, so
# /sbin/my_init may link here.
self=$(readlink -f "$0")
home=${self%/bin/*}
if [ -r "$home/lib/jinit.aot" ]; then
  exec "$home/bin/java" -XX:AOTCache="$home/lib/jinit.aot" -m @MODULE@/@MAIN@ "$@"
fi
exec "$home/bin/java" -m @MODULE@/@MAIN@ "$@"
