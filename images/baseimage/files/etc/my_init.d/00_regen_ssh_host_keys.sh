#!/bin/sh
# Startup script: makes the SSH host keys that are missing (RSA, ECDSA, Ed25519), with
# `ssh-keygen -A`. The image ships none (every container would share them), so the first
# boot of a container makes its own; keys that exist are never replaced. Run it in a
# Dockerfile (`RUN /etc/my_init.d/00_regen_ssh_host_keys.sh`) to make them once for the image.
set -eu
missing=
for type in rsa ecdsa ed25519; do
    [ -s "/etc/ssh/ssh_host_${type}_key" ] || missing="$missing $type"
done
[ -n "$missing" ] || exit 0
echo "00_regen_ssh_host_keys.sh: making the missing SSH host keys:$missing" >&2
ssh-keygen -A
