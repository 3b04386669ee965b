#!/bin/sh
# Demo startup script: my_init runs it (and every other executable in
# /etc/my_init.d, in byte order) to completion before it starts runit.
set -eu
echo "startup: 10_demo_greeting.sh runs as PID $$ (parent $PPID)"
# one file per variable: the services and the main command get it in their
# environment, and it is exported to /etc/container_environment.sh/.json
printf '%s\n' "hello from the startup script" > /etc/container_environment/DEMO_GREETING
