#!/usr/bin/env bash
# Installs Debian packages that the image scripts need and that are missing, as .ci/run does:
#   apt-get update; apt-get install -y --no-install-recommends PKG...
# Usage: images/apt-install.sh WHY PKG...
#   WHY   what needs them, for the messages (e.g. "starting a Docker daemon")
# Does nothing for packages already installed (dpkg-query). Needs root and apt-get; without
# them it fails with a one-line error that names the packages.
# Exit status: 0 when every package is installed, 1 otherwise (one line names the packages).
set -euo pipefail

say() { echo "apt-install: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[ "$#" -ge 2 ] || die "usage: images/apt-install.sh WHY PKG..."
why=$1
shift
missing=()
for pkg in "$@"; do
  dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
[ "${#missing[@]}" -gt 0 ] || exit 0

command -v apt-get >/dev/null || die "$why needs ${missing[*]}, and there is no apt-get to install them"
[ "$(id -u)" -eq 0 ] || die "$why needs ${missing[*]}: run as root, or apt-get install ${missing[*]}"
say "$why needs ${missing[*]}: installing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
  || die "$why needs ${missing[*]}, and apt-get could not install them (see above: no network, or no such package in its sources?)"
