#!/bin/sh
# Startup script: makes the SSH host keys that are missing (RSA, ECDSA, Ed25519), with
# `ssh-keygen -A`, when sshd is enabled (no /etc/service/sshd/down). The image ships none
# (every container would share them), so the first boot of a container whose sshd is enabled
# makes its own; keys that exist are never replaced. While sshd is disabled (as shipped) it does
# nothing, so a container that does not use sshd pays nothing for keys at boot.
#   -f   make the missing keys even while sshd is disabled: in a Dockerfile,
#        `RUN /etc/my_init.d/00_regen_ssh_host_keys.sh -f` makes them once for the image
# Exit status: 0, or ssh-keygen's; 2 for an unknown argument.
set -eu
force=0
case "${1:-}" in
    -f) force=1 ;;
    '') ;;
    *) echo "usage: 00_regen_ssh_host_keys.sh [-f]" >&2; exit 2 ;;
esac
if [ "$force" = 0 ] && [ -e /etc/service/sshd/down ]; then
    exit 0
fi
missing=
for type in rsa ecdsa ed25519; do
    [ -s "/etc/ssh/ssh_host_${type}_key" ] || missing="$missing $type"
done
[ -n "$missing" ] || exit 0
echo "00_regen_ssh_host_keys.sh: making the missing SSH host keys:$missing" >&2
ssh-keygen -A
