#!/bin/sh
# A startup script that adds a variable the way phusion's docs show: a file in the directory.
printf 'set by a startup script' > /etc/container_environment/FROM_STARTUP
