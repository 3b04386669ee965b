#!/bin/bash
# As phusion's image does: make the SSH host keys at first boot, but only when sshd is enabled
# (no /etc/service/sshd/down) or when called with -f.
set -e
if [[ ! -e /etc/service/sshd/down && ! -e /etc/ssh/ssh_host_rsa_key ]] || [[ "${1:-}" == "-f" ]]; then
  echo "No SSH host key available. Generating one..."
  ssh-keygen -A
fi
echo "00_regen_ssh_host_keys.sh ran" >> /var/log/markers/startup
